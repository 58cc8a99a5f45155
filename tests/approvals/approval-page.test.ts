import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { approvalDetail, deciderFacts, pendingApprovals } from "@/app/(console)/approvals/queries";
import type { WritePreview } from "@/lib/approvals/preview";
import { whyUserCannotDecide } from "@/components/approvals/why-cannot-decide";
import { decideApproval } from "../../lib/approvals/decide";
import type { Role } from "../../lib/store/generated/client";
import { makeAgent, makeConnection, makeRequest, makeUser, migratedScratch, unique, type ApprovalTestDb } from "./fixtures";

// What the approval page reads of a request (the agent's reason, the dry run, each vote and where it was cast, the
// connection's named approvers) against a real store, and that the page's "why you cannot decide" agrees with
// decideApproval for every kind of person the separation-of-duties rules name.

let t: ApprovalTestDb;
beforeAll(async () => {
  t = await migratedScratch("approval_page");
});
afterAll(async () => t?.close());

const preview: WritePreview = {
  status: "ran",
  engine: "postgres",
  flags: [],
  rowsAffected: 1,
  estimatedRows: 1,
  estimatedCost: 8.27,
  durationMs: 4,
  sample: { table: "orders", columns: ["id", "status"], before: [[42, "paid"]], after: [[42, "refunded"]], maskedColumns: [] },
};

describe("approvalDetail", () => {
  test("carries the reason, the dry run, the votes with where they were cast, and the named approvers", async () => {
    const [ada, bob] = [await makeUser(t.store, ["approver"]), await makeUser(t.store, ["approver"])];
    await t.store.user.update({ where: { id: ada.id }, data: { name: "Ada" } });
    const connection = await makeConnection(t.store);
    await t.store.connection.update({ where: { id: connection.id }, data: { approverIds: [ada.id, bob.id] } });
    const agent = await makeAgent(t.store);
    const request = await makeRequest(t.store, { owner: ada, agent, connection }, { reason: "refund order 42 (ticket #981)", preview, minApprovals: 2 });
    expect((await decideApproval(t.store, { requestId: request.id, userId: ada.id, verdict: "approve", reason: "checked", via: "slack" })).ok).toBe(true);
    expect((await decideApproval(t.store, { requestId: request.id, userId: bob.id, verdict: "approve" })).ok).toBe(true);

    const detail = (await approvalDetail(t.store, request.id, new Date()))!;
    expect(detail.view).toMatchObject({ reason: "refund order 42 (ticket #981)", approvals: 2, minApprovals: 2, status: "approved" });
    expect(detail.preview).toMatchObject({ status: "ran", rowsAffected: 1, estimatedCost: 8.27 });
    expect(detail.preview?.sample?.rows[0]?.after?.map((cell) => cell.change)).toEqual(["same", "changed"]);
    expect(detail.decisions.map((vote) => [vote.user.id, vote.verdict, vote.reason, vote.via])).toEqual([
      [ada.id, "approve", "checked", "slack"],
      [bob.id, "approve", "", "dashboard"],
    ]);
    expect(detail.connectionApproverIds).toEqual([ada.id, bob.id]);
    expect(detail.connectionApproverNames).toEqual(["Ada", "Reviewer"]);
    expect(detail.previewsOn).toBe(true);
  });

  test("a request without a reason or a dry run says so; the inbox carries the reason too", async () => {
    const connection = await makeConnection(t.store);
    await t.store.connection.update({ where: { id: connection.id }, data: { previewWrites: false } });
    const agent = await makeAgent(t.store);
    const plain = await makeRequest(t.store, { owner: { id: "" }, agent, connection });
    const detail = (await approvalDetail(t.store, plain.id, new Date()))!;
    expect(detail.view.reason).toBeNull();
    expect(detail.preview).toBeNull();
    expect(detail.previewsOn).toBe(false);

    const explained = await makeRequest(t.store, { owner: { id: "" }, agent, connection }, { reason: "schema fix", sql: "ALTER TABLE t ADD c int" });
    const inbox = await pendingApprovals(t.store, new Date());
    expect(inbox.find((view) => view.id === explained.id)?.reason).toBe("schema fix");
  });
});

describe("the page's reason for no buttons agrees with decideApproval", () => {
  async function person(roles: Role[], oidcSubject: string | null = null) {
    const user = await makeUser(t.store, roles);
    if (oidcSubject) await t.store.user.update({ where: { id: user.id }, data: { oidcSubject } });
    return user;
  }

  test.each([
    ["an unrelated approver", "none", true],
    ["the agent's owner", "owner", false],
    ["the agent's creator", "creator", false],
    ["the person the agent acts as", "identity", false],
    ["someone outside the connection's approvers", "outside", false],
    ["one of the connection's approvers", "named", true],
    ["someone without one of the request's approver roles", "auditor", false],
    ["someone outside the request's approver groups", "outside-group", false],
    ["someone in one of the request's approver groups", "in-group", true],
  ] as const)("%s", async (_label, tie, allowed) => {
    const subject = unique("idp|someone");
    const viewer = await person(tie === "auditor" ? ["auditor", "approver"] : ["approver"], subject);
    const other = await person(["approver"]);
    const agent = await t.store.agent.create({
      data: {
        name: tie === "identity" ? `oidc:${subject}` : unique("agent"),
        ownerId: tie === "owner" ? viewer.id : other.id,
        createdById: tie === "creator" ? viewer.id : other.id,
      },
    });
    const connection = await makeConnection(t.store);
    if (tie === "outside" || tie === "named") {
      await t.store.connection.update({ where: { id: connection.id }, data: { approverIds: tie === "named" ? [other.id, viewer.id] : [other.id] } });
    }
    if (tie === "in-group" || tie === "outside-group") await t.store.user.update({ where: { id: viewer.id }, data: { groups: tie === "in-group" ? ["staff", "dba"] : ["staff"] } });
    const approverGroups = tie === "in-group" || tie === "outside-group" ? ["dba", "payments-leads"] : [];
    const request = await makeRequest(t.store, { owner: other, agent, connection }, { approverRoles: tie === "auditor" ? ["admin"] : ["approver"], approverGroups });

    const detail = (await approvalDetail(t.store, request.id, new Date()))!;
    const blocker = whyUserCannotDecide(
      { ...detail.view, approverGroups: detail.approverGroups, agent: detail.agent, connectionApproverIds: detail.connectionApproverIds, connectionApproverNames: detail.connectionApproverNames, votes: detail.decisions },
      { id: viewer.id, roles: tie === "auditor" ? ["auditor", "approver"] : ["approver"], ...(await deciderFacts(t.store, viewer.id)) },
    );
    const result = await decideApproval(t.store, { requestId: request.id, userId: viewer.id, verdict: "approve" });
    expect(blocker === null, blocker ?? "no blocker").toBe(allowed);
    expect(result.ok).toBe(allowed);
  });
});
