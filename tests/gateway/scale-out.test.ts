import { spawn } from "node:child_process";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChains } from "../../lib/audit/verify";
import {
  approve,
  createGatewayFixture,
  getApproval,
  PG_CONNECTION,
  query,
  startGateway,
  targetQuery,
  type GatewayFixture,
  type RunningGateway,
} from "./support";

// Two gateway processes on one PostgreSQL store, as behind a load balancer: an approval is decided once and
// runs its statement once whichever process asks for it; a statement paused on one process can be resumed
// through the other; a revoked token stops on both within about a second; both processes append to the same
// hash-chained sessions without breaking them.

const root = path.resolve(import.meta.dirname, "..", "..");
const REVOCATION_DEADLINE_MS = 3_000;

/** The approval request created for this exact text, once the gateway has stored it. */
async function pendingApprovalFor(fx: GatewayFixture, sql: string, deadlineMs = 15_000): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = await fx.store.approvalRequest.findFirst({ where: { sqlText: sql, status: "pending" }, select: { id: true } });
    if (found) return found.id;
    if (Date.now() > deadline) throw new Error(`no pending approval for ${sql} within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runsOf(fx: GatewayFixture, tag: string): Promise<number> {
  const rows = await targetQuery<{ n: number }>(fx, PG_CONNECTION, "SELECT count(*)::int AS n FROM runs WHERE tag = $1", [tag]);
  return rows[0]!.n;
}

function auditVerify(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: "test" };
    for (const [key, value] of Object.entries(process.env)) {
      if (!key.startsWith("AIRLOCK_") && !key.startsWith("VITEST") && key !== "NODE_OPTIONS") env[key] = value;
    }
    env.DATABASE_URL = databaseUrl;
    const child = spawn(path.join(root, "node_modules", ".bin", "tsx"), ["launcher/audit-verify.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: string[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGTERM"), 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output: chunks.join("") });
    });
  });
}

describe("scale-out: two gateway processes on one store", () => {
  let fx: GatewayFixture;
  let a: RunningGateway | undefined;
  let b: RunningGateway | undefined;
  const runId = `r${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    fx = await createGatewayFixture("scaleout");
    // No unique constraint: a statement that ran twice would leave two rows.
    await targetQuery(fx, PG_CONNECTION, "CREATE TABLE runs (id bigserial PRIMARY KEY, tag text NOT NULL)");
    // Each process has a journal of its own (a journal directory is held by one process).
    const env = { AIRLOCK_LOG_LEVEL: "warn" };
    [a, b] = await Promise.all([startGateway(fx, { env, instance: "a" }), startGateway(fx, { env, instance: "b" })]);
  });

  afterAll(async () => {
    // SIGTERM is relayed by the tsx launcher to the gateway itself (SIGKILL would orphan it).
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await fx?.cleanup();
  });

  it("both serve the same agent", async () => {
    for (const gw of [a!, b!]) {
      const answer = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: "SELECT id, name FROM customers WHERE id = $1", params: [1] });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.rows).toEqual([[1, "Ada Lovelace"]]);
    }
  });

  it("a statement paused on A, approved once, completes on A and runs once; asking B for it afterwards is 409 approval_used", async () => {
    const tag = `${runId}-waited`;
    // Inserts need approval under the default policy.
    const sql = `INSERT INTO runs(tag) VALUES ('${tag}')`;
    const waiting = query(a!.url, fx.tokens.valid, { connection: PG_CONNECTION, sql, wait: 30 });
    const approvalId = await pendingApprovalFor(fx, sql);
    expect(await runsOf(fx, tag)).toBe(0);
    await approve(fx, approvalId);

    const answer = await waiting;
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.command).toBe("INSERT");
    expect(answer.body.rowCount).toBe(1);
    expect(await runsOf(fx, tag)).toBe(1);

    const onB = await getApproval(b!.url, fx.tokens.valid, approvalId, 0);
    expect(onB.status, onB.text).toBe(409);
    expect(onB.body.code).toBe("approval_used");
    const onA = await getApproval(a!.url, fx.tokens.valid, approvalId, 0);
    expect(onA.status, onA.text).toBe(409);
    expect(await runsOf(fx, tag)).toBe(1);
    const request = await fx.store.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } });
    expect(request.status).toBe("consumed");
  });

  it("a statement paused on A and polled through B runs on B once; A's later poll is 409", async () => {
    const tag = `${runId}-moved`;
    const sql = `INSERT INTO runs(tag) VALUES ('${tag}')`;
    const paused = await query(a!.url, fx.tokens.valid, { connection: PG_CONNECTION, sql });
    expect(paused.status, paused.text).toBe(202);
    const approvalId: string = paused.body.approval.id;
    expect(approvalId).toMatch(/^[0-9a-f-]{36}$/);

    // B waits first (its own LISTEN connection must hear the decision made by someone else), then it is approved.
    const polled = getApproval(b!.url, fx.tokens.valid, approvalId, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await runsOf(fx, tag)).toBe(0);
    await approve(fx, approvalId);

    const onB = await polled;
    expect(onB.status, onB.text).toBe(200);
    expect(onB.body.rowCount).toBe(1);
    expect(await runsOf(fx, tag)).toBe(1);

    const onA = await getApproval(a!.url, fx.tokens.valid, approvalId, 10);
    expect(onA.status, onA.text).toBe(409);
    expect(onA.body.code).toBe("approval_used");
    expect(await runsOf(fx, tag)).toBe(1);
  });

  it("the same approval raced on A and B runs once", async () => {
    const tag = `${runId}-raced`;
    const sql = `INSERT INTO runs(tag) VALUES ('${tag}')`;
    const paused = await query(b!.url, fx.tokens.valid, { connection: PG_CONNECTION, sql });
    expect(paused.status, paused.text).toBe(202);
    const approvalId: string = paused.body.approval.id;
    const polls = [a!, b!, a!, b!].map((gw) => getApproval(gw.url, fx.tokens.valid, approvalId, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await approve(fx, approvalId);
    const statuses = (await Promise.all(polls)).map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    expect(await runsOf(fx, tag)).toBe(1);
  });

  it("a revoked token stops on both processes within about a second", async () => {
    const { token, id } = await fx.issueToken();
    const select = { connection: PG_CONNECTION, sql: "SELECT id FROM customers WHERE id = $1", params: [2] };
    for (const gw of [a!, b!]) {
      const answer = await query(gw.url, token, select);
      expect(answer.status, answer.text).toBe(200);
    }

    await fx.store.agentToken.update({ where: { id }, data: { revokedAt: new Date() } });
    const revokedAt = Date.now();
    const refusedAfter: Record<string, number | null> = { a: null, b: null };
    const deadline = revokedAt + REVOCATION_DEADLINE_MS;
    while (Date.now() < deadline && (refusedAfter.a === null || refusedAfter.b === null)) {
      await Promise.all(
        (["a", "b"] as const).map(async (name) => {
          if (refusedAfter[name] !== null) return;
          const answer = await query((name === "a" ? a! : b!).url, token, select);
          if (answer.status === 401) {
            expect(answer.body.code).toBe("revoked_token");
            refusedAfter[name] = Date.now() - revokedAt;
          } else {
            expect(answer.status, answer.text).toBe(200);
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.info(`scale-out: revoked token refused after ${refusedAfter.a} ms on A, ${refusedAfter.b} ms on B`);
    expect(refusedAfter.a, "A refuses the revoked token").not.toBeNull();
    expect(refusedAfter.b, "B refuses the revoked token").not.toBeNull();
    // And it stays refused on both.
    for (const gw of [a!, b!]) expect((await query(gw.url, token, select)).status).toBe(401);
  });

  it("concurrent statements through both processes into the same sessions keep every chain whole", async () => {
    const headers = (i: number): Record<string, string> => (i % 3 === 0 ? { "x-airlock-session": `${runId}-shared` } : {});
    const sends = Array.from({ length: 48 }, (_, i) =>
      query((i % 2 === 0 ? a! : b!).url, fx.tokens.valid, { connection: PG_CONNECTION, sql: "SELECT id, name FROM customers WHERE id = $1", params: [(i % 5) + 1] }, headers(i)),
    );
    const answers = await Promise.all(sends);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    // Events from both processes landed in the shared sessions, once each process has shipped its journal.
    await Promise.all([a!.recorded(), b!.recorded()]);
    const sharedEvents = async () => {
      const sessions = await fx.store.agentSession.findMany({ where: { agentId: fx.agent.id }, select: { clientKey: true, eventCount: true } });
      return sessions.find((session) => session.clientKey?.startsWith(`${runId}-shared/`))?.eventCount ?? 0;
    };
    expect(await sharedEvents()).toBeGreaterThanOrEqual(1 + 16 * 2);
    const deadline = Date.now() + 5_000;
    while ((await sharedEvents()) < 1 + 16 * 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await sharedEvents()).toBeGreaterThanOrEqual(1 + 16 * 3);

    const report = await verifyChains(fx.store);
    expect(report.broken).toEqual([]);
    expect(report.sessions).toBeGreaterThanOrEqual(2);

    const cli = await auditVerify(fx.storeDb.url);
    expect(cli.code, cli.output).toBe(0);
    expect(cli.output).toMatch(/every chain holds/);
  });
});
