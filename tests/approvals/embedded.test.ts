import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApprovalWaiter, consumeApproval } from "../../gateway/approvals";
import { approvalBinding } from "../../lib/approvals/binding";
import { decideApproval } from "../../lib/approvals/decide";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../lib/embedded/pglite-server";
import { createStore, type Store } from "../../lib/store/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { PARAMS, SQL, makeRequest, makeUser, makeWorld, sleep } from "./fixtures";

// The embedded store (PGlite served on loopback) cannot be relied on for LISTEN/NOTIFY across connections,
// so the waiter runs without a listenUrl and polls. One happy path: pause, approve from another client, wake,
// consume once.

let dataDir: string;
let embedded: EmbeddedPostgres | undefined;
let store: Store;
let other: Store;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-approvals-"));
  embedded = await startEmbeddedPostgres({ dataDir, port: 0 });
  await deployMigrations(embedded.url);
  store = createStore(embedded.url, { maxConnections: 2 });
  other = createStore(embedded.url, { maxConnections: 2 });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled([store?.$disconnect(), other?.$disconnect()]);
  await embedded?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("approvals on the embedded store", () => {
  it("a polling waiter wakes after an approval made by another client, and the approval is spent once", async () => {
    const world = await makeWorld(store);
    const reviewer = await makeUser(store);
    const request = await makeRequest(store, world);
    const waiter = new ApprovalWaiter({ store, pollMs: 200 });
    try {
      const waiting = waiter.wait(request.id, { timeoutMs: 30_000 });
      expect(await Promise.race([waiting, sleep(300).then(() => "still waiting")])).toBe("still waiting");

      const decided = await decideApproval(other, { requestId: request.id, userId: reviewer.id, verdict: "approve" });
      expect(decided).toEqual({ ok: true, request: { id: request.id, status: "approved", approvals: 1, minApprovals: 1 } });
      expect(await waiting).toBe("approved");
    } finally {
      await waiter.close();
    }

    const binding = approvalBinding({ sql: SQL, params: PARAMS, connectionId: world.connection.id, agentId: world.agent.id });
    expect(await consumeApproval(store, { requestId: request.id, binding, now: new Date() })).toEqual({ ok: true });
    expect(await consumeApproval(store, { requestId: request.id, binding, now: new Date() })).toEqual({ ok: false, code: "already_used" });
  });
});
