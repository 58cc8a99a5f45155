import { eventHash, GENESIS_HASH } from "../../lib/audit/chain";
import type { Store } from "../../lib/store/client";
import { Prisma, type SessionEventType } from "../../lib/store/generated/client";
import { RecorderError } from "./errors";

// One group commit: every event of the batch in ONE transaction, or none of them.
//   1. lock the AgentSession rows involved, in id order (two gateways appending to the same sessions queue
//      behind each other instead of deadlocking), and read each head (headHash, eventCount, endedAt);
//   2. give each event, in arrival order, the next seq of its session and chain it to the head;
//   3. in one statement, insert all events and move each session's head (and endedAt on a disconnect).
// An event for a session that does not exist or has ended is answered with its own error and left out; the
// rest of the batch still commits. A store failure fails the whole batch: the caller rejects every event.

export interface BatchEvent {
  readonly sessionId: string;
  readonly type: SessionEventType;
  readonly at: Date;
  readonly decision: string | null;
  readonly sqlText: string | null;
  /** The payload's canonical JSON (payload.ts), computed once: hashed, and sent as the JSONB value. */
  readonly payloadJson: string;
  /** In journal mode, the record's key in its journal: a record shipped twice is stored once. */
  readonly journal?: { readonly id: string; readonly seq: number };
}

export interface Appended {
  readonly eventId: string;
  readonly seq: number;
  readonly hash: string;
}

export type BatchOutcome = Appended | RecorderError;

interface Row {
  readonly sessionId: string;
  readonly seq: number;
  readonly type: SessionEventType;
  /** ISO text; "Z" is ignored when cast to timestamp(3), which holds UTC as Prisma writes it. */
  readonly at: string;
  readonly decision: string | null;
  readonly sqlText: string | null;
  readonly payloadJson: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly journalId: string | null;
  readonly journalSeq: number | null;
}

interface Head {
  hash: string;
  count: number;
  ended: Date | null;
  endedNow: boolean;
}

export interface BatchOptions {
  /** Longest wait for a connection and longest transaction, in ms. */
  readonly timeoutMs: number;
}

/** Writes the batch; the outcomes are in the batch's order. Throws when the store fails (nothing committed). */
export async function writeBatch(store: Store, events: readonly BatchEvent[], options: BatchOptions): Promise<BatchOutcome[]> {
  const sessionIds = [...new Set(events.map((event) => event.sessionId))].sort();
  return store.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; headHash: string | null; eventCount: number; endedAt: Date | null }[]>`
        SELECT id::text AS id, "headHash", "eventCount", "endedAt"
        FROM "AgentSession" WHERE id = ANY(${sessionIds}::uuid[]) ORDER BY id FOR UPDATE`;
      const heads = new Map<string, Head>();
      for (const row of rows) heads.set(row.id, { hash: row.headHash ?? GENESIS_HASH, count: row.eventCount, ended: row.endedAt, endedNow: false });

      const outcomes: BatchOutcome[] = [];
      const data: Row[] = [];
      for (const event of events) {
        const head = heads.get(event.sessionId);
        if (!head) {
          outcomes.push(new RecorderError("session_not_found"));
          continue;
        }
        if (head.ended) {
          outcomes.push(new RecorderError("session_closed"));
          continue;
        }
        const seq = head.count + 1;
        const at = event.at.toISOString();
        const hash = eventHash(head.hash, { sessionId: event.sessionId, seq, type: event.type, at, decision: event.decision, sqlText: event.sqlText, payload: null }, event.payloadJson);
        data.push({ sessionId: event.sessionId, seq, type: event.type, at, decision: event.decision, sqlText: event.sqlText, payloadJson: event.payloadJson, prevHash: head.hash, hash, journalId: event.journal?.id ?? null, journalSeq: event.journal?.seq ?? null });
        outcomes.push({ eventId: "", seq, hash });
        head.hash = hash;
        head.count = seq;
        if (event.type === "disconnect") {
          head.ended = event.at;
          head.endedNow = true;
        }
      }
      if (data.length === 0) return outcomes;

      // One statement moves every head and inserts every event (a multi-row INSERT over unnest()ed column
      // arrays: a few times cheaper than createManyAndReturn, which Prisma expands row by row).
      const touched = new Set(data.map((row) => row.sessionId));
      const moved = [...heads.entries()].filter(([id]) => touched.has(id));
      const inserted = await tx.$queryRaw<{ id: string; sessionId: string; seq: number }[]>`
        WITH moved AS (
          UPDATE "AgentSession" AS s
          SET "headHash" = v.head, "eventCount" = v.count, "endedAt" = COALESCE(s."endedAt", v.ended::timestamp(3))
          FROM unnest(
            ${moved.map(([id]) => id)}::uuid[],
            ${moved.map(([, head]) => head.hash)}::text[],
            ${moved.map(([, head]) => head.count)}::int[],
            ${moved.map(([, head]) => (head.endedNow ? head.ended!.toISOString() : null))}::text[]
          ) AS v(id, head, count, ended)
          WHERE s.id = v.id
          RETURNING s.id
        ), inserted AS (
          INSERT INTO "SessionEvent" ("sessionId", seq, type, at, decision, "sqlText", payload, "prevHash", hash, "journalId", "journalSeq")
          SELECT * FROM unnest(
            ${data.map((row) => row.sessionId)}::uuid[],
            ${data.map((row) => row.seq)}::int[],
            ${data.map((row) => row.type)}::"SessionEventType"[],
            ${data.map((row) => row.at)}::timestamp(3)[],
            ${data.map((row) => row.decision)}::text[],
            ${data.map((row) => row.sqlText)}::text[],
            ${data.map((row) => row.payloadJson)}::jsonb[],
            ${data.map((row) => row.prevHash)}::text[],
            ${data.map((row) => row.hash)}::text[],
            ${data.map((row) => row.journalId)}::uuid[],
            ${data.map((row) => (row.journalSeq === null ? null : BigInt(row.journalSeq)))}::bigint[])
          RETURNING id, "sessionId", seq
        )
        SELECT id::text AS id, "sessionId"::text AS "sessionId", seq FROM inserted`;
      if (inserted.length !== data.length) throw new Error("recorder: the store inserted a different number of events"); // rolls back
      const ids = new Map(inserted.map((row) => [`${row.sessionId}/${row.seq}`, row.id]));
      for (let i = 0, d = 0; i < outcomes.length; i++) {
        const outcome = outcomes[i];
        if (outcome instanceof RecorderError) continue;
        const row = data[d++];
        outcomes[i] = { ...outcome, eventId: ids.get(`${row.sessionId}/${row.seq}`) ?? "" };
      }
      return outcomes;
    },
    { maxWait: options.timeoutMs, timeout: options.timeoutMs, isolationLevel: Prisma.TransactionIsolationLevel.ReadCommitted },
  );
}
