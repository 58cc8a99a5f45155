import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApprovalWaiter, consumeApproval, type WaitStatus } from "../../gateway/approvals";
import { approvalBinding } from "../../lib/approvals/binding";
import { decideApproval } from "../../lib/approvals/decide";
import { expireApprovals } from "../../lib/approvals/pending";
import { createLogger } from "../../lib/log";
import { createStore, type Store } from "../../lib/store/client";
import { PARAMS, SQL, makeRequest, makeUser, makeWorld, migratedScratch, sleep, type ApprovalTestDb, type World } from "./fixtures";
import { withPostgres } from "../support/databases";

// The waiter runs on one store client; decisions are made through ANOTHER client, as the dashboard process
// would. With pollMs at a minute, only a NOTIFY (or the check the waiter makes when LISTEN comes up) can wake
// it within the test's bounded wait, so "approved" proves the notification path.

const NO_POLL = 60_000;
const WAIT = { timeoutMs: 20_000 };

let t: ApprovalTestDb | undefined;
let store: Store;
let other: Store;
let world: World;
let reviewer: { id: string };

beforeAll(async () => {
  t = await migratedScratch("approvals_waiter");
  store = t.store;
  other = createStore(t.db.url, { maxConnections: 4 });
  world = await makeWorld(store);
  reviewer = await makeUser(store);
}, 120_000);

afterAll(async () => {
  await other?.$disconnect();
  await t?.close();
});

