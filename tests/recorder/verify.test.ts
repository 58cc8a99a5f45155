import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyChains, type VerifyProgress } from "../../lib/audit/verify";
import { Recorder } from "../../gateway/recorder";
import { withPostgres } from "../support/databases";
import { recorderDatabase, type RecorderDatabase } from "./fixtures";

// Tampering with a recording by hand, in SQL, is found and named (session, seq, reason); so is it by the CLI.

const root = path.resolve(import.meta.dirname, "..", "..");
const run = promisify(execFile);

let t: RecorderDatabase;
let recorder: Recorder;
let agentId: string;

beforeAll(async () => {
  t = await recorderDatabase("verify");
  agentId = await t.makeAgent();
  recorder = new Recorder(t.store);
}, 120_000);

afterAll(async () => {
  await recorder?.close();
  await t?.close();
});

/** A closed session of `events` events (connect, statements…, disconnect). */
async function recordedSession(events = 10): Promise<string> {
  const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "pgwire" });
  for (let i = 2; i < events; i++) {
    await recorder.record(sessionId, i % 2 ? "result" : "statement", { i, sample: [{ email: "j***@example.com" }] }, { sqlText: `SELECT ${i}`, decision: "allow" });
  }
  await recorder.closeSession(sessionId, "done");
  return sessionId;
}

const sql = (text: string, values: unknown[] = []) => withPostgres(t.db.url, (client) => client.query(text, values));

