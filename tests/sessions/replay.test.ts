import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Recorder } from "../../gateway/recorder";
import { sessionExport, sessionReplay } from "../../lib/sessions/replay";
import { sessionCsv } from "../../lib/sessions/export";
import { withPostgres } from "../support/databases";
import { recorderDatabase, type RecorderDatabase } from "../recorder/fixtures";

// A session recorded through the real recorder reads back for the replay (events in order with their payloads,
// the approval trail, the chain verified) and for the exports (every event); tampering with one event's payload
// in SQL shows the chain broken at exactly that event.

let t: RecorderDatabase;
let recorder: Recorder;
let sessionId: string;
let approvalId: string;

beforeAll(async () => {
  t = await recorderDatabase("sessions_replay");
  const agentId = await t.makeAgent();
  recorder = new Recorder(t.store);
  const connection = await t.store.connection.create({
    data: { name: `shop-${randomUUID()}`, engine: "postgres", host: "127.0.0.1", port: 5432, database: "shop", username: "u", secretCiphertext: Buffer.from([0]) },
    select: { id: true },
  });
  const reviewer = await t.store.user.create({ data: { email: `r-${randomUUID()}@example.com`, name: "Rita Reviewer", roles: ["approver"] }, select: { id: true } });
  ({ sessionId } = await recorder.openSession({ agentId, connectionId: connection.id, frontDoor: "http", clientAddr: "127.0.0.1" }));
  await recorder.record(sessionId, "statement", { statements: [{ kind: "select", tablesRead: ["customers"], tablesWritten: [], functions: [] }], params: [] }, { sqlText: "SELECT name, card_number FROM customers" });
  await recorder.record(sessionId, "decision", { action: "mask", matched: [{ policy: "shop-demo", rule: "mask-card-numbers", action: "mask" }], reasons: [], hints: [], masked: [{ column: "card_number", strategy: "card" }] }, { decision: "mask" });
  await recorder.record(sessionId, "result", { statements: [{ command: "SELECT", rowCount: 1, truncated: false, durationMs: 2, columns: ["name", "card_number"], maskedColumns: ["card_number"], sample: [["Ada", "**** **** **** 4242"]] }] });
  const request = await t.store.approvalRequest.create({
    data: { agentId, connectionId: connection.id, sessionId, sqlText: "UPDATE orders SET status = 'refunded' WHERE id = 1", bindingHash: "x", decision: {}, approverRoles: ["approver"], expiresAt: new Date(Date.now() + 60_000), status: "approved", decidedAt: new Date() },
    select: { id: true },
  });
  approvalId = request.id;
  await t.store.approvalDecision.create({ data: { requestId: approvalId, userId: reviewer.id, verdict: "approve", reason: "ok for the refund" } });
  await recorder.record(sessionId, "statement", { statements: [{ kind: "update", tablesRead: [], tablesWritten: ["orders"], functions: [] }], params: [] }, { sqlText: "UPDATE orders SET status = 'refunded' WHERE id = 1" });
  await recorder.record(sessionId, "decision", { action: "require_approval", matched: [], reasons: [], hints: [] }, { decision: "require_approval" });
  await recorder.record(sessionId, "approval_wait", { approvalId, expiresAt: new Date().toISOString() });
  await recorder.record(sessionId, "approval_outcome", { approvalId, status: "approved" }, { decision: "approved" });
  await recorder.closeSession(sessionId, "done");
}, 120_000);

afterAll(async () => {
  await recorder?.close();
  await t?.close();
});

describe("session replay", () => {
  it("reads every event in order with what the replay shows, the approval trail, and a verified chain", async () => {
    const replay = await sessionReplay(t.store, sessionId);
    expect(replay).not.toBeNull();
    const { session, events, approvals, chain, truncated } = replay!;
    expect(session).toMatchObject({ id: sessionId, frontDoor: "http", clientAddr: "127.0.0.1", eventCount: 9 });
    expect(session.connection).toMatch(/^shop-/);
    expect(events.map((event) => event.type)).toEqual(["connect", "statement", "decision", "result", "statement", "decision", "approval_wait", "approval_outcome", "disconnect"]);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events[3]!.detail).toMatchObject({ kind: "result", statements: [{ maskedColumns: ["card_number"], sample: [["Ada", "**** **** **** 4242"]] }] });
    expect(events[1]!.sql).toBe("SELECT name, card_number FROM customers");
    expect(events.every((event) => event.offsetMs >= 0)).toBe(true);
    expect(approvals[approvalId]).toMatchObject({ status: "approved", votes: [{ by: "Rita Reviewer", verdict: "approve", reason: "ok for the refund" }] });
    expect(chain).toEqual({ verified: true, events: 9 });
    expect(truncated).toBe(false);
  });

  it("shows at most the limit of events and says there are more", async () => {
    const replay = await sessionReplay(t.store, sessionId, 4);
    expect(replay!.events).toHaveLength(4);
    expect(replay!.truncated).toBe(true);
  });

  it("knows no session for a missing or malformed id", async () => {
    await expect(sessionReplay(t.store, randomUUID())).resolves.toBeNull();
    await expect(sessionReplay(t.store, "not-a-uuid")).resolves.toBeNull();
    await expect(sessionExport(t.store, "'; DROP TABLE x; --")).resolves.toBeNull();
  });

  it("exports every event as stored", async () => {
    const data = await sessionExport(t.store, sessionId);
    expect(data!.events).toHaveLength(9);
    expect(data!.approvals.map((approval) => approval.id)).toEqual([approvalId]);
    expect(sessionCsv(data!).trim().split("\r\n")).toHaveLength(10);
  });

  it("an event changed in the store shows the chain broken at that event", async () => {
    await withPostgres(t.db.url, (client) =>
      client.query(`UPDATE "SessionEvent" SET payload = jsonb_set(payload, '{statements,0,sample,0,1}', '"4242 4242 4242 4242"') WHERE "sessionId" = $1 AND seq = 4`, [sessionId]),
    );
    const replay = await sessionReplay(t.store, sessionId);
    expect(replay!.chain).toMatchObject({ verified: false, seq: 4, reason: "hash_mismatch" });
    const csv = sessionCsv((await sessionExport(t.store, sessionId))!);
    expect(csv).toContain("broken: hash_mismatch");
  });
});
