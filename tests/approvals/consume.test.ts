import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeApproval, createApprovalRequest } from "../../gateway/approvals";
import { approvalBinding, type BindingInput } from "../../lib/approvals/binding";
import { decideApproval } from "../../lib/approvals/decide";
import type { Store } from "../../lib/store/client";
import { HOUR, PARAMS, SQL, makeAgent, makeConnection, makeRequest, makeUser, makeWorld, migratedScratch, type ApprovalTestDb, type World } from "./fixtures";

let t: ApprovalTestDb | undefined;
let store: Store;
let world: World;
let reviewer: { id: string };

beforeAll(async () => {
  t = await migratedScratch("approvals_consume");
  store = t.store;
  world = await makeWorld(store);
  reviewer = await makeUser(store);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const bindingFor = (overrides: Partial<BindingInput> = {}) =>
  approvalBinding({ sql: SQL, params: PARAMS, connectionId: world.connection.id, agentId: world.agent.id, ...overrides });

async function approvedRequest(overrides: Parameters<typeof makeRequest>[2] = {}) {
  const request = await makeRequest(store, world, overrides);
  const decided = await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve" });
  expect(decided.ok).toBe(true);
  return request;
}

describe("createApprovalRequest", () => {
  it("stores a pending request bound to statement, parameters, connection and agent", async () => {
    const created = await createApprovalRequest(store, {
      agentId: world.agent.id,
      connectionId: world.connection.id,
      sql: SQL,
      params: PARAMS,
      decision: { reasons: ["bulk delete"] },
      approverRoles: ["approver", "approver", "admin"],
      minApprovals: 2,
      expiresAt: new Date(Date.now() + HOUR),
    });
    expect(created).toMatchObject({ status: "pending", bindingHash: bindingFor() });
    const row = await store.approvalRequest.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ sqlText: SQL, approverRoles: ["approver", "admin"], minApprovals: 2, sessionId: null, decision: { reasons: ["bulk delete"] } });
  });

  it("refuses a request nobody could approve", async () => {
    await expect(makeRequest(store, world, { minApprovals: 0 })).rejects.toThrow(RangeError);
    await expect(makeRequest(store, world, { minApprovals: 1.5 })).rejects.toThrow(RangeError);
    await expect(makeRequest(store, world, { approverRoles: [] })).rejects.toThrow(RangeError);
  });
});

describe("consumeApproval", () => {
  it("is single use: the second consumption is already_used", async () => {
    const request = await approvedRequest();
    expect(await consumeApproval(store, { requestId: request.id, binding: bindingFor(), now: new Date() })).toEqual({ ok: true });
    const row = await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row.status).toBe("consumed");
    expect(row.consumedAt).toBeInstanceOf(Date);
    expect(await consumeApproval(store, { requestId: request.id, binding: bindingFor(), now: new Date() })).toEqual({ ok: false, code: "already_used" });
  });

  it("ten concurrent consumers: exactly one wins", async () => {
    const request = await approvedRequest();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => consumeApproval(store, { requestId: request.id, binding: bindingFor(), now: new Date() })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual(Array(9).fill({ ok: false, code: "already_used" }));
  });

  it("refuses an approval replayed for another statement, parameters, connection or agent", async () => {
    const request = await approvedRequest();
    const [otherAgent, otherConnection] = await Promise.all([makeAgent(store), makeConnection(store)]);
    const replays: Partial<BindingInput>[] = [
      { sql: "DELETE FROM orders WHERE id = $1 OR true" },
      { params: [43] },
      { params: ["42"] },
      { params: [42, 1] },
      { params: [] },
      { connectionId: otherConnection.id },
      { agentId: otherAgent.id },
    ];
    for (const replay of replays) {
      expect(await consumeApproval(store, { requestId: request.id, binding: bindingFor(replay), now: new Date() })).toEqual({
        ok: false,
        code: "binding_mismatch",
      });
    }
    // None of them spent it.
    expect(await consumeApproval(store, { requestId: request.id, binding: bindingFor(), now: new Date() })).toEqual({ ok: true });
    expect(await consumeApproval(store, { requestId: request.id, binding: bindingFor({ params: [43] }), now: new Date() })).toEqual({
      ok: false,
      code: "binding_mismatch",
    });
  });

  it("refuses an approval past its expiry, and a request that was never approved", async () => {
    const request = await approvedRequest();
    const later = new Date(Date.now() + 2 * HOUR);
    expect(await consumeApproval(store, { requestId: request.id, binding: bindingFor(), now: later })).toEqual({ ok: false, code: "expired" });
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("approved");

    const pending = await makeRequest(store, world);
    expect(await consumeApproval(store, { requestId: pending.id, binding: bindingFor(), now: new Date() })).toEqual({ ok: false, code: "not_approved" });
    expect(await consumeApproval(store, { requestId: pending.id, binding: bindingFor(), now: later })).toEqual({ ok: false, code: "expired" });

    const marked = await makeRequest(store, world);
    expect((await decideApproval(store, { requestId: marked.id, userId: reviewer.id, verdict: "approve", now: later })).ok).toBe(false);
    expect(await consumeApproval(store, { requestId: marked.id, binding: bindingFor(), now: new Date() })).toEqual({ ok: false, code: "expired" });
  });

  it("reports a missing request as not_found", async () => {
    expect(await consumeApproval(store, { requestId: "00000000-0000-4000-8000-000000000000", binding: bindingFor(), now: new Date() })).toEqual({
      ok: false,
      code: "not_found",
    });
    expect(await consumeApproval(store, { requestId: "x", binding: bindingFor(), now: new Date() })).toEqual({ ok: false, code: "not_found" });
  });
});