async function cli(args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: t.db.url };
  try {
    const { stdout, stderr } = await run(path.join(root, "node_modules", ".bin", "tsx"), ["launcher/audit-verify.ts", ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("verifyChains", () => {
  it("a clean store verifies, and the CLI exits 0", async () => {
    await recordedSession(12);
    await recordedSession(3);
    const report = await verifyChains(t.store);
    expect(report.broken).toEqual([]);
    expect(report.sessions).toBe(2);
    expect(report.events).toBe(15);

    const result = await cli();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2 sessions, 15 events checked .* every chain holds/);
  });

  it("walks in pages and reports progress", async () => {
    const sessionId = await recordedSession(25);
    const progress: VerifyProgress[] = [];
    const report = await verifyChains(t.store, { sessionId, pageSize: 4, onProgress: (p) => progress.push(p) });
    expect(report).toEqual({ sessions: 1, events: 25, broken: [] });
    expect(progress.length).toBeGreaterThanOrEqual(7);
    expect(progress.at(-1)).toEqual({ sessions: 1, events: 25, broken: 0 });
  });

  it("sees no break in sessions appended to while it walks them", async () => {
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "http" });
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await recorder.record(sessionId, "statement", { i });
    })();
    try {
      for (let round = 0; round < 5; round++) {
        const report = await verifyChains(t.store, { sessionId, pageSize: 3 });
        expect(report.broken).toEqual([]);
      }
    } finally {
      writing = false;
      await writer;
    }
    await recorder.closeSession(sessionId);
  });

  it("an UPDATE of a payload is a hash_mismatch at that seq", async () => {
    const sessionId = await recordedSession();
    await sql(`UPDATE "SessionEvent" SET payload = jsonb_set(payload, '{sample,0,email}', '"jane@example.com"') WHERE "sessionId" = $1 AND seq = 4`, [sessionId]);
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([{ sessionId, seq: 4, reason: "hash_mismatch" }]);
  });

  it("an UPDATE of the statement text, the type or the time is a hash_mismatch too", async () => {
    const sessionId = await recordedSession();
    await sql(`UPDATE "SessionEvent" SET "sqlText" = 'SELECT 42' WHERE "sessionId" = $1 AND seq = 6`, [sessionId]);
    await sql(`UPDATE "SessionEvent" SET at = at + interval '1 ms' WHERE "sessionId" = $1 AND seq = 8`, [sessionId]);
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([{ sessionId, seq: 6, reason: "hash_mismatch" }]);
  });

  it("a DELETE of an event is a seq_gap at the missing seq; of the last one, too", async () => {
    const middle = await recordedSession();
    await sql(`DELETE FROM "SessionEvent" WHERE "sessionId" = $1 AND seq = 5`, [middle]);
    expect((await verifyChains(t.store, { sessionId: middle })).broken).toEqual([{ sessionId: middle, seq: 5, reason: "seq_gap" }]);

    const last = await recordedSession();
    await sql(`DELETE FROM "SessionEvent" WHERE "sessionId" = $1 AND seq = 10`, [last]);
    expect((await verifyChains(t.store, { sessionId: last })).broken).toEqual([{ sessionId: last, seq: 10, reason: "seq_gap" }]);
  });

  it("a changed prevHash is a prev_mismatch at that seq", async () => {
    const sessionId = await recordedSession();
    await sql(`UPDATE "SessionEvent" SET "prevHash" = repeat('a', 64) WHERE "sessionId" = $1 AND seq = 3`, [sessionId]);
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([{ sessionId, seq: 3, reason: "prev_mismatch" }]);
  });

  it("an event rewritten with a recomputed hash breaks the link after it", async () => {
    const sessionId = await recordedSession();
    const { eventHash } = await import("../../lib/audit/chain");
    const row = await t.store.sessionEvent.findFirstOrThrow({ where: { sessionId, seq: 4 } });
    const payload = { forged: true };
    const hash = eventHash(row.prevHash, { sessionId, seq: 4, type: row.type, at: row.at.toISOString(), decision: row.decision, sqlText: row.sqlText, payload });
    await sql(`UPDATE "SessionEvent" SET payload = $2, hash = $3 WHERE id = $1`, [row.id.toString(), JSON.stringify(payload), hash]);
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([{ sessionId, seq: 5, reason: "prev_mismatch" }]);
  });

  it("a rewritten head, or an event appended behind the recorder's back, is a head_mismatch", async () => {
    const rewritten = await recordedSession();
    await sql(`UPDATE "AgentSession" SET "headHash" = repeat('b', 64) WHERE id = $1`, [rewritten]);
    expect((await verifyChains(t.store, { sessionId: rewritten })).broken).toEqual([{ sessionId: rewritten, seq: 10, reason: "head_mismatch" }]);

    const appended = await recordedSession();
    await sql(
      `INSERT INTO "SessionEvent" ("sessionId", seq, type, payload, "prevHash", hash)
       SELECT "sessionId", 11, 'statement', '{}', hash, repeat('c', 64) FROM "SessionEvent" WHERE "sessionId" = $1 AND seq = 10`,
      [appended],
    );
    expect((await verifyChains(t.store, { sessionId: appended })).broken).toEqual([{ sessionId: appended, seq: 11, reason: "hash_mismatch" }]);
  });

  it("names the first broken link of every broken session, and the CLI exits 1 naming them", async () => {
    const report = await verifyChains(t.store);
    const reasons = new Set(report.broken.map((b) => b.reason));
    expect(reasons).toEqual(new Set(["hash_mismatch", "seq_gap", "prev_mismatch", "head_mismatch"]));
    expect(report.broken).toHaveLength(new Set(report.broken.map((b) => b.sessionId)).size);

    const result = await cli();
    expect(result.code).toBe(1);
    for (const link of report.broken) expect(result.stdout).toContain(`BROKEN session ${link.sessionId} at seq ${link.seq}: ${link.reason}`);
    expect(result.stdout).toMatch(new RegExp(`${report.broken.length} broken chains`));

    const one = report.broken[0];
    const single = await cli(["--session", one.sessionId]);
    expect(single.code).toBe(1);
    expect(single.stdout).toContain(`BROKEN session ${one.sessionId} at seq ${one.seq}: ${one.reason}`);
  }, 60_000);

  it("the CLI checks one clean session with --session, and refuses a bad or unknown id with exit 2", async () => {
    const sessionId = await recordedSession(4);
    const clean = await cli(["--session", sessionId]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/1 sessions, 4 events checked .* every chain holds/);

    expect((await cli(["--session", "nope"])).code).toBe(2);
    const unknown = await cli(["--session", "00000000-0000-4000-8000-000000000000"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no session 00000000-0000-4000-8000-000000000000");
  }, 60_000);
});
