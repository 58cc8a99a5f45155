import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Notifier } from "../../gateway/notifications/notifier";
import { decideApproval } from "../../lib/approvals/decide";
import { createLogger } from "../../lib/log";
import { channelInputSchema, createChannel, listChannels, listDeliveries, updateChannel } from "../../lib/notifications/channels";
import { verifyWebhookSignature } from "../../lib/notifications/signature";
import type { Store } from "../../lib/store/client";
import { makeConnection, makeRequest, makeUser, makeWorld, migratedScratch, sleep, type ApprovalTestDb, type World } from "../approvals/fixtures";

// Webhook notices against a real local receiver: signed JSON that verifies, retries with backoff shown in the
// delivery log, channels limited to a connection or a rule, reminders only to escalation channels and only once,
// and the channel administration around them (audit without secrets, blank secrets kept).

interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly raw: string;
  readonly body: { event: string; request: Record<string, unknown> & { id: string }; deliveredAt: string };
  readonly at: number;
}

const received: Received[] = [];
/** path → how many more requests to answer 503. */
const failing = new Map<string, number>();
let receiver: http.Server;
let base = "";

let t: ApprovalTestDb | undefined;
let store: Store;
let notifier: Notifier | undefined;
let admin: { id: string };
const key = randomBytes(32);
const SECRET = "webhook-secret-0123456789";

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "";
      const raw = Buffer.concat(chunks).toString("utf8");
      received.push({ path, headers: request.headers, raw, body: JSON.parse(raw) as Received["body"], at: Date.now() });
      const left = failing.get(path) ?? 0;
      if (path === "/down" || left > 0) {
        failing.set(path, left - 1);
        response.writeHead(path === "/down" ? 500 : 503).end();
      } else {
        response.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await migratedScratch("notifications_webhooks");
  store = t.store;
  admin = await makeUser(store, ["admin"]);
  notifier = new Notifier({
    store,
    masterKey: key,
    publicUrl: "https://airlock.example.test",
    log: createLogger("gateway", "info", () => undefined),
    pollMs: 40,
    maxAttempts: 4,
    backoffMs: (attempt) => 100 * attempt,
    // Every test says when a request is announced; the catch-up has a test (and a notifier) of its own.
    catchUp: { everyMs: 60_000, windowMs: 0, graceMs: 0 },
  });
  notifier.start();
}, 120_000);

