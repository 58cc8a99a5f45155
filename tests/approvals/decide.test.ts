import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumeApproval } from "../../gateway/approvals";
import { approvalBinding } from "../../lib/approvals/binding";
import { decideApproval, type DecideResult } from "../../lib/approvals/decide";
import { expireApprovals, listPendingApprovals } from "../../lib/approvals/pending";
import type { Store } from "../../lib/store/client";
import { HOUR, PARAMS, SQL, makeConnection, makeRequest, makeUser, makeWorld, migratedScratch, unique, type ApprovalTestDb, type World } from "./fixtures";

let t: ApprovalTestDb | undefined;
let store: Store;
let world: World;

beforeAll(async () => {
  t = await migratedScratch("approvals_decide");
  store = t.store;
  world = await makeWorld(store);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const failure = (result: DecideResult) => (result.ok ? "ok" : result.code);

const bindingOfWorld = () => approvalBinding({ sql: SQL, params: PARAMS, connectionId: world.connection.id, agentId: world.agent.id });

describe("decideApproval", () => {
  it("approves with one approval, audits it, and the approval can be consumed", async () => {
    const request = await makeRequest(store, world);
    expect(request.status).toBe("pending");
    const reviewer = await makeUser(store);
    const result = await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve" });
    expect(result).toEqual({ ok: true, request: { id: request.id, status: "approved", approvals: 1, minApprovals: 1 } });

    const row = await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row.status).toBe("approved");
    expect(row.decidedAt).toBeInstanceOf(Date);
    const audit = await store.auditLog.findMany({ where: { targetType: "approval", targetId: request.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "approval.approve", actorId: reviewer.id });

    expect(await consumeApproval(store, { requestId: request.id, binding: bindingOfWorld(), now: new Date() })).toEqual({ ok: true });
  });

  it("needs two different approvers when minApprovals is 2", async () => {
    const request = await makeRequest(store, world, { minApprovals: 2 });
    const [first, second] = [await makeUser(store), await makeUser(store)];
    const one = await decideApproval(store, { requestId: request.id, userId: first.id, verdict: "approve" });
    expect(one).toEqual({ ok: true, request: { id: request.id, status: "pending", approvals: 1, minApprovals: 2 } });
    // Still pending: it cannot be consumed yet.
    expect(await consumeApproval(store, { requestId: request.id, binding: bindingOfWorld(), now: new Date() })).toEqual({ ok: false, code: "not_approved" });
    expect(failure(await decideApproval(store, { requestId: request.id, userId: first.id, verdict: "approve" }))).toBe("already_decided");

    const two = await decideApproval(store, { requestId: request.id, userId: second.id, verdict: "approve", reason: "checked with the team" });
    expect(two).toEqual({ ok: true, request: { id: request.id, status: "approved", approvals: 2, minApprovals: 2 } });
    const votes = await store.approvalDecision.findMany({ where: { requestId: request.id }, orderBy: { createdAt: "asc" } });
    expect(votes.map((vote) => [vote.userId, vote.verdict])).toEqual([
      [first.id, "approve"],
      [second.id, "approve"],
    ]);
    expect(votes[1].reason).toBe("checked with the team");
    const third = await makeUser(store);
    expect(failure(await decideApproval(store, { requestId: request.id, userId: third.id, verdict: "approve" }))).toBe("not_pending");
  });

  it("a rejection needs a reason, flips the request at once, and consume reports the reason", async () => {
    const request = await makeRequest(store, world, { minApprovals: 2 });
    const [approver, rejecter] = [await makeUser(store), await makeUser(store)];
    await decideApproval(store, { requestId: request.id, userId: approver.id, verdict: "approve" });

    expect(failure(await decideApproval(store, { requestId: request.id, userId: rejecter.id, verdict: "reject" }))).toBe("reason_required");
    expect(failure(await decideApproval(store, { requestId: request.id, userId: rejecter.id, verdict: "reject", reason: "   " }))).toBe("reason_required");
    const rejected = await decideApproval(store, { requestId: request.id, userId: rejecter.id, verdict: "reject", reason: "  touches every order  " });
    expect(rejected).toEqual({ ok: true, request: { id: request.id, status: "rejected", approvals: 1, minApprovals: 2 } });

    expect(await consumeApproval(store, { requestId: request.id, binding: bindingOfWorld(), now: new Date() })).toEqual({
      ok: false,
      code: "rejected",
      reason: "touches every order",
    });
    const audit = await store.auditLog.findFirstOrThrow({ where: { targetId: request.id, action: "approval.reject" } });
    expect(audit.actorId).toBe(rejecter.id);
    const late = await makeUser(store);
    expect(failure(await decideApproval(store, { requestId: request.id, userId: late.id, verdict: "approve" }))).toBe("not_pending");
  });

  it("refuses the owner of the request's agent", async () => {
    const request = await makeRequest(store, world);
    const result = await decideApproval(store, { requestId: request.id, userId: world.owner.id, verdict: "approve" });
    expect(failure(result)).toBe("own_agent");
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("pending");
    expect(await store.approvalDecision.count({ where: { requestId: request.id } })).toBe(0);
  });

  it("refuses whoever created the agent, and the person whose identity-provider subject an agent carries", async () => {
    const creator = await makeUser(store, ["approver"]);
    const created = await store.agent.create({ data: { name: unique("agent"), createdById: creator.id } });
    const byCreator = await makeRequest(store, { ...world, agent: created });
    expect(failure(await decideApproval(store, { requestId: byCreator.id, userId: creator.id, verdict: "approve" }))).toBe("own_agent");

    const subject = unique("sub");
    const person = await store.user.create({ data: { email: `${unique("p")}@example.test`, name: "Person", roles: ["approver"], oidcSubject: subject } });
    const actingAs = await store.agent.create({ data: { name: `oidc:${subject}` } });
    const request = await makeRequest(store, { ...world, agent: actingAs });
    expect(failure(await decideApproval(store, { requestId: request.id, userId: person.id, verdict: "approve" }))).toBe("own_agent");
    // Rejecting is deciding too.
    expect(failure(await decideApproval(store, { requestId: request.id, userId: person.id, verdict: "reject", reason: "no" }))).toBe("own_agent");
    // Somebody else decides it.
    expect(failure(await decideApproval(store, { requestId: request.id, userId: (await makeUser(store, ["approver"])).id, verdict: "approve" }))).toBe("ok");
  });

  it("a request that names approver groups is decided only by their members (as of their last sign-in)", async () => {
    const request = await makeRequest(store, world, { approverGroups: ["dba"] });
    const outsider = await makeUser(store, ["approver"]);
    await store.user.update({ where: { id: outsider.id }, data: { groups: ["staff"] } });
    expect(failure(await decideApproval(store, { requestId: request.id, userId: outsider.id, verdict: "approve" }))).toBe("forbidden_group");
    const member = await makeUser(store, ["approver"]);
    await store.user.update({ where: { id: member.id }, data: { groups: ["staff", "dba"] } });
    expect(failure(await decideApproval(store, { requestId: request.id, userId: member.id, verdict: "approve" }))).toBe("ok");
  });

  it("a connection that names its approvers is decided by them only", async () => {
    const named = await makeUser(store, ["approver"]);
    const other = await makeUser(store, ["approver"]);
    const connection = await makeConnection(store);
    await store.connection.update({ where: { id: connection.id }, data: { approverIds: [named.id] } });
    const request = await makeRequest(store, { ...world, connection }, { minApprovals: 1 });
    expect(failure(await decideApproval(store, { requestId: request.id, userId: other.id, verdict: "approve" }))).toBe("not_connection_approver");
    expect(failure(await decideApproval(store, { requestId: request.id, userId: named.id, verdict: "approve" }))).toBe("ok");
  });

  it("two-person rule: distinct people, any rejection ends it, every vote audited with where it was cast", async () => {
    const request = await makeRequest(store, world, { minApprovals: 2 });
    const first = await makeUser(store, ["approver"]);
    const second = await makeUser(store, ["approver"]);
    const third = await makeUser(store, ["approver"]);
    const one = await decideApproval(store, { requestId: request.id, userId: first.id, verdict: "approve", via: "slack" });
    expect(one.ok && one.request).toMatchObject({ status: "pending", approvals: 1, minApprovals: 2 });
    // The same person again is not a second person.
    expect(failure(await decideApproval(store, { requestId: request.id, userId: first.id, verdict: "approve" }))).toBe("already_decided");
    const two = await decideApproval(store, { requestId: request.id, userId: second.id, verdict: "approve" });
    expect(two.ok && two.request.status).toBe("approved");
    expect(failure(await decideApproval(store, { requestId: request.id, userId: third.id, verdict: "approve" }))).toBe("not_pending");
    const votes = await store.approvalDecision.findMany({ where: { requestId: request.id }, orderBy: { createdAt: "asc" }, select: { userId: true, via: true } });
    expect(votes).toEqual([{ userId: first.id, via: "slack" }, { userId: second.id, via: "dashboard" }]);
    const audit = await store.auditLog.findMany({ where: { targetId: request.id }, orderBy: { at: "asc" }, select: { actorId: true, details: true } });
    expect(audit.map((entry) => [entry.actorId, (entry.details as { via: string }).via])).toEqual([[first.id, "slack"], [second.id, "dashboard"]]);

    const vetoed = await makeRequest(store, world, { minApprovals: 2 });
    await decideApproval(store, { requestId: vetoed.id, userId: first.id, verdict: "approve" });
    const veto = await decideApproval(store, { requestId: vetoed.id, userId: second.id, verdict: "reject", reason: "not during the freeze" });
    expect(veto.ok && veto.request.status).toBe("rejected");
  });

  it("follows approverRoles exactly: other roles, admin included, are refused", async () => {
    const request = await makeRequest(store, world, { approverRoles: ["approver"] });
    for (const roles of [["auditor"], ["policy_author"], ["admin"], []] as const) {
      const user = await makeUser(store, [...roles]);
      expect(failure(await decideApproval(store, { requestId: request.id, userId: user.id, verdict: "approve" }))).toBe("forbidden_role");
    }
    const adminsOnly = await makeRequest(store, world, { approverRoles: ["admin"] });
    const admin = await makeUser(store, ["admin"]);
    const approver = await makeUser(store, ["approver"]);
    expect(failure(await decideApproval(store, { requestId: adminsOnly.id, userId: approver.id, verdict: "approve" }))).toBe("forbidden_role");
    expect(failure(await decideApproval(store, { requestId: adminsOnly.id, userId: admin.id, verdict: "approve" }))).toBe("ok");
    expect(await store.approvalDecision.count({ where: { requestId: request.id } })).toBe(0);
  });

  it("a role the policy names that cannot decide approvals (auditor) decides nothing, on any door", async () => {
    const request = await makeRequest(store, world, { approverRoles: ["auditor", "approver"] });
    const auditor = await makeUser(store, ["auditor"]);
    for (const via of ["dashboard", "slack"] as const) {
      expect(failure(await decideApproval(store, { requestId: request.id, userId: auditor.id, verdict: "approve", via }))).toBe("forbidden_role");
    }
    const approver = await makeUser(store, ["approver"]);
    expect(failure(await decideApproval(store, { requestId: request.id, userId: approver.id, verdict: "approve" }))).toBe("ok");
  });

  it("refuses disabled and unknown users, and unknown requests", async () => {
    const request = await makeRequest(store, world);
    const disabled = await makeUser(store, ["approver", "admin"], { disabled: true });
    expect(failure(await decideApproval(store, { requestId: request.id, userId: disabled.id, verdict: "approve" }))).toBe("user_disabled");
    expect(failure(await decideApproval(store, { requestId: request.id, userId: "00000000-0000-4000-8000-000000000000", verdict: "approve" }))).toBe("user_disabled");
    expect(failure(await decideApproval(store, { requestId: request.id, userId: "not-a-uuid", verdict: "approve" }))).toBe("user_disabled");
    const reviewer = await makeUser(store);
    expect(failure(await decideApproval(store, { requestId: "00000000-0000-4000-8000-000000000000", userId: reviewer.id, verdict: "approve" }))).toBe("not_found");
    expect(failure(await decideApproval(store, { requestId: "nope", userId: reviewer.id, verdict: "approve" }))).toBe("not_found");
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("pending");
  });

  it("refuses a double vote, whatever the second verdict", async () => {
    const request = await makeRequest(store, world, { minApprovals: 3 });
    const reviewer = await makeUser(store);
    expect(failure(await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve" }))).toBe("ok");
    expect(failure(await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve" }))).toBe("already_decided");
    expect(failure(await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "reject", reason: "changed my mind" }))).toBe(
      "already_decided",
    );
    const row = await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row.status).toBe("pending");
    expect(await store.approvalDecision.count({ where: { requestId: request.id } })).toBe(1);
  });

  it("refuses an expired request and marks it expired", async () => {
    const request = await makeRequest(store, world);
    const reviewer = await makeUser(store);
    const later = new Date(Date.now() + 2 * HOUR);
    expect(failure(await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve", now: later }))).toBe("expired");
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("expired");
    expect(await store.approvalDecision.count({ where: { requestId: request.id } })).toBe(0);
    // Once marked, it stays refused even at an earlier clock.
    expect(failure(await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve" }))).toBe("expired");
  });

  it("ten racing approvers: exactly minApprovals votes win, the rest find it decided", async () => {
    const request = await makeRequest(store, world, { minApprovals: 3 });
    const reviewers = await Promise.all(Array.from({ length: 10 }, () => makeUser(store)));
    const results = await Promise.all(reviewers.map((user) => decideApproval(store, { requestId: request.id, userId: user.id, verdict: "approve" })));

    const wins = results.filter((result) => result.ok);
    expect(wins).toHaveLength(3);
    expect(results.filter((result) => !result.ok).map(failure)).toEqual(Array(7).fill("not_pending"));
    expect(wins.map((result) => (result.ok ? result.request.approvals : 0)).sort()).toEqual([1, 2, 3]);
    expect(wins.filter((result) => result.ok && result.request.status === "approved")).toHaveLength(1);

    const row = await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(row.status).toBe("approved");
    expect(await store.approvalDecision.count({ where: { requestId: request.id } })).toBe(3);
    expect(await store.auditLog.count({ where: { targetId: request.id } })).toBe(3);
  });

  it("racing approvers and rejecters leave one consistent outcome", async () => {
    for (let round = 0; round < 3; round++) {
      const request = await makeRequest(store, world, { minApprovals: 2 });
      const reviewers = await Promise.all(Array.from({ length: 10 }, () => makeUser(store)));
      const results = await Promise.all(
        reviewers.map((user, index) =>
          decideApproval(store, { requestId: request.id, userId: user.id, verdict: index % 2 === 0 ? "approve" : "reject", reason: "no" }),
        ),
      );
      const row = await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id }, include: { decisions: true } });
      const approvals = row.decisions.filter((vote) => vote.verdict === "approve").length;
      const rejections = row.decisions.filter((vote) => vote.verdict === "reject").length;
      expect(results.filter((result) => result.ok)).toHaveLength(row.decisions.length);
      expect(results.filter((result) => !result.ok).every((result) => failure(result) === "not_pending")).toBe(true);
      if (row.status === "approved") {
        expect([approvals, rejections]).toEqual([2, 0]);
      } else {
        expect(row.status).toBe("rejected");
        expect(rejections).toBe(1);
        expect(approvals).toBeLessThan(2);
      }
    }
  });
});

describe("listPendingApprovals and expireApprovals", () => {
  it("lists only live pending requests, then expiry marks the overdue ones", async () => {
    const soon = await makeRequest(store, world, { expiresAt: new Date(Date.now() + 60_000) });
    const late = await makeRequest(store, world, { expiresAt: new Date(Date.now() + 10 * HOUR), minApprovals: 2 });
    const reviewer = await makeUser(store);
    await decideApproval(store, { requestId: late.id, userId: reviewer.id, verdict: "approve" });

    const now = new Date(Date.now() + 5 * 60_000);
    const before = await listPendingApprovals(store, { now: new Date(), limit: 1000 });
    expect(before.map((item) => item.id)).toEqual(expect.arrayContaining([soon.id, late.id]));
    const listedLate = before.find((item) => item.id === late.id)!;
    expect(listedLate).toMatchObject({ approvals: 1, minApprovals: 2, sqlText: SQL, agent: { id: world.agent.id }, connection: { id: world.connection.id } });
    expect(listedLate.votes).toEqual([{ userId: reviewer.id, verdict: "approve" }]);

    const atNow = await listPendingApprovals(store, { now, limit: 1000 });
    expect(atNow.map((item) => item.id)).not.toContain(soon.id);
    expect(atNow.map((item) => item.id)).toContain(late.id);

    const expiredCount = await expireApprovals(store, now);
    expect(expiredCount).toBeGreaterThanOrEqual(1);
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: soon.id } })).status).toBe("expired");
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: late.id } })).status).toBe("pending");
    expect(await expireApprovals(store, now)).toBe(0);
  });
});