/** Resolves "still waiting" when `promise` has not settled after a short while (the waiter's initial check). */
async function stillWaiting(promise: Promise<WaitStatus>): Promise<WaitStatus | "still waiting"> {
  return Promise.race([promise, sleep(300).then(() => "still waiting" as const)]);
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const approveFromOtherProcess = (requestId: string) => decideApproval(other, { requestId, userId: reviewer.id, verdict: "approve" });

describe("ApprovalWaiter with LISTEN", () => {
  it("wakes on a NOTIFY from a decision made by another client", async () => {
    const waiter = new ApprovalWaiter({ store, listenUrl: t!.db.url, pollMs: NO_POLL });
    try {
      const request = await makeRequest(store, world);
      const waiting = waiter.wait(request.id, WAIT);
      await until(() => waiter.listening, "LISTEN");
      expect(await stillWaiting(waiting)).toBe("still waiting");

      expect((await approveFromOtherProcess(request.id)).ok).toBe(true);
      expect(await waiting).toBe("approved");
      expect(waiter.watching).toBe(0);
    } finally {
      await waiter.close();
    }
  });

  it("many waiters share the connection; each wakes with its own outcome", async () => {
    const waiter = new ApprovalWaiter({ store, listenUrl: t!.db.url, pollMs: NO_POLL });
    try {
      const requests = await Promise.all(Array.from({ length: 8 }, () => makeRequest(store, world)));
      // Two waiters on the first request.
      const waits = [waiter.wait(requests[0].id, WAIT), ...requests.map((request) => waiter.wait(request.id, WAIT))];
      await until(() => waiter.listening, "LISTEN");
      expect(await stillWaiting(Promise.race(waits))).toBe("still waiting");
      expect(waiter.watching).toBe(8);

      await Promise.all(
        requests.map((request, index) =>
          index % 2 === 0
            ? approveFromOtherProcess(request.id)
            : decideApproval(other, { requestId: request.id, userId: reviewer.id, verdict: "reject", reason: "not today" }),
        ),
      );
      expect(await Promise.all(waits)).toEqual(["approved", ...requests.map((_, index) => (index % 2 === 0 ? "approved" : "rejected"))]);
      expect(waiter.watching).toBe(0);
    } finally {
      await waiter.close();
    }
  });

  it("reconnects when its LISTEN connection is killed, and still wakes on NOTIFY", async () => {
    const warnings: string[] = [];
    const logger = createLogger("test", "warn", (line) => warnings.push(line));
    const waiter = new ApprovalWaiter({ store, listenUrl: t!.db.url, pollMs: NO_POLL, logger });
    try {
      const request = await makeRequest(store, world);
      const waiting = waiter.wait(request.id, WAIT);
      await until(() => waiter.listening, "LISTEN");

      const killed = await withPostgres(t!.db.url, async (client) => {
        const { rowCount } = await client.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'airlock-approval-waiter'`,
        );
        return rowCount;
      });
      expect(killed).toBe(1);
      await until(() => !waiter.listening, "the listener to notice");
      await until(() => waiter.listening, "LISTEN again");
      expect(warnings.join("")).toContain("approval_listen_lost");
      expect(await stillWaiting(waiting)).toBe("still waiting");

      expect((await approveFromOtherProcess(request.id)).ok).toBe(true);
      expect(await waiting).toBe("approved");
    } finally {
      await waiter.close();
    }
  });

  it("answers at once for a request already decided, consumed or expired", async () => {
    const waiter = new ApprovalWaiter({ store, listenUrl: t!.db.url, pollMs: NO_POLL });
    try {
      const approved = await makeRequest(store, world);
      await approveFromOtherProcess(approved.id);
      expect(await waiter.wait(approved.id, WAIT)).toBe("approved");

      const binding = approvalBinding({ sql: SQL, params: PARAMS, connectionId: world.connection.id, agentId: world.agent.id });
      expect(await consumeApproval(store, { requestId: approved.id, binding, now: new Date() })).toEqual({ ok: true });
      expect(await waiter.wait(approved.id, WAIT)).toBe("consumed");

      const overdue = await makeRequest(store, world, { expiresAt: new Date(Date.now() - 1000) });
      expect(await waiter.wait(overdue.id, WAIT)).toBe("expired");
      expect(await waiter.wait("00000000-0000-4000-8000-000000000000", WAIT)).toBe("expired");
    } finally {
      await waiter.close();
    }
  });

  it("wakes when expireApprovals marks the request, from another client", async () => {
    const waiter = new ApprovalWaiter({ store, listenUrl: t!.db.url, pollMs: NO_POLL });
    try {
      const request = await makeRequest(store, world, { expiresAt: new Date(Date.now() + 60 * 60_000) });
      const waiting = waiter.wait(request.id, WAIT);
      await until(() => waiter.listening, "LISTEN");
      expect(await stillWaiting(waiting)).toBe("still waiting");
      expect(await expireApprovals(other, new Date(Date.now() + 2 * 60 * 60_000))).toBeGreaterThanOrEqual(1);
      expect(await waiting).toBe("expired");
    } finally {
      await waiter.close();
    }
  });
});

describe("ApprovalWaiter polling", () => {
  it("without LISTEN, the poll loop picks up a decision", async () => {
    const waiter = new ApprovalWaiter({ store, pollMs: 200 });
    try {
      const request = await makeRequest(store, world);
      const waiting = waiter.wait(request.id, WAIT);
      expect(await stillWaiting(waiting)).toBe("still waiting");
      expect(waiter.listening).toBe(false);
      expect((await approveFromOtherProcess(request.id)).ok).toBe(true);
      expect(await waiting).toBe("approved");
    } finally {
      await waiter.close();
    }
  });

  it("wakes by itself when the request's expiry passes", async () => {
    const waiter = new ApprovalWaiter({ store, pollMs: NO_POLL });
    try {
      const request = await makeRequest(store, world, { expiresAt: new Date(Date.now() + 800) });
      expect(await waiter.wait(request.id, WAIT)).toBe("expired");
    } finally {
      await waiter.close();
    }
  });

  it("answers pending on timeout, on abort and on close, and the request stays pending", async () => {
    const waiter = new ApprovalWaiter({ store, pollMs: 200 });
    const request = await makeRequest(store, world);
    expect(await waiter.wait(request.id, { timeoutMs: 300 })).toBe("pending");

    const controller = new AbortController();
    const aborted = waiter.wait(request.id, { timeoutMs: 20_000, signal: controller.signal });
    controller.abort();
    expect(await aborted).toBe("pending");

    const closing = waiter.wait(request.id, WAIT);
    await waiter.close();
    expect(await closing).toBe("pending");
    expect(await waiter.wait(request.id, WAIT)).toBe("pending");
    expect(waiter.watching).toBe(0);
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("pending");
  });
});
