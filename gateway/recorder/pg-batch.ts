import type pg from "pg";
import { eventHash, GENESIS_HASH } from "../../lib/audit/chain";
import type { Appended, BatchEvent, BatchOutcome } from "./batch";
import { RecorderError } from "./errors";

// Group commit over a raw `pg` pool, usually in ONE round trip and one autocommitted statement per batch.
//
// The writer keeps each session's head (eventCount, headHash, ended) as it last saw it. For a batch it chains
// every event to those heads in arrival order, then sends one statement that, atomically:
//   1. locks the batch's AgentSession rows in id order (SELECT … ORDER BY id FOR UPDATE; in READ COMMITTED a
//      locked row is its newest committed version), so two gateways appending to one session queue behind each
//      other and never deadlock;
//   2. moves each head only where it still is what the events were chained to (compare-and-set on eventCount
//      and headHash, and the session not ended);
//   3. inserts the events of the sessions whose head moved, and nothing of the others;
//   4. returns the inserted ids, and the current head of every session whose compare-and-set failed.
// A session whose head had moved (another gateway appended to it) is re-chained to the head the statement
// returned and sent again; its events keep their arrival order, the other sessions' events are committed. After
// two such retries the rest of the batch goes through a classic transaction that holds the row locks between
// reading the heads and writing (BEGIN; SELECT … FOR UPDATE; the same statement; COMMIT), which cannot lose the
// race, so a writer is never starved. Heads not known yet are read first with a plain SELECT (a new process, a
// session opened elsewhere).
//
// The heads kept here are hints: a wrong one costs a retry, never a broken chain, since the store checks it
// under the row lock before anything is written. Any store failure forgets them all.

interface Head {
  readonly count: number;
  /** The stored headHash (null only for a session without events). */
  readonly hash: string | null;
  readonly ended: boolean;
}

interface Planned {
  readonly outcomes: Map<number, BatchOutcome>;
  readonly rows: { readonly index: number; readonly sessionId: string; readonly seq: number; readonly at: string; readonly prevHash: string; readonly hash: string }[];
  readonly moves: Map<string, { readonly from: Head; readonly to: Head; readonly endedAt: string | null }>;
}

interface WriteRow {
  readonly k: "e" | "h";
  readonly id: string | null;
  readonly sid: string;
  readonly n: number;
  readonly h: string | null;
  readonly ended: boolean | null;
}

/** Optimistic attempts before the rest of a batch is written under held row locks. */
const OPTIMISTIC_ATTEMPTS = 3;
/** Heads kept at most; past that the map starts over (a miss costs one read). */
const MAX_HEADS = 50_000;

const READ_HEADS = `SELECT id::text AS id, "eventCount" AS count, "headHash" AS hash, ("endedAt" IS NOT NULL) AS ended
  FROM "AgentSession" WHERE id = ANY($1::uuid[]) ORDER BY id`;

// The batch travels as two JSON parameters (the heads to move, the events to insert), each unpacked with
// json_to_recordset: one JSON text per batch instead of fifteen arrays the driver escapes element by element.
const WRITE = `WITH v AS (
    SELECT * FROM json_to_recordset($1::json)
      AS v(id uuid, "fromCount" int, "fromHash" text, "toCount" int, "toHash" text, "endedAt" timestamp(3))
  ), locked AS (
    SELECT s.id, s."eventCount", s."headHash", s."endedAt" FROM "AgentSession" AS s
    WHERE s.id IN (SELECT id FROM v) ORDER BY s.id FOR UPDATE
  ), moved AS (
    UPDATE "AgentSession" AS s
    SET "headHash" = v."toHash", "eventCount" = v."toCount", "endedAt" = COALESCE(s."endedAt", v."endedAt")
    FROM locked AS l JOIN v ON v.id = l.id
    WHERE s.id = l.id AND l."eventCount" = v."fromCount" AND l."headHash" IS NOT DISTINCT FROM v."fromHash" AND l."endedAt" IS NULL
    RETURNING s.id
  ), inserted AS (
    INSERT INTO "SessionEvent" ("sessionId", seq, type, at, decision, "sqlText", payload, "prevHash", hash, "journalId", "journalSeq")
    SELECT e."sessionId", e.seq, e.type::"SessionEventType", e.at, e.decision, e."sqlText", e.payload, e."prevHash", e.hash, e."journalId", e."journalSeq"
    FROM json_to_recordset($2::json)
      AS e("sessionId" uuid, seq int, type text, at timestamp(3), decision text, "sqlText" text, payload jsonb, "prevHash" text, hash text,
           "journalId" uuid, "journalSeq" bigint)
    WHERE e."sessionId" IN (SELECT id FROM moved)
    RETURNING id, "sessionId", seq
  )
  SELECT 'e' AS k, id::text AS id, "sessionId"::text AS sid, seq AS n, NULL::text AS h, NULL::boolean AS ended FROM inserted
  UNION ALL
  SELECT 'h', NULL, l.id::text, l."eventCount", l."headHash", l."endedAt" IS NOT NULL FROM locked AS l
  WHERE NOT EXISTS (SELECT 1 FROM moved AS m WHERE m.id = l.id)`;

