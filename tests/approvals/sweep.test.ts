import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway } from "../../gateway/gateway";
import { decideApproval } from "../../lib/approvals/decide";
import { createLogger } from "../../lib/log";
import type { Store } from "../../lib/store/client";
import { HOUR, makeRequest, makeUser, makeWorld, migratedScratch, sleep, type ApprovalTestDb, type World } from "./fixtures";

// Every gateway marks, now and then, the requests that can no longer run as expired in the store: pending ones past
// their expiry, and approved ones the agent never collected in time. Decided, used and live requests are left alone.

let t: ApprovalTestDb | undefined;
let store: Store;
let world: World;
let gateway: Gateway | undefined;
const lines: string[] = [];

beforeAll(async () => {
  t = await migratedScratch("approvals_sweep");
  store = t.store;
  world = await makeWorld(store);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await t?.close();
});

describe("the gateway's approval sweep", () => {
  it("marks lapsed pending and approved-but-unused requests expired, and nothing else", async () => {
    const reviewer = await makeUser(store);
    const soon = new Date(Date.now() + 1_500);
    const lapsedPending = await makeRequest(store, world, { expiresAt: soon });
    const lapsedApproved = await makeRequest(store, world, { expiresAt: soon });
    expect((await decideApproval(store, { requestId: lapsedApproved.id, userId: reviewer.id, verdict: "approve" })).ok).toBe(true);
    const rejected = await makeRequest(store, world, { expiresAt: soon });
    expect((await decideApproval(store, { requestId: rejected.id, userId: reviewer.id, verdict: "reject", reason: "no" })).ok).toBe(true);
    const live = await makeRequest(store, world, { expiresAt: new Date(Date.now() + HOUR) });

    gateway = new Gateway({
      store,
      log: createLogger("gateway", "info", (line) => void lines.push(line)),
      masterKey: randomBytes(32),
      publicUrl: "http://localhost",
      listenUrl: t!.db.url,
      maxSqlBytes: 1 << 20,
      approvalSweepMs: 200,
    });
    await gateway.start();
    const status = async (id: string) => (await store.approvalRequest.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;
    expect(await status(lapsedApproved.id)).toBe("approved"); // not before its time

    const deadline = Date.now() + 15_000;
    while ((await status(lapsedPending.id)) !== "expired" || (await status(lapsedApproved.id)) !== "expired") {
      if (Date.now() > deadline) throw new Error("the sweep did not mark the lapsed requests");
      await sleep(100);
    }
    expect(await status(rejected.id)).toBe("rejected");
    expect(await status(live.id)).toBe("pending");
    expect(lines.some((line) => line.includes('"event":"approvals.expired"'))).toBe(true);
  }, 60_000);
});
