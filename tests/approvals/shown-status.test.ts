import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvalHistory, shownStatus } from "@/app/(console)/approvals/queries";
import { consumeApproval } from "../../gateway/approvals";
import { approvalBinding } from "../../lib/approvals/binding";
import { decideApproval } from "../../lib/approvals/decide";
import type { Store } from "../../lib/store/client";
import { HOUR, PARAMS, SQL, makeRequest, makeUser, makeWorld, migratedScratch, type ApprovalTestDb, type World } from "./fixtures";

// What the approvals pages show of a request's status: past its expiry, a request that was never run reads as
// expired, also when it was approved and the agent never collected it (it can no longer run).

let t: ApprovalTestDb | undefined;
let store: Store;
let world: World;
let reviewer: { id: string };

beforeAll(async () => {
  t = await migratedScratch("approvals_shown");
  store = t.store;
  world = await makeWorld(store);
  reviewer = await makeUser(store);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

async function approved(expiresInMs: number) {
  const request = await makeRequest(store, world, { expiresAt: new Date(Date.now() + expiresInMs) });
  expect((await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve" })).ok).toBe(true);
  return request;
}

describe("the status the approvals pages show", () => {
  it("an approved request never run reads as expired once its time is up, and cannot be run then", async () => {
    const request = await approved(HOUR);
    const later = new Date(Date.now() + 2 * HOUR);
    expect(shownStatus({ status: "approved", expiresAt: request.expiresAt }, new Date())).toBe("approved");
    expect(shownStatus({ status: "approved", expiresAt: request.expiresAt }, later)).toBe("expired");

    const history = await approvalHistory(store, later, null);
    const row = history.rows.find((entry) => entry.view.id === request.id);
    expect(row?.view.status).toBe("expired");
    expect(row?.deciders.map((decider) => decider.verdict)).toEqual(["approve"]); // who approved it is still shown

    const binding = approvalBinding({ sql: SQL, params: PARAMS, connectionId: world.connection.id, agentId: world.agent.id });
    expect(await consumeApproval(store, { requestId: request.id, binding, now: later })).toEqual({ ok: false, code: "expired" });
  });

  it("a request that ran stays consumed, and one rejected stays rejected, past their expiry", async () => {
    const ran = await approved(HOUR);
    const binding = approvalBinding({ sql: SQL, params: PARAMS, connectionId: world.connection.id, agentId: world.agent.id });
    expect(await consumeApproval(store, { requestId: ran.id, binding, now: new Date() })).toEqual({ ok: true });
    const refused = await makeRequest(store, world);
    expect((await decideApproval(store, { requestId: refused.id, userId: reviewer.id, verdict: "reject", reason: "no" })).ok).toBe(true);

    const later = new Date(Date.now() + 2 * HOUR);
    const history = await approvalHistory(store, later, null);
    const status = (id: string) => history.rows.find((entry) => entry.view.id === id)?.view.status;
    expect(status(ran.id)).toBe("consumed");
    expect(status(refused.id)).toBe("rejected");
  });
});