afterAll(async () => {
  await notifier?.close();
  await t?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function webhook(name: string, path: string, settings: { connectionId?: string; ruleId?: string; escalation?: boolean } = {}) {
  const input = channelInputSchema.parse({ name, kind: "webhook", target: `${base}${path}`, secret: SECRET, ...settings });
  const created = await createChannel(store, key, admin.id, input);
  if (!created.ok) throw new Error(JSON.stringify(created));
  return created.id;
}

const at = (path: string, requestId?: string) => received.filter((hit) => hit.path === path && (!requestId || hit.body.request.id === requestId));

describe("webhook notices", () => {
  let world: World;
  beforeAll(async () => {
    world = await makeWorld(store);
  });

  it("POSTs signed JSON that verifies, with event and delivery headers, then approval.decided", async () => {
    const channelId = await webhook("hooks-all", "/all", { connectionId: world.connection.id });
    const request = await makeRequest(store, world);
    await store.approvalRequest.update({
      where: { id: request.id },
      data: { reason: "ticket OPS-1", preview: { status: "explained", engine: "postgres", flags: [{ code: "sequence", detail: "uses nextval" }], durationMs: 1 } },
    });
    notifier!.requested(request.id);
    const hit = await waitFor("the notice", () => at("/all", request.id)[0]);
    expect(verifyWebhookSignature({ secret: SECRET, header: hit.headers["x-airlock-signature"] as string, body: hit.raw, nowSec: Math.floor(Date.now() / 1000) })).toEqual({ ok: true });
    expect(verifyWebhookSignature({ secret: "another-secret-000000", header: hit.headers["x-airlock-signature"] as string, body: hit.raw, nowSec: Math.floor(Date.now() / 1000) })).toMatchObject({ ok: false });
    const delivery = await store.notificationDelivery.findFirstOrThrow({ where: { channelId, requestId: request.id } });
    expect(hit.headers["x-airlock-event"]).toBe("approval.requested");
    expect(hit.headers["x-airlock-delivery"]).toBe(delivery.id);
    expect(hit.headers["content-type"]).toContain("application/json");
    expect(hit.body.event).toBe("approval.requested");
    expect(hit.body.request).toMatchObject({
      id: request.id,
      status: "pending",
      statement: "DELETE FROM orders WHERE id = $1",
      reason: "ticket OPS-1",
      preview: "not run: uses nextval (sequence)",
      url: `https://airlock.example.test/approvals/${request.id}`,
      connection: { id: world.connection.id },
    });
    expect(hit.raw).not.toContain("sealedParams");

    const reviewer = await makeUser(store, ["approver"]);
    expect((await decideApproval(store, { requestId: request.id, userId: reviewer.id, verdict: "approve", reason: "fine" })).ok).toBe(true);
    const decided = await waitFor("approval.decided", () => at("/all", request.id).find((one) => one.body.event === "approval.decided"));
    expect(decided.headers["x-airlock-event"]).toBe("approval.decided");
    expect(decided.body.request).toMatchObject({ status: "approved", votes: [expect.objectContaining({ verdict: "approve", reason: "fine", via: "dashboard" })] });
    await store.notificationChannel.update({ where: { id: channelId }, data: { enabled: false } });
  });

  it("retries a failing receiver with backoff until it answers, and the delivery log shows the attempts", async () => {
    const other = await makeWorld(store);
    const channelId = await webhook("hooks-flaky", "/flaky", { connectionId: other.connection.id });
    failing.set("/flaky", 2);
    const request = await makeRequest(store, other);
    notifier!.requested(request.id);
    const row = await waitFor("delivered", async () => (await listDeliveries(store, { channelId })).find((one) => one.status === "delivered"));
    expect(row).toMatchObject({ event: "requested", attempts: 3, responseStatus: 204, lastError: null, request: { id: request.id } });
    const hits = at("/flaky", request.id);
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((hit) => hit.headers["x-airlock-delivery"])).size).toBe(1);
    // Backoff 100 ms after the first failure, 200 ms after the second.
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(90);
    expect(hits[2]!.at - hits[1]!.at).toBeGreaterThanOrEqual(190);
  });

  it("gives up after maxAttempts and records the last error", async () => {
    const other = await makeWorld(store);
    const channelId = await webhook("hooks-down", "/down", { connectionId: other.connection.id });
    const request = await makeRequest(store, other);
    notifier!.requested(request.id);
    const row = await waitFor("failed", async () => (await listDeliveries(store, { channelId })).find((one) => one.status === "failed"));
    expect(row).toMatchObject({ attempts: 4, responseStatus: 500, lastError: "receiver answered HTTP 500" });
    expect(at("/down", request.id)).toHaveLength(4);
  });

  it("a channel limited to another connection or another rule gets nothing", async () => {
    const other = await makeWorld(store);
    const elsewhere = await makeConnection(store);
    await webhook("hooks-rule-match", "/rule-match", { connectionId: other.connection.id, ruleId: "orders-delete" });
    const otherRule = await webhook("hooks-rule-other", "/rule-other", { ruleId: "something-else" });
    const otherConnection = await webhook("hooks-conn-other", "/conn-other", { connectionId: elsewhere.id });
    const request = await makeRequest(store, other, { decision: { action: "require_approval", approval: { ruleIds: ["orders-delete"] }, reasons: [] } });
    notifier!.requested(request.id);
    await waitFor("the matching notice", () => at("/rule-match", request.id)[0]);
    await sleep(300);
    expect(at("/rule-other")).toEqual([]);
    expect(at("/conn-other")).toEqual([]);
    expect(await store.notificationDelivery.count({ where: { channelId: { in: [otherRule, otherConnection] } } })).toBe(0);
  });

  it("a request nobody enqueued (its process died first) is caught up and announced once", async () => {
    const other = await makeWorld(store);
    await webhook("hooks-catch-up", "/catch-up", { connectionId: other.connection.id });
    const request = await makeRequest(store, other);
    // No notifier.requested(): as if the gateway died right after creating the request.
    const catching = new Notifier({ store, masterKey: key, publicUrl: "https://airlock.example.test", log: createLogger("gateway", "info", () => undefined), pollMs: 40, catchUp: { everyMs: 50, windowMs: 60_000, graceMs: 0 } });
    catching.start();
    try {
      const hit = await waitFor("the caught-up notice", () => at("/catch-up", request.id)[0]);
      expect(hit.body.event).toBe("approval.requested");
      await sleep(300);
      expect(at("/catch-up", request.id)).toHaveLength(1);
    } finally {
      await catching.close();
    }
  });

  it("a reminder goes to the escalation channel only, once", async () => {
    const other = await makeWorld(store);
    await webhook("hooks-normal", "/normal", { connectionId: other.connection.id });
    const escalation = await webhook("hooks-escalation", "/escalation", { connectionId: other.connection.id, escalation: true });
    const request = await makeRequest(store, other);
    notifier!.requested(request.id);
    await waitFor("the normal notice", () => at("/normal", request.id)[0]);
    expect(at("/escalation", request.id)).toEqual([]);

    // Pending for two minutes with a one-minute reminder: due now.
    await store.approvalRequest.update({ where: { id: request.id }, data: { requestedAt: new Date(Date.now() - 120_000), remindAfterSeconds: 60 } });
    const reminder = await waitFor("the reminder", () => at("/escalation", request.id)[0]);
    expect(reminder.body.event).toBe("approval.reminder");
    expect(reminder.headers["x-airlock-event"]).toBe("approval.reminder");
    await sleep(400);
    expect(at("/escalation", request.id)).toHaveLength(1);
    expect(at("/normal", request.id).map((hit) => hit.body.event)).toEqual(["approval.requested"]);
    expect((await store.approvalRequest.findUniqueOrThrow({ where: { id: request.id } })).remindedAt).toBeInstanceOf(Date);
    expect(await store.notificationDelivery.count({ where: { channelId: escalation, requestId: request.id } })).toBe(1);
  });
});

