import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { Logger } from "../../lib/log";
import type { Store } from "../../lib/store/client";
import type { SessionEventType } from "../../lib/store/generated/client";
import { RecorderError } from "./errors";
import { Journal, JournalError, type JournalOptions, type JournalState } from "./journal/journal";
import { encodeRecord, type JournalRecord } from "./journal/records";
import { storablePayload } from "./payload";
import type { PgBatchWriter } from "./pg-batch";
import { Shipper, type ShipperState } from "./shipper";
import type { OpenSessionInput } from "./sessions";

// Journal mode: a recording is an append to this process's journal (journal/), made before the statement goes on,
// and shipped to the store in the background (shipper.ts). The store can be slow or down without holding a
// statement back; the journal's limits (full, unwritable, failed) are what refuse one.

export interface JournalRecordingOptions {
  readonly journal: JournalOptions;
  readonly store: Store;
  readonly pool?: pg.Pool;
  readonly writer?: PgBatchWriter;
  readonly log?: Logger;
  readonly maxPayloadBytes: number;
  /** How long start() waits for what an earlier process left to reach the store (default 30 s). */
  readonly startShipMs?: number;
}

export interface RecordingHealth {
  readonly mode: "journal" | "strict";
  readonly journal?: JournalState | { readonly state: "unavailable"; readonly reason: string };
  readonly shipping?: ShipperState;
  readonly dropped?: number;
}

/** What start() found: the leftover backlog, and whether it all reached the store. */
export interface JournalStart {
  readonly leftover: number;
  readonly shipped: boolean;
}

export class JournalRecording {
  readonly #options: JournalRecordingOptions;
  #journal: Journal | undefined;
  #shipper: Shipper | undefined;
  #unavailable: string | undefined = "not started";

  constructor(options: JournalRecordingOptions) {
    this.#options = options;
  }

  /**
   * Opens the journal and ships what an earlier process left, before the gateway takes traffic. A journal held by
   * another process throws (the gateway must not start); one that cannot be written leaves the recording
   * unavailable (every statement is refused) and says so in health().
   */
  async start(): Promise<JournalStart> {
    const { log } = this.#options;
    try {
      this.#journal = await Journal.open({ ...this.#options.journal, log });
    } catch (error) {
      if (error instanceof JournalError && error.code === "journal_locked") throw error;
      this.#unavailable = error instanceof Error ? error.message : String(error);
      log?.error("journal.unavailable", { dir: this.#options.journal.dir, error: this.#unavailable });
      return { leftover: 0, shipped: false };
    }
    this.#unavailable = undefined;
    this.#shipper = new Shipper({ journal: this.#journal, store: this.#options.store, pool: this.#options.pool, writer: this.#options.writer, log });
    this.#shipper.start();
    const leftover = this.#journal.state().backlogRecords;
    if (leftover === 0) return { leftover, shipped: true };
    log?.info("journal.shipping_leftover", { records: leftover });
    try {
      await this.#shipper.drain(this.#options.startShipMs ?? 30_000);
      log?.info("journal.leftover_shipped", { records: leftover });
      return { leftover, shipped: true };
    } catch {
      log?.warn("journal.leftover_pending", { records: this.#journal.state().backlogRecords });
      return { leftover, shipped: false };
    }
  }

  /** Writes the session's opening to the journal; the store gets its row when the record is shipped. */
  openSession(input: OpenSessionInput): string {
    const sessionId = randomUUID();
    let payload;
    try {
      payload = storablePayload({ ...input.details, frontDoor: input.frontDoor, connectionId: input.connectionId, clientAddr: input.clientAddr ?? null }, this.#options.maxPayloadBytes);
    } catch {
      throw new RecorderError("invalid_event", "the connect details are not JSON");
    }
    this.#append([{
      kind: "open",
      sessionId,
      agentId: input.agentId,
      connectionId: input.connectionId,
      frontDoor: input.frontDoor,
      clientKey: input.clientKey ?? null,
      clientAddr: input.clientAddr ?? null,
      at: new Date().toISOString(),
      payloadJson: payload.json,
    }]);
    return sessionId;
  }

  /**
   * Appends events of one session, in one write; returns their keys in the journal (`<journal id>/<seq>`). A lazy
   * event (a result summary: nothing waits on it) may wait, up to the sync interval, to go with the next write.
   */
  record(events: readonly { sessionId: string; type: SessionEventType; at: Date; decision: string | null; sqlText: string | null; payloadJson: string }[], options: { lazy: boolean }): string[] {
    const records: JournalRecord[] = events.map((event) => ({ kind: "event", sessionId: event.sessionId, type: event.type, at: event.at.toISOString(), decision: event.decision, sqlText: event.sqlText, payloadJson: event.payloadJson }));
    const refused = events.find((event) => event.type === "statement")?.sqlText;
    const seqs = this.#append(records, refused, options.lazy);
    return seqs.map((seq) => `${this.#journal!.id}/${seq}`);
  }

  /** Resolves once everything recorded so far is in the store. */
  async flush(timeoutMs: number): Promise<void> {
    if (!this.#shipper) throw new RecorderError("journal_unavailable", this.#unavailable);
    await this.#shipper.drain(timeoutMs);
  }

  /** Ships what it can within `graceMs`, then closes the journal (what is left ships at the next start). */
  async close(graceMs: number): Promise<void> {
    await this.#shipper?.drain(graceMs).catch(() => undefined);
    await this.#shipper?.stop();
    await this.#journal?.close();
    this.#unavailable = "closed";
  }

  health(): RecordingHealth {
    if (!this.#journal || this.#unavailable) return { mode: "journal", journal: { state: "unavailable", reason: this.#unavailable ?? "not started" } };
    return { mode: "journal", journal: this.#journal.state(), shipping: this.#shipper?.state, dropped: this.#shipper?.dropped ?? 0 };
  }

  get backlog(): number {
    return this.#journal ? this.#journal.state().backlogRecords : 0;
  }

  /**
   * Records into the journal, in one write. A full journal refuses them, and records the refusal itself (an `error`
   * event in the space kept for that, with the refused statement's text cut short) so that it is not silent.
   */
  #append(records: readonly JournalRecord[], refusedSql?: string | null, lazy = false): number[] {
    const journal = this.#journal;
    if (!journal || this.#unavailable) throw new RecorderError("journal_unavailable", this.#unavailable);
    try {
      return journal.append(records.map(encodeRecord), { lazy });
    } catch (error) {
      if (!(error instanceof JournalError)) throw error;
      const first = records[0];
      if (error.code === "journal_full" && first?.kind === "event") {
        const refused = records.map((record) => (record.kind === "event" ? record.type : "open"));
        const payloadJson = `{"code":"recording_unavailable","reason":"journal_full","refused":${JSON.stringify(refused)}}`;
        const sqlText = refusedSql ? refusedSql.slice(0, 1024) : null;
        try {
          journal.append([encodeRecord({ kind: "event", sessionId: first.sessionId, type: "error", at: first.at, decision: null, sqlText, payloadJson })], { reserve: true });
        } catch {
          // the reserve is used up too: the refusal itself goes unrecorded, and is logged by the journal
        }
        throw new RecorderError("journal_full");
      }
      throw new RecorderError(error.code === "journal_full" ? "journal_full" : "journal_unavailable", error.message);
    }
  }
}
