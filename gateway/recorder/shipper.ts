import type pg from "pg";
import { eventHash, GENESIS_HASH } from "../../lib/audit/chain";
import { errorMessage, type Logger } from "../../lib/log";
import type { Store } from "../../lib/store/client";
import { writeBatch, type BatchEvent } from "./batch";
import { RecorderError, storeErrorCode } from "./errors";
import type { Journal } from "./journal/journal";
import type { ReadPosition } from "./journal/reader";
import { decodeRecord, type OpenRecord } from "./journal/records";
import type { PgBatchWriter } from "./pg-batch";

// Moves the journal's records to the store, in sequence order, a batch at a time: the sessions opened in the
// batch (AgentSession row + connect event, one statement), then its events through the same group-commit writers
// strict mode uses, which chain each event to its session's head exactly as `npm run audit:verify` checks it.
//
// Idempotent: every stored event carries its (journal id, sequence number), unique in the store. After a start,
// or after a batch whose fate is unknown (it failed, maybe after committing part of it), the next batches ask the
// store which of their records it already holds and leave those out, so a record shipped twice is stored once.
//
// A store failure keeps the records in the journal and retries with a growing pause (up to 5 s), logging once per
// outage. A record the store can never take (its session is gone, or ended) is logged and passed over: one bad
// record never blocks the others. A corrupt stretch of the journal (a gap) is marked, in every session that has
// records after it, by an `error` event `recording_gap` before its next event.

export interface ShipperOptions {
  readonly journal: Journal;
  readonly store: Store;
  /** Over pg (the gateway's way on a server store); else through Prisma. */
  readonly pool?: pg.Pool;
  readonly writer?: PgBatchWriter;
  readonly log?: Logger;
  readonly maxRecords?: number;
  readonly maxBytes?: number;
  readonly timeoutMs?: number;
}

export type ShipperState = "ok" | "store_unavailable";

interface ActiveGap {
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly marked: Set<string>;
}

const MAX_BACKOFF_MS = 5_000;
const CHECKPOINT_MS = 1_000;

export class Shipper {
  readonly #journal: Journal;
  readonly #store: Store;
  readonly #pool: pg.Pool | undefined;
  readonly #writer: PgBatchWriter | undefined;
  readonly #log: Logger | undefined;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #timeoutMs: number;
  #position: ReadPosition;
  /** Records up to this seq may already be in the store (unknown until asked: -1). */
  #uncertainUpTo = -1;
  readonly #gaps: ActiveGap[] = [];
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #state: ShipperState = "ok";
  #failures = 0;
  #lastCheckpoint = 0;
  #dropped = 0;
  readonly #drains = new Set<{ seq: number; resolve: () => void }>();

