import pg from "pg";
import type { Logger } from "../../lib/log";
import type { Store } from "../../lib/store/client";
import type { SessionEventType } from "../../lib/store/generated/client";
import { writeBatch, type Appended, type BatchEvent } from "./batch";
import { RecorderError, storeErrorCode } from "./errors";
import { DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_SQL_BYTES, storablePayloadJson, storableSql } from "./payload";
import { PgBatchWriter } from "./pg-batch";
import { findOrOpenSession, openSession, type Opened, type OpenedSession, type OpenSessionInput } from "./sessions";
import { JournalRecording, type JournalStart, type RecordingHealth } from "./journaled";
import type { JournalOptions } from "./journal/journal";

// Write-ahead recording of agent sessions, in one of two modes:
//   - journal (given `journal`): an event is appended to this process's journal before the engine goes on, and
//     shipped to the store in batches in the background (journaled.ts, shipper.ts); `start()` opens the journal.
//   - strict (the default here): an event is committed to the store before the engine goes on, as below.
//
// Strict: `record()` resolves only once its event is committed. Events arriving in the same tick (or within
// flushIntervalMs) go to the store in one transaction (see batch.ts); while a batch is being written the next
// one gathers, so under load each transaction carries many events and concurrent statements are not serialised
// one transaction each. Over pg, up to PIPELINE_DEPTH batches are in flight at once, over disjoint sessions: an
// event whose session is in a batch in flight waits for that batch (and keeps every later event of its session
// behind it), so each session's events keep their arrival order, while other sessions' statements need not wait
// for a commit they are not part of. Through Prisma (the embedded store, one query at a time) one batch is in
// flight.
// A batch that fails rejects every event in it with `store_unavailable`: the engine then refuses the statement.
// Given a `databaseUrl` (or a `pool`) on the same store, batches go over raw `pg`, usually as one autocommitted
// statement (pg-batch.ts); otherwise through the Prisma store in an interactive transaction (batch.ts).

export interface RecorderOptions {
  readonly log?: Logger;
  /** How long the first event of a batch waits for company; 0 (default) = the end of the current tick. */
  readonly flushIntervalMs?: number;
  /** Most events in one transaction (default 500). A full batch is written at once. */
  readonly maxBatch?: number;
  /** Most payload and SQL bytes in one transaction (default 16 MiB); one event is always let through. */
  readonly maxBatchBytes?: number;
  /** Longest wait for the store per batch, in ms, before its events fail with store_unavailable (default 10 000). */
  readonly timeoutMs?: number;
  /** Payload cap, serialized (default 256 KiB); larger payloads are cut down with a "$truncated" marker. */
  readonly maxPayloadBytes?: number;
  /** SQL text cap (default 64 KiB). */
  readonly maxSqlBytes?: number;
  /**
   * The PostgreSQL URL of the same store: batches are then written over a small `pg` pool of the recorder's own
   * (ended by close()) instead of through Prisma — several times cheaper per batch.
   */
  readonly databaseUrl?: string;
  /** Or a `pg` pool on the same store, owned (and ended) by the caller. Takes precedence over databaseUrl. */
  readonly pool?: pg.Pool;
  /**
   * Over pg, send the batch write as a named prepared statement, parsed and planned once per connection (default
   * true; a third cheaper per batch). Turn off behind a transaction-pooling PgBouncer older than 1.21.
   */
  readonly preparedStatements?: boolean;
  /** Journal mode: the journal's directory and limits (start() opens it). Absent: strict mode. */
  readonly journal?: JournalOptions;
}

export interface RecordOptions {
  /** The decision, denormalised for filters (e.g. "allow", "block", "approval"). */
  readonly decision?: string | null;
  readonly sqlText?: string | null;
  /**
   * The event may wait up to LAZY_FLUSH_MS to ride along with the next batch instead of opening one of its own
   * (used for result summaries, which nothing waits on). An eager event flushes everything queued with it.
   */
  readonly lazy?: boolean;
}

/** What record() answers: the event's id (strict: the stored row's; journal: `<journal id>/<seq>`). */
export interface RecordedEvent {
  readonly eventId: string;
  /** Strict mode: the event's place and hash in its chain (journal mode chains it when shipping). */
  readonly seq?: number;
  readonly hash?: string;
}

/** How long a lazy event may wait for company before it is written on its own. */
export const LAZY_FLUSH_MS = 25;

/** Batches in flight at once over pg. */
export const PIPELINE_DEPTH = 2;

interface Pending {
  readonly event: BatchEvent;
  readonly bytes: number;
  readonly lazy: boolean;
  readonly resolve: (value: Appended) => void;
  readonly reject: (error: RecorderError) => void;
}

