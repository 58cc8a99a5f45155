import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChains } from "../../lib/audit/verify";
import { DEFAULT_POLICY_ID, validatePolicy } from "../../lib/policy";
import {
  createGatewayFixture,
  PG_CONNECTION,
  query,
  startGateway,
  targetQuery,
  type GatewayFixture,
  type RunningGateway,
} from "./support";

// Write-ahead recording under a crash: the gateway records a statement (and its decision) durably BEFORE the
// target sees it, so killing the process with SIGKILL in the middle of a load may lose answers and result
// events, but never the statement event of a statement that reached the target. The hash chains must still
// verify, and a new process must carry on with the same store (appending to the same sessions).

const CLIENTS = 16;
/** Kill once this many inserts have been answered (or after KILL_AFTER_MS, whichever comes first). */
const KILL_AFTER_ANSWERS = 300;
const KILL_AFTER_MS = 15_000;
/** Upper bound on what the load sends, should the kill never come. */
const MAX_STATEMENTS = 5_000;

const MARKS_POLICY_ID = "durability-marks";

/** SIGKILL to the gateway (the fixture runs it as `node --import tsx`, so the process held is the gateway itself). */
async function crash(gw: RunningGateway): Promise<{ pid: number }> {
  const pid = gw.process.pid;
  if (pid === undefined) throw new Error("the gateway process has no pid");
  await gw.kill();
  return { pid };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The default policy makes every write wait for approval and block > require_approval > allow, so an allow rule
 * alone cannot let these inserts through: the default policy is switched off in this scratch store and a policy
 * allowing exactly `INSERT INTO marks` on the PostgreSQL target is added (the shop policy stays on; it has no
 * insert rule, and its default is require_approval for anything else).
 */
async function allowMarkInserts(fx: GatewayFixture): Promise<void> {
  const parsed = validatePolicy({
    version: 1,
    id: MARKS_POLICY_ID,
    name: "Durability test: inserts into marks",
    rules: [
      {
        id: "allow-mark-inserts",
        name: "Inserts into marks run at once",
        scope: { connections: [PG_CONNECTION] },
        match: { kinds: ["insert"], tables: ["marks"], tableAccess: "write" },
        action: { type: "allow" },
      },
    ],
  });
  if (!parsed.ok) throw new Error(`the marks policy is invalid: ${JSON.stringify(parsed.errors)}`);
  const defaults = await fx.store.policy.findMany({ select: { id: true, document: true } });
  for (const row of defaults) {
    if ((row.document as { id?: string } | null)?.id === DEFAULT_POLICY_ID) {
      await fx.store.policy.update({ where: { id: row.id }, data: { enabled: false } });
    }
  }
  const document = JSON.parse(JSON.stringify(parsed.policy)) as object;
  await fx.store.policy.create({
    data: {
      name: parsed.policy.name,
      priority: 30,
      document,
      revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id, comment: "durability test" } },
    },
  });
}

interface LoadResult {
  /** Tags whose insert was answered 200 by the gateway. */
  readonly answered: Set<string>;
  /** Tags sent (answered or not). */
  readonly sent: Set<string>;
  /** Status codes other than 200 seen before the kill. */
  readonly refusedBeforeKill: Map<number, number>;
}

/** CLIENTS concurrent loops inserting unique tags until `stop()` resolves or MAX_STATEMENTS were sent. */
function startLoad(gw: RunningGateway, token: string, runId: string) {
  const answered = new Set<string>();
  const sent = new Set<string>();
  const refusedBeforeKill = new Map<number, number>();
  let stopped = false;
  let counter = 0;
  let notify: (() => void) | undefined;
  const client = async (index: number) => {
    while (!stopped && counter < MAX_STATEMENTS) {
      const tag = `${runId}-${index}-${counter++}`;
      sent.add(tag);
      try {
        const answer = await query(gw.url, token, { connection: PG_CONNECTION, sql: `INSERT INTO marks(tag) VALUES ('${tag}')` });
        if (answer.status === 200) answered.add(tag);
        else if (!stopped) refusedBeforeKill.set(answer.status, (refusedBeforeKill.get(answer.status) ?? 0) + 1);
      } catch {
        // The gateway died under this request; the insert may or may not have reached the target.
        if (stopped) return;
      }
      notify?.();
    }
  };
  const clients = Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
  return {
    /** Resolves once `count` inserts were answered, or after `ms`. */
    answeredAtLeast(count: number, ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          notify = undefined;
          resolve();
        }
        notify = () => {
          if (answered.size >= count) done();
        };
        notify();
      });
    },
    async stop(): Promise<LoadResult> {
      stopped = true;
      await clients;
      return { answered, sent, refusedBeforeKill };
    },
  };
}

