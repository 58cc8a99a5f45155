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

// Write-ahead recording under a crash, in both recording modes: the gateway records a statement (and its
// decision) BEFORE the target sees it — in its journal (journal mode) or in the store (strict mode) — so killing the
// process with SIGKILL in the middle of a load may lose answers, but never the statement event of a statement that
// reached the target. The load is killed at several moments, the gateway restarted each time on the same journal;
// afterwards every row in the target has its statement event, stored once, and the hash chains verify.

const CLIENTS = 16;
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

/** A kill moment: somewhere between a few and a few hundred answers into the load (fixed seed per round). */
function killAfter(round: number): number {
  return 20 + ((round * 7919 + 104_729) % 280);
}

const ROUNDS = 3;

describe.each(["journal", "strict"] as const)("durability (%s mode): SIGKILL mid-load, restarted, again and again", (mode) => {
  let fx: GatewayFixture;
  let gw: RunningGateway | undefined;
  const env = { AIRLOCK_LOG_LEVEL: "warn", AIRLOCK_RECORDING_MODE: mode };

  beforeAll(async () => {
    fx = await createGatewayFixture(`durability-${mode}`);
    await targetQuery(fx, PG_CONNECTION, "CREATE TABLE marks (id bigserial PRIMARY KEY, tag text NOT NULL UNIQUE, at timestamptz NOT NULL DEFAULT now())");
    await allowMarkInserts(fx);
  });

  afterAll(async () => {
    if (gw) await crash(gw).catch(() => undefined);
    await fx?.cleanup();
  });

  it(
    "loses no statement that reached the target, stores each once, and the chains verify",
    async () => {
      const runId = `m${randomBytes(4).toString("hex")}`;
      const answered = new Set<string>();
      const sent = new Set<string>();
      for (let round = 0; round < ROUNDS; round++) {
        // A new process on the same journal (journal mode ships what the killed one left before it serves).
        gw = await startGateway(fx, { env });
        if (round === 0) {
          // The policy lets the insert through (not 202): otherwise the load below would only create approvals.
          const probe = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: `INSERT INTO marks(tag) VALUES ('${runId}-probe')` });
          expect(probe.status, probe.text).toBe(200);
        }
        const load = startLoad(gw, fx.tokens.valid, `${runId}-r${round}`);
        await load.answeredAtLeast(killAfter(round), KILL_AFTER_MS);
        const { pid } = await crash(gw);
        expect(alive(pid), "the gateway process is gone").toBe(false);
        const result = await load.stop();
        gw = undefined;
        expect(result.answered.size, "the load got answers before the kill").toBeGreaterThan(0);
        expect(Object.fromEntries(result.refusedBeforeKill), "no insert was refused before the kill").toEqual({});
        for (const tag of result.answered) answered.add(tag);
        for (const tag of result.sent) sent.add(tag);
      }

      // The last restart ships the last kill's journal; then every recording is in the store.
      gw = await startGateway(fx, { env });
      await gw.recorded();

      // Every row the target holds came from a statement the gateway had recorded before running it.
      const rows = await targetQuery<{ tag: string }>(fx, PG_CONNECTION, "SELECT tag FROM marks WHERE tag LIKE $1", [`${runId}-%`]);
      const inTarget = new Set(rows.map((row) => row.tag));
      const statements = await fx.store.sessionEvent.findMany({ where: { type: "statement", sqlText: { contains: runId } }, select: { sqlText: true } });
      const tagPattern = new RegExp(`'(${runId}-[0-9a-z-]+)'`);
      const tags = statements.map((event) => tagPattern.exec(event.sqlText ?? "")?.[1]).filter((tag): tag is string => tag !== undefined);
      const recorded = new Set(tags);

      const unrecorded = [...inTarget].filter((tag) => !recorded.has(tag));
      expect(unrecorded, "rows in the target without a recorded statement event").toEqual([]);
      // Each statement is stored once, however often its record was shipped around the kills.
      expect(tags.length - recorded.size, "statement events stored twice").toBe(0);
      // Answered inserts are in the target (sanity: the answers were not lies), and nothing unsent is there.
      expect([...answered].filter((tag) => !inTarget.has(tag))).toEqual([]);
      expect([...inTarget].filter((tag) => tag !== `${runId}-probe` && !sent.has(tag))).toEqual([]);
      const inFlight = [...recorded].filter((tag) => !answered.has(tag) && tag !== `${runId}-probe`);
      console.info(
        `durability (${mode}): ${ROUNDS} kills; sent ${sent.size}, answered ${answered.size}, in the target ${inTarget.size}, statement events ${recorded.size}, ` +
          `recorded but unanswered at a kill ${inFlight.length} (of which reached the target ${inFlight.filter((tag) => inTarget.has(tag)).length})`,
      );

      const afterKills = await verifyChains(fx.store);
      expect(afterKills.broken, "hash chains after the kills").toEqual([]);
      expect(afterKills.events).toBeGreaterThanOrEqual(recorded.size);

      // The new process serves and records as before.
      const again = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: `INSERT INTO marks(tag) VALUES ('${runId}-after')` });
      expect(again.status, again.text).toBe(200);
      await gw.recorded();
      const recordedAfter = await fx.store.sessionEvent.count({ where: { type: "statement", sqlText: { contains: `${runId}-after` } } });
      expect(recordedAfter).toBe(1);
      expect((await verifyChains(fx.store)).broken, "hash chains after the restart").toEqual([]);

      const stopped = await gw.stop();
      gw = undefined;
      expect(stopped.code).toBe(0);
    },
    300_000,
  );
});