const EVENT_TYPES: ReadonlySet<string> = new Set(["connect", "statement", "decision", "approval_wait", "approval_outcome", "result", "error", "disconnect"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Recorder {
  readonly #store: Store;
  readonly #log: Logger | undefined;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #maxBatchBytes: number;
  readonly #timeoutMs: number;
  readonly #maxPayloadBytes: number;
  readonly #maxSqlBytes: number;
  readonly #writer: PgBatchWriter | undefined;
  readonly #pool: pg.Pool | undefined;
  readonly #ownPool: pg.Pool | undefined;

  #queue: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #tickQueued = false;
  #timerLazy = false;
  readonly #inFlight = new Set<Promise<void>>();
  /** Sessions with events in a batch in flight, and how many such batches. */
  readonly #busy = new Map<string, number>();
  readonly #depth: number;
  #closed = false;
  readonly #journaled: JournalRecording | undefined;

  constructor(store: Store, options: RecorderOptions = {}) {
    this.#store = store;
    this.#log = options.log;
    this.#flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 0);
    this.#maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.#maxBatchBytes = Math.max(1, options.maxBatchBytes ?? 16 * 1024 * 1024);
    this.#timeoutMs = Math.max(1, options.timeoutMs ?? 10_000);
    this.#maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.#maxSqlBytes = options.maxSqlBytes ?? DEFAULT_MAX_SQL_BYTES;
    let pool = options.pool;
    if (!pool && options.databaseUrl) {
      pool = this.#ownPool = new pg.Pool({
        connectionString: options.databaseUrl,
        max: 4,
        connectionTimeoutMillis: this.#timeoutMs,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        allowExitOnIdle: true,
      });
      // An idle connection that drops (the store restarted) is simply replaced; the next batch says if it is down.
      this.#ownPool.on("error", (error) => this.#log?.warn("recorder.pool_error", { storeCode: storeErrorCode(error) }));
    }
    this.#pool = pool;
    this.#writer = pool ? new PgBatchWriter(pool, { prepare: options.preparedStatements }) : undefined;
    this.#depth = this.#writer ? PIPELINE_DEPTH : 1;
    if (options.journal) {
      this.#journaled = new JournalRecording({ journal: options.journal, store, pool, writer: this.#writer, log: this.#log, maxPayloadBytes: this.#maxPayloadBytes });
    }
  }

  get mode(): "journal" | "strict" {
    return this.#journaled ? "journal" : "strict";
  }

  /** Journal mode: opens the journal and ships what an earlier process left (see JournalRecording#start). */
  async start(): Promise<JournalStart | undefined> {
    return this.#journaled?.start();
  }

  /** The recording's state, for /readyz and /metrics. */
  health(): RecordingHealth {
    return this.#journaled?.health() ?? { mode: "strict" };
  }

  /** Creates the AgentSession and records its `connect` event (seq 1). */
  async openSession(input: OpenSessionInput): Promise<{ sessionId: string }> {
    this.#refuseWhenClosed();
    if (this.#journaled) {
      const sessionId = this.#journaled.openSession(checkIds(input));
      this.#log?.info("recorder.session_opened", { sessionId, frontDoor: input.frontDoor });
      return { sessionId };
    }
    const opened = this.#opened(await openSession(this.#store, checkIds(input), this.#maxPayloadBytes, this.#pool));
    this.#log?.info("recorder.session_opened", { sessionId: opened.sessionId, frontDoor: input.frontDoor });
    return { sessionId: opened.sessionId };
  }

  /**
   * For the HTTP door: the live session of (agentId, frontDoor, clientKey) that started within the last hour,
   * or a new one. Without a clientKey, always a new one.
   */
  async findOrOpenSession(input: OpenSessionInput): Promise<OpenedSession> {
    this.#refuseWhenClosed();
    if (this.#journaled) {
      // The store is asked first (another replica may have the session); while it cannot answer, a new session
      // is opened in the journal, so a store outage never stops a statement that needs no approval.
      try {
        const found = this.#opened(await findOrOpenSession(this.#store, checkIds(input), this.#maxPayloadBytes, this.#pool));
        if (!found.reused) this.#log?.info("recorder.session_opened", { sessionId: found.sessionId, frontDoor: input.frontDoor });
        return found;
      } catch (error) {
        if (!(error instanceof RecorderError) || error.code !== "store_unavailable") throw error;
        return { ...(await this.openSession(input)), reused: false };
      }
    }
    const opened = this.#opened(await findOrOpenSession(this.#store, checkIds(input), this.#maxPayloadBytes, this.#pool));
    if (!opened.reused) this.#log?.info("recorder.session_opened", { sessionId: opened.sessionId, frontDoor: input.frontDoor });
    return opened;
  }

  /** Records the `disconnect` event and ends the session; closing an ended session does nothing. */
  async closeSession(sessionId: string, reason?: string): Promise<void> {
    try {
      await this.record(sessionId, "disconnect", reason === undefined ? {} : { reason });
    } catch (error) {
      if (error instanceof RecorderError && error.code === "session_closed") return;
      throw error;
    }
  }

  /**
   * Appends an event to the session's chain; resolves once it is committed. The payload must already be masked:
   * the recorder stores what it is given (it only caps the size and makes it storable).
   */
  record(sessionId: string, type: SessionEventType, payload: Readonly<Record<string, unknown>>, options: RecordOptions = {}): Promise<RecordedEvent> {
    let prepared: { event: BatchEvent; bytes: number };
    try {
      prepared = this.#prepare(sessionId, type, payload, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { event, bytes } = prepared;
    if (this.#journaled) {
      try {
        return Promise.resolve({ eventId: this.#journaled.record([event], { lazy: options.lazy === true })[0]! });
      } catch (error) {
        return Promise.reject(error instanceof RecorderError ? error : new RecorderError("journal_unavailable"));
      }
    }
    return new Promise<Appended>((resolve, reject) => {
      this.#queue.push({ event, bytes, lazy: options.lazy === true, resolve, reject });
      this.#schedule(options.lazy === true);
    });
  }

  /**
   * Several events of one session, in order, recorded together: in journal mode one write for all of them (a
   * statement and its decision), in strict mode the same group commit. All or none are recorded.
   */
  recordMany(sessionId: string, events: readonly { type: SessionEventType; payload: Readonly<Record<string, unknown>>; options?: RecordOptions }[]): Promise<RecordedEvent[]> {
    if (!this.#journaled) return Promise.all(events.map(({ type, payload, options }) => this.record(sessionId, type, payload, options)));
    try {
      const prepared = events.map(({ type, payload, options }) => this.#prepare(sessionId, type, payload, options ?? {}).event);
      return Promise.resolve(this.#journaled.record(prepared, { lazy: false }).map((eventId) => ({ eventId })));
    } catch (error) {
      return Promise.reject(error instanceof RecorderError ? error : new RecorderError("journal_unavailable"));
    }
  }

  /** The event as it is stored (payload cleaned and capped, SQL capped); throws RecorderError. */
  #prepare(sessionId: string, type: SessionEventType, payload: Readonly<Record<string, unknown>>, options: RecordOptions): { event: BatchEvent; bytes: number } {
    if (this.#closed) throw new RecorderError("recorder_closed");
    if (!UUID.test(sessionId)) throw new RecorderError("session_not_found");
    if (!EVENT_TYPES.has(type)) throw new RecorderError("invalid_event", "unknown event type");
    try {
      const stored = storablePayloadJson(payload, this.#maxPayloadBytes);
      if (stored.truncatedFrom !== undefined) {
        this.#log?.warn("recorder.payload_truncated", { sessionId, type, bytes: stored.truncatedFrom, limit: this.#maxPayloadBytes });
      }
      const event: BatchEvent = {
        sessionId: sessionId.toLowerCase(),
        type,
        at: new Date(),
        decision: storableSql(options.decision ?? null, 256),
        sqlText: storableSql(options.sqlText ?? null, this.#maxSqlBytes),
        payloadJson: stored.json,
      };
      return { event, bytes: stored.bytes + (event.sqlText?.length ?? 0) + 256 };
    } catch {
      throw new RecorderError("invalid_event", "the payload is not a JSON object");
    }
  }

  /**
   * Resolves once every event recorded before the call is in the store (strict: written or failed; journal:
   * shipped, or rejects with store_unavailable after `timeoutMs`, default 30 s).
   */
  async flush(timeoutMs = 30_000): Promise<void> {
    if (this.#journaled) return this.#journaled.flush(timeoutMs);
    while (this.#queue.length > 0 || this.#inFlight.size > 0) {
      this.#drain();
      await Promise.race(this.#inFlight);
    }
  }

  /**
   * Refuses new events and drains the pending ones (journal mode: ships for up to `graceMs`, and what is left ships
   * at the next start); the store (and a given pool) stays open: its owner closes it.
   */
  async close(graceMs = 5_000): Promise<void> {
    this.#closed = true;
    if (this.#journaled) await this.#journaled.close(graceMs);
    else await this.flush();
    await this.#ownPool?.end().catch(() => undefined);
  }

  /** Events waiting for the next batch (for health and tests). */
  get pending(): number {
    return this.#journaled ? this.#journaled.backlog : this.#queue.length;
  }

  #opened(opened: Opened): OpenedSession {
    if (opened.headHash !== undefined) this.#writer?.remember(opened.sessionId, 1, opened.headHash);
    return { sessionId: opened.sessionId, reused: opened.reused };
  }

  #refuseWhenClosed(): void {
    if (this.#closed) throw new RecorderError("recorder_closed");
  }

  #schedule(lazy = false): void {
    if (this.#inFlight.size >= this.#depth) return; // a batch that settles drains the queue
    if (this.#queue.length >= this.#maxBatch) return this.#drain();
    if (this.#tickQueued) return; // a drain is due at the end of this tick anyway
    if (this.#timer && !(this.#timerLazy && !lazy)) return;
    // An eager event replaces a lazy timer: whatever is queued goes with it.
    this.#clearTimer();
    if (lazy || this.#flushIntervalMs > 0) {
      this.#timerLazy = lazy;
      this.#timer = setTimeout(() => this.#drain(), lazy ? LAZY_FLUSH_MS : this.#flushIntervalMs);
      return;
    }
    // At the end of the current tick: the events recorded together (a statement and its decision) go together,
    // without waiting for the event loop's next turn.
    this.#tickQueued = true;
    process.nextTick(() => {
      this.#tickQueued = false;
      this.#drain();
    });
  }

  #clearTimer(): void {
    if (!this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #drain(): void {
    this.#clearTimer();
    if (this.#inFlight.size >= this.#depth || this.#queue.length === 0) return;
    const batch = this.#take();
    if (batch.length === 0) return; // every queued event waits for its session's batch in flight
    const sessions = [...new Set(batch.map((pending) => pending.event.sessionId))];
    for (const id of sessions) this.#busy.set(id, (this.#busy.get(id) ?? 0) + 1);
    const written: Promise<void> = this.#write(batch, this.#inFlight.size).finally(() => {
      this.#inFlight.delete(written);
      for (const id of sessions) {
        const left = this.#busy.get(id)! - 1;
        if (left === 0) this.#busy.delete(id);
        else this.#busy.set(id, left);
      }
      // Whatever gathered meanwhile has waited long enough: write it now — unless it is only lazy events,
      // which wait a little longer for company.
      if (this.#queue.some((pending) => !pending.lazy)) this.#drain();
      else if (this.#queue.length > 0) this.#schedule(true);
    });
    this.#inFlight.add(written);
  }

  /** The next batch from the queue, in arrival order, leaving behind the events of sessions in flight. */
  #take(): Pending[] {
    if (this.#busy.size === 0) {
      let count = 0;
      let bytes = 0;
      while (count < this.#queue.length && count < this.#maxBatch && (count === 0 || bytes + this.#queue[count].bytes <= this.#maxBatchBytes)) {
        bytes += this.#queue[count++].bytes;
      }
      return this.#queue.splice(0, count);
    }
    const batch: Pending[] = [];
    const left: Pending[] = [];
    let bytes = 0;
    let full = false;
    for (const pending of this.#queue) {
      // Later events of a session in flight are in flight's session too, and once the batch is full nothing else
      // is taken: so whatever stays behind keeps every later event of its session behind it.
      if (full || this.#busy.has(pending.event.sessionId)) {
        left.push(pending);
      } else if (batch.length > 0 && bytes + pending.bytes > this.#maxBatchBytes) {
        full = true;
        left.push(pending);
      } else {
        batch.push(pending);
        bytes += pending.bytes;
        full = batch.length >= this.#maxBatch;
      }
    }
    this.#queue = left;
    return batch;
  }

  /** `alongside`: batches already in flight when this one started. */
  async #write(batch: Pending[], alongside: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RecorderError("store_unavailable", "the store did not answer in time", "timeout")), this.#timeoutMs);
    });
    const started = performance.now();
    try {
      const events = batch.map((p) => p.event);
      const options = { timeoutMs: this.#timeoutMs };
      const outcomes = await Promise.race([this.#writer ? this.#writer.write(events, options) : writeBatch(this.#store, events, options), deadline]);
      for (let i = 0; i < batch.length; i++) {
        const outcome = outcomes[i];
        if (outcome instanceof RecorderError) batch[i].reject(outcome);
        else batch[i].resolve(outcome);
      }
      this.#log?.debug("recorder.batch", { events: batch.length, alongside, ms: Math.round(performance.now() - started) });
    } catch (error) {
      const failure = error instanceof RecorderError ? error : new RecorderError("store_unavailable", undefined, storeErrorCode(error));
      this.#log?.error("recorder.batch_failed", { events: batch.length, storeCode: failure.storeCode, ms: Math.round(performance.now() - started) });
      for (const pending of batch) pending.reject(failure);
    } finally {
      clearTimeout(timer);
    }
  }
}

function checkIds(input: OpenSessionInput): OpenSessionInput {
  if (!UUID.test(input.agentId)) throw new RecorderError("invalid_event", "unknown agent or connection");
  if (input.connectionId !== null && !UUID.test(input.connectionId)) throw new RecorderError("invalid_event", "unknown agent or connection");
  return input;
}