describe("durability: SIGKILL mid-load", () => {
  let fx: GatewayFixture;
  let gw: RunningGateway | undefined;

  beforeAll(async () => {
    fx = await createGatewayFixture("durability");
    await targetQuery(fx, PG_CONNECTION, "CREATE TABLE marks (id bigserial PRIMARY KEY, tag text NOT NULL UNIQUE, at timestamptz NOT NULL DEFAULT now())");
    await allowMarkInserts(fx);
  });

  afterAll(async () => {
    if (gw) await crash(gw).catch(() => undefined);
    await fx?.cleanup();
  });

  it(
    "loses no statement event of a statement that reached the target; the chains verify; a new process serves again",
    async () => {
      gw = await startGateway(fx, { AIRLOCK_LOG_LEVEL: "warn" });
      const runId = `m${randomBytes(4).toString("hex")}`;

      // The policy lets the insert through (not 202): otherwise the load below would only create approvals.
      const probe = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: `INSERT INTO marks(tag) VALUES ('${runId}-probe')` });
      expect(probe.status, probe.text).toBe(200);

      const load = startLoad(gw, fx.tokens.valid, runId);
      await load.answeredAtLeast(KILL_AFTER_ANSWERS, KILL_AFTER_MS);
      const { pid } = await crash(gw);
      expect(alive(pid), "the gateway process is gone").toBe(false);
      const { answered, sent, refusedBeforeKill } = await load.stop();
      gw = undefined;

      expect(answered.size, "the load got answers before the kill").toBeGreaterThan(0);
      expect(Object.fromEntries(refusedBeforeKill), "no insert was refused before the kill").toEqual({});

      // Every row the target holds came from a statement the gateway had recorded before running it.
      const rows = await targetQuery<{ tag: string }>(fx, PG_CONNECTION, "SELECT tag FROM marks WHERE tag LIKE $1", [`${runId}-%`]);
      const inTarget = new Set(rows.map((row) => row.tag));
      const statements = await fx.store.sessionEvent.findMany({ where: { type: "statement", sqlText: { contains: runId } }, select: { sqlText: true } });
      const tagPattern = new RegExp(`'(${runId}-[0-9a-z-]+)'`);
      const recorded = new Set(statements.map((event) => tagPattern.exec(event.sqlText ?? "")?.[1]).filter((tag): tag is string => tag !== undefined));

      const unrecorded = [...inTarget].filter((tag) => !recorded.has(tag));
      expect(unrecorded, "rows in the target without a recorded statement event").toEqual([]);
      // Answered inserts are in the target (sanity: the answers were not lies), and nothing unsent is there.
      expect([...answered].filter((tag) => !inTarget.has(tag))).toEqual([]);
      expect([...inTarget].filter((tag) => tag !== `${runId}-probe` && !sent.has(tag))).toEqual([]);
      // Statements in flight at the kill: recorded, maybe run, maybe not — but never run unrecorded.
      const inFlight = [...recorded].filter((tag) => !answered.has(tag) && tag !== `${runId}-probe`);
      console.info(
        `durability: sent ${sent.size}, answered ${answered.size}, in the target ${inTarget.size}, statement events ${recorded.size}, ` +
          `recorded but unanswered at the kill ${inFlight.length} (of which reached the target ${inFlight.filter((tag) => inTarget.has(tag)).length})`,
      );

      const afterKill = await verifyChains(fx.store);
      expect(afterKill.broken, "hash chains after the kill").toEqual([]);
      expect(afterKill.events).toBeGreaterThanOrEqual(recorded.size);

      // A new process on the same store carries on (the HTTP session is reused, so its chain continues).
      gw = await startGateway(fx, { AIRLOCK_LOG_LEVEL: "warn" });
      const again = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: `INSERT INTO marks(tag) VALUES ('${runId}-after')` });
      expect(again.status, again.text).toBe(200);
      const read = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: "SELECT count(*)::int AS n FROM marks WHERE tag = $1", params: [`${runId}-after`] });
      expect(read.status, read.text).toBe(200);
      expect(read.body.rows).toEqual([[1]]);
      const recordedAfter = await fx.store.sessionEvent.count({ where: { type: "statement", sqlText: { contains: `${runId}-after` } } });
      expect(recordedAfter).toBe(1);

      const afterRestart = await verifyChains(fx.store);
      expect(afterRestart.broken, "hash chains after the restart").toEqual([]);
      expect(afterRestart.events).toBeGreaterThan(afterKill.events);

      const stopped = await gw.stop();
      gw = undefined;
      expect(stopped.code).toBe(0);
    },
    180_000,
  );
});