  constructor(options: ShipperOptions) {
    this.#journal = options.journal;
    this.#store = options.store;
    this.#pool = options.pool;
    this.#writer = options.writer;
    this.#log = options.log;
    this.#maxRecords = options.maxRecords ?? 1_000;
    this.#maxBytes = options.maxBytes ?? 4 << 20;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#position = this.#journal.startPosition();
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  get state(): ShipperState {
    return this.#state;
  }

  /** Records passed over because the store can never take them. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Resolves once every record written before the call is in the store; rejects after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    await this.#journal.sync();
    const seq = this.#journal.lastSeq;
    if (this.#journal.shippedSeq >= seq) return;
    let waiter: { seq: number; resolve: () => void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          waiter = { seq, resolve };
          this.#drains.add(waiter);
          this.#wake?.();
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new RecorderError("store_unavailable", "the recording journal could not be shipped to the store in time")), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (waiter) this.#drains.delete(waiter);
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let shipped = 0;
      try {
        shipped = await this.#shipOnce();
        if (this.#state !== "ok") this.#log?.info("journal.shipping_resumed", { after: this.#failures });
        this.#state = "ok";
        this.#failures = 0;
      } catch (error) {
        const code = storeErrorCode(error);
        if (this.#failures === 0) this.#log?.error("journal.shipping_failed", { storeCode: code, error: error instanceof RecorderError ? error.message : code });
        this.#failures++;
        this.#state = "store_unavailable";
        await this.#pause(Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(this.#failures, 7)));
        continue;
      }
      if (shipped === 0) {
        await this.#checkpoint(false);
        if (!this.#stopping) await this.#idle();
      }
    }
    await this.#checkpoint(true);
  }

  /** Ships the next batch; answers how many records it covered (0: nothing new). */
  async #shipOnce(): Promise<number> {
    const { items, position } = await this.#journal.read(this.#position, { maxRecords: this.#maxRecords, maxBytes: this.#maxBytes });
    if (items.length === 0) return 0;
    const firstSeq = items.find((item) => item.kind === "record")?.seq;
    const lastSeq = position.seq;
    let stored = new Set<number>();
    if (firstSeq !== undefined) {
      if (this.#uncertainUpTo < 0) this.#uncertainUpTo = await this.#maxStoredSeq();
      if (firstSeq <= this.#uncertainUpTo) stored = await this.#storedSeqs(firstSeq, lastSeq);
    }
    const opens: { seq: number; record: OpenRecord }[] = [];
    const events: BatchEvent[] = [];
    for (const item of items) {
      if (item.kind === "gap") {
        if (item.toSeq >= item.fromSeq) this.#gaps.push({ fromSeq: item.fromSeq, toSeq: item.toSeq, marked: new Set() });
        continue;
      }
      const record = decodeRecord(item.body);
      if (!record) {
        this.#drop(item.seq, null, "unreadable_record");
        continue;
      }
      for (const gap of this.#gaps) {
        if (gap.marked.has(record.sessionId)) continue;
        gap.marked.add(record.sessionId);
        if (record.kind === "open") continue; // a session opened after the gap lost nothing
        const payloadJson = `{"code":"recording_gap","lostFromSeq":${gap.fromSeq},"lostToSeq":${gap.toSeq},"message":"records of the gateway's journal were lost to corruption before this event"}`;
        if (!stored.has(-item.seq)) events.push({ sessionId: record.sessionId, type: "error", at: new Date(record.at), decision: null, sqlText: null, payloadJson, journal: { id: this.#journal.id, seq: -item.seq } });
      }
      if (stored.has(item.seq)) continue;
      if (record.kind === "open") opens.push({ seq: item.seq, record });
      else {
        events.push({
          sessionId: record.sessionId,
          type: record.type,
          at: new Date(record.at),
          decision: record.decision,
          sqlText: record.sqlText,
          payloadJson: record.payloadJson,
          journal: { id: this.#journal.id, seq: item.seq },
        });
      }
    }
    try {
      if (opens.length > 0) await this.#openSessions(opens);
      if (events.length > 0) {
        const options = { timeoutMs: this.#timeoutMs };
        const outcomes = this.#writer ? await this.#writer.write(events, options) : await writeBatch(this.#store, events, options);
        outcomes.forEach((outcome, i) => {
          if (outcome instanceof RecorderError) this.#drop(events[i]!.journal!.seq, events[i]!.sessionId, outcome.code);
        });
      }
    } catch (error) {
      // Part of it may have been committed: the next tries ask the store what it holds.
      this.#uncertainUpTo = Math.max(this.#uncertainUpTo, lastSeq);
      throw error;
    }
    this.#position = position;
    this.#journal.shipped(lastSeq);
    for (const drain of this.#drains) if (drain.seq <= lastSeq) drain.resolve();
    await this.#checkpoint(this.#journal.canFreeSegment);
    return items.length;
  }

  /** The AgentSession rows and their connect events; a session already stored is left as it is. */
  async #openSessions(opens: readonly { seq: number; record: OpenRecord }[]): Promise<void> {
    const rows = opens.map(({ seq, record }) => {
      const hash = eventHash(GENESIS_HASH, { sessionId: record.sessionId, seq: 1, type: "connect", at: record.at, decision: null, sqlText: null, payload: null }, record.payloadJson);
      return { seq, record, hash };
    });
    const json = (list: typeof rows, withConnection = true) =>
      `[${list
        .map(
          ({ seq, record, hash }) =>
            `{"id":"${record.sessionId}","agentId":"${record.agentId}","connectionId":${withConnection && record.connectionId ? `"${record.connectionId}"` : "null"},` +
            `"frontDoor":"${record.frontDoor}","clientKey":${JSON.stringify(record.clientKey)},"clientAddr":${JSON.stringify(record.clientAddr)},` +
            `"at":"${record.at}","payload":${record.payloadJson},"hash":"${hash}","journalSeq":${seq}}`,
        )
        .join(",")}]`;
    try {
      await this.#query(OPEN_SESSIONS, [json(rows), GENESIS_HASH, this.#journal.id]);
    } catch (error) {
      if (storeErrorCode(error) !== "23503") throw error;
      // An agent or connection deleted while its session waited in the journal: each on its own, without the
      // connection if that is what is gone; one that still cannot be stored is passed over.
      for (const row of rows) {
        try {
          await this.#query(OPEN_SESSIONS, [json([row]), GENESIS_HASH, this.#journal.id]);
        } catch (single) {
          if (storeErrorCode(single) !== "23503") throw single;
          try {
            await this.#query(OPEN_SESSIONS, [json([row], false), GENESIS_HASH, this.#journal.id]);
          } catch (last) {
            if (storeErrorCode(last) !== "23503") throw last;
            this.#drop(row.seq, row.record.sessionId, "unknown_agent");
            continue;
          }
        }
      }
    }
    for (const row of rows) this.#writer?.remember(row.record.sessionId, 1, row.hash);
  }

  async #maxStoredSeq(): Promise<number> {
    const rows = await this.#query<{ max: string | null }>(`SELECT max("journalSeq")::text AS max FROM "SessionEvent" WHERE "journalId" = $1::uuid`, [this.#journal.id]);
    return rows[0]?.max ? Number(rows[0].max) : 0;
  }

  /** Which of these records (and gap marks, stored under minus the record's seq) the store already holds. */
  async #storedSeqs(from: number, to: number): Promise<Set<number>> {
    const rows = await this.#query<{ seq: string }>(
      `SELECT "journalSeq"::text AS seq FROM "SessionEvent" WHERE "journalId" = $1::uuid AND ("journalSeq" BETWEEN $2::bigint AND $3::bigint OR "journalSeq" BETWEEN -$3::bigint AND -$2::bigint)`,
      [this.#journal.id, String(from), String(to)],
    );
    return new Set(rows.map((row) => Number(row.seq)));
  }

  async #query<R>(sql: string, params: unknown[]): Promise<R[]> {
    if (this.#pool) return (await this.#pool.query(sql, params)).rows as R[];
    return this.#store.$queryRawUnsafe<R[]>(sql, ...params);
  }

  #drop(seq: number, sessionId: string | null, code: string): void {
    this.#dropped++;
    this.#log?.error("journal.record_dropped", { seq, sessionId, code });
  }

  async #checkpoint(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastCheckpoint < CHECKPOINT_MS) return;
    this.#lastCheckpoint = now;
    try {
      await this.#journal.checkpoint();
    } catch (error) {
      this.#log?.error("journal.checkpoint_failed", { error: errorMessage(error) });
    }
  }

  /** Waits for new synced records (or a drain, or the stop). */
  async #idle(): Promise<void> {
    await Promise.race([this.#journal.changed(CHECKPOINT_MS), new Promise<void>((resolve) => (this.#wake = resolve))]);
    this.#wake = undefined;
  }

  async #pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
  }
}

// The sessions of one batch and their connect events, in one statement; a session already stored (shipped
// before a crash) is skipped with its event. Its event's foreign key is checked at the end of the statement.
const OPEN_SESSIONS = `WITH o AS (
    SELECT * FROM json_to_recordset($1::json) AS o(id uuid, "agentId" uuid, "connectionId" uuid, "frontDoor" text, "clientKey" text,
      "clientAddr" text, at timestamp(3), payload jsonb, hash text, "journalSeq" bigint)
  ), s AS (
    INSERT INTO "AgentSession" (id, "agentId", "connectionId", "frontDoor", "clientKey", "clientAddr", "startedAt", "headHash", "eventCount")
    SELECT id, "agentId", "connectionId", "frontDoor"::"FrontDoor", "clientKey", "clientAddr", at, hash, 1 FROM o
    ON CONFLICT (id) DO NOTHING
    RETURNING id
  )
  INSERT INTO "SessionEvent" ("sessionId", seq, type, at, payload, "prevHash", hash, "journalId", "journalSeq")
  SELECT o.id, 1, 'connect', o.at, o.payload, $2, o.hash, $3::uuid, o."journalSeq" FROM o WHERE o.id IN (SELECT id FROM s)`;