export class PgBatchWriter {
  readonly #pool: pg.Pool;
  readonly #prepare: boolean;
  readonly #heads = new Map<string, Head>();

  /** `prepare`: send the write as a named prepared statement (parsed and planned once per connection). */
  constructor(pool: pg.Pool, options: { prepare?: boolean } = {}) {
    this.#pool = pool;
    this.#prepare = options.prepare ?? true;
  }

  /** A session just opened with its connect event: its head is known without asking the store. */
  remember(sessionId: string, count: number, hash: string): void {
    if (this.#heads.size > MAX_HEADS) this.#heads.clear();
    this.#set(sessionId, { count, hash, ended: false });
  }

  /** Writes the batch; the outcomes are in the batch's order. Throws when the store fails. */
  async write(events: readonly BatchEvent[], options: { timeoutMs: number; optimisticAttempts?: number }): Promise<BatchOutcome[]> {
    const outcomes: (BatchOutcome | undefined)[] = new Array(events.length);
    let pending = events.map((_, index) => index);
    const attempts = options.optimisticAttempts ?? OPTIMISTIC_ATTEMPTS;
    const giveUpAt = performance.now() + options.timeoutMs;
    if (this.#heads.size > MAX_HEADS) this.#heads.clear();
    try {
      for (let attempt = 0; pending.length > 0; attempt++) {
        // The caller has been answered store_unavailable by now: stop rather than append behind later events.
        if (attempt > 0 && performance.now() > giveUpAt) throw new RecorderError("store_unavailable", "the store did not answer in time", "timeout");
        if (attempt >= attempts) {
          await this.#writeLocked(events, pending, outcomes, options.timeoutMs);
          break;
        }
        const missing = [...new Set(pending.map((i) => events[i].sessionId))].filter((id) => !this.#heads.has(id)).sort();
        const absent = missing.length > 0 ? await this.#readHeads(this.#pool, missing) : new Set<string>();
        const plan = this.#plan(events, pending, absent);
        for (const [index, outcome] of plan.outcomes) if (outcome instanceof RecorderError) outcomes[index] = outcome;
        if (plan.moves.size === 0) break;
        const values = writeParams(events, plan);
        const { rows } = await this.#pool.query<WriteRow>(this.#prepare ? { name: "airlock_recorder_write", text: WRITE, values } : { text: WRITE, values });
        pending = this.#settle(plan, rows, outcomes);
      }
    } catch (error) {
      this.#heads.clear();
      throw error;
    }
    return outcomes.map((outcome) => outcome ?? new RecorderError("store_unavailable", undefined, "incomplete"));
  }

  /** The rest of a batch, under row locks held from reading the heads to the commit. */
  async #writeLocked(events: readonly BatchEvent[], pending: number[], outcomes: (BatchOutcome | undefined)[], timeoutMs: number): Promise<void> {
    const client = await this.#pool.connect();
    let failed: unknown;
    try {
      await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
      await client.query(`SET LOCAL statement_timeout = ${Math.ceil(timeoutMs)}`);
      await client.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.ceil(timeoutMs)}`);
      const sessionIds = [...new Set(pending.map((i) => events[i].sessionId))].sort();
      for (const id of sessionIds) this.#heads.delete(id);
      const absent = await this.#readHeads(client, sessionIds, " FOR UPDATE");
      const plan = this.#plan(events, pending, absent);
      for (const [index, outcome] of plan.outcomes) if (outcome instanceof RecorderError) outcomes[index] = outcome;
      if (plan.moves.size > 0) {
        const { rows } = await client.query<WriteRow>(WRITE, writeParams(events, plan));
        if (this.#settle(plan, rows, outcomes).length > 0) throw new Error("recorder: a head moved under its row lock"); // rolls back
      }
      await client.query("COMMIT");
    } catch (error) {
      failed = error;
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release(failed instanceof Error ? failed : undefined);
    }
  }

  /** Reads the heads of these sessions into the map; answers the ids that do not exist. */
  async #readHeads(db: pg.Pool | pg.PoolClient, sessionIds: string[], lock = ""): Promise<Set<string>> {
    const { rows } = await db.query<{ id: string; count: number; hash: string | null; ended: boolean }>(READ_HEADS + lock, [sessionIds]);
    const absent = new Set(sessionIds);
    for (const row of rows) {
      absent.delete(row.id);
      this.#set(row.id, { count: row.count, hash: row.hash, ended: row.ended });
    }
    return absent;
  }

  /** Chains the pending events, in arrival order, to the known heads. */
  #plan(events: readonly BatchEvent[], pending: readonly number[], absent: ReadonlySet<string>): Planned {
    const outcomes = new Map<number, BatchOutcome>();
    const rows: Planned["rows"] = [];
    const moves: Planned["moves"] = new Map();
    for (const index of pending) {
      const event = events[index];
      const known = this.#heads.get(event.sessionId);
      if (!known || absent.has(event.sessionId)) {
        outcomes.set(index, new RecorderError("session_not_found"));
        continue;
      }
      const move = moves.get(event.sessionId);
      const head = move ? move.to : known;
      if (head.ended) {
        outcomes.set(index, new RecorderError("session_closed"));
        continue;
      }
      const seq = head.count + 1;
      const at = event.at.toISOString();
      const prevHash = head.hash ?? GENESIS_HASH;
      const hash = eventHash(prevHash, { sessionId: event.sessionId, seq, type: event.type, at, decision: event.decision, sqlText: event.sqlText, payload: null }, event.payloadJson);
      rows.push({ index, sessionId: event.sessionId, seq, at, prevHash, hash });
      const ended = event.type === "disconnect";
      moves.set(event.sessionId, { from: move ? move.from : known, to: { count: seq, hash, ended }, endedAt: ended ? at : (move?.endedAt ?? null) });
    }
    return { outcomes, rows, moves };
  }

  /** Records what the statement did; answers the events to chain again (their session's head had moved). */
  #settle(plan: Planned, rows: readonly WriteRow[], outcomes: (BatchOutcome | undefined)[]): number[] {
    const ids = new Map<string, string>();
    const stale = new Set<string>();
    for (const row of rows) {
      if (row.k === "e") ids.set(`${row.sid}/${row.n}`, row.id!);
      else {
        stale.add(row.sid);
        this.#set(row.sid, { count: row.n, hash: row.h, ended: row.ended === true });
      }
    }
    const retry: number[] = [];
    for (const row of plan.rows) {
      const eventId = ids.get(`${row.sessionId}/${row.seq}`);
      if (eventId !== undefined) {
        outcomes[row.index] = { eventId, seq: row.seq, hash: row.hash } satisfies Appended;
        continue;
      }
      if (!stale.has(row.sessionId)) {
        // Neither written nor answered with its head: the session is gone. Ask again.
        this.#heads.delete(row.sessionId);
      }
      retry.push(row.index);
    }
    for (const [sessionId, move] of plan.moves) {
      if (!stale.has(sessionId) && ids.has(`${sessionId}/${move.to.count}`)) this.#heads.set(sessionId, move.to);
    }
    return retry.sort((a, b) => a - b);
  }

  #set(sessionId: string, head: Head): void {
    this.#heads.set(sessionId, head);
  }
}

function writeParams(events: readonly BatchEvent[], plan: Planned): [string, string] {
  const moves = JSON.stringify(
    [...plan.moves].map(([id, move]) => ({ id, fromCount: move.from.count, fromHash: move.from.hash, toCount: move.to.count, toHash: move.to.hash, endedAt: move.endedAt })),
  );
  // Built as text so each payload goes in as the canonical JSON it was hashed as. Ids are checked uuids, types
  // come from the enum, times are ISO text and hashes hex: only decision and sqlText need escaping.
  const rows = plan.rows.map((row) => {
    const event = events[row.index]!;
    return (
      `{"sessionId":"${row.sessionId}","seq":${row.seq},"type":"${event.type}","at":"${row.at}","decision":${JSON.stringify(event.decision)},` +
      `"sqlText":${JSON.stringify(event.sqlText)},"payload":${event.payloadJson},"prevHash":"${row.prevHash}","hash":"${row.hash}"` +
      (event.journal ? `,"journalId":"${event.journal.id}","journalSeq":${event.journal.seq}}` : "}")
    );
  });
  return [moves, `[${rows.join(",")}]`];
}