describe("channel administration", () => {
  it("audits changes without secrets, lists no ciphertexts, and a blank secret keeps the stored one", async () => {
    const world = await makeWorld(store);
    const channelId = await webhook("hooks-admin", "/admin", { connectionId: world.connection.id });
    const [listed] = (await listChannels(store)).filter((one) => one.id === channelId);
    expect(Object.keys(listed!).sort()).toEqual(["connection", "createdAt", "enabled", "escalation", "id", "kind", "name", "ruleId", "target", "updatedAt"]);
    const renamed = channelInputSchema.parse({ id: channelId, name: "hooks-admin-2", kind: "webhook", target: `${base}/admin`, secret: "", connectionId: world.connection.id });
    expect(await updateChannel(store, key, admin.id, channelId, renamed)).toEqual({ ok: true, id: channelId });
    const audit = await store.auditLog.findMany({ where: { targetType: "notification_channel", targetId: channelId }, orderBy: { id: "asc" } });
    expect(audit.map((row) => row.action)).toEqual(["notification_channel.create", "notification_channel.update"]);
    expect(JSON.stringify(audit.map((row) => row.details))).not.toContain(SECRET);
    expect(audit[0]!.details).toMatchObject({ name: "hooks-admin", kind: "webhook", secret: "set" });

    const request = await makeRequest(store, world);
    notifier!.requested(request.id);
    const hit = await waitFor("the notice", () => at("/admin", request.id)[0]);
    expect(verifyWebhookSignature({ secret: SECRET, header: hit.headers["x-airlock-signature"] as string, body: hit.raw, nowSec: Math.floor(Date.now() / 1000) })).toEqual({ ok: true });
  });
});
