import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  channelSummaries,
  channelSummary,
  connectionChoices,
  DELIVERY_LOG_SIZE,
  deliveryCounts,
  deliveryLog,
  parseChannelFilter,
  publicUrl,
  slackInteractionsUrl,
} from "@/app/(console)/notifications/queries";
import { channelInputSchema, createChannel, deleteChannel } from "../../lib/notifications/channels";
import type { DeliveryStatus } from "../../lib/store/generated/client";
import { makeConnection, makeRequest, makeUser, makeWorld, migratedScratch, type ApprovalTestDb, type World } from "../approvals/fixtures";

// What the /notifications pages read, against a real store: channels with their delivery counts by status and the
// Slack Interactivity URL, never a secret; the delivery log newest first, capped, filtered by `?channel=` only when
// it names a channel; the connections the form offers.

const BASE = "https://airlock.example.test";
const BOT_TOKEN = "xoxb-page-test-bot-token-5c1e";
const SIGNING = "page-test-signing-secret-9d2f";
const HOOK_SECRET = "page-test-webhook-secret-7a3b";

let t: ApprovalTestDb;
let world: World;
let admin: { id: string };
const key = randomBytes(32);
const ids = { slack: "", webhook: "", quiet: "" };

async function channel(input: Record<string, unknown>): Promise<string> {
  const created = await createChannel(t.store, key, admin.id, channelInputSchema.parse(input));
  if (!created.ok) throw new Error(JSON.stringify(created));
  return created.id;
}

let clock = Date.parse("2030-01-01T00:00:00Z");
/** A delivery of a new request of the world on `channelId`, each one a second after the one before. */
async function delivery(channelId: string, status: DeliveryStatus, event = "requested", requestId?: string) {
  const request = requestId ?? (await makeRequest(t.store, world)).id;
  clock += 1000;
  return t.store.notificationDelivery.create({
    data: { channelId, requestId: request, event, status, attempts: status === "pending" ? 0 : 1, createdAt: new Date(clock), responseStatus: status === "failed" ? 500 : status === "delivered" ? 200 : null, lastError: status === "failed" ? "HTTP 500" : null },
    select: { id: true, requestId: true },
  });
}

beforeAll(async () => {
  t = await migratedScratch("notifications_page");
  admin = await makeUser(t.store, ["admin"]);
  world = await makeWorld(t.store);
  ids.slack = await channel({ name: "ops-slack", kind: "slack", target: "C0123456789", secret: BOT_TOKEN, signingSecret: SIGNING, ruleId: "big-deletes", escalation: true });
  ids.webhook = await channel({ name: "pager-hook", kind: "webhook", target: "https://hooks.example.com/airlock", secret: HOOK_SECRET, connectionId: world.connection.id });
  ids.quiet = await channel({ name: "quiet-hook", kind: "webhook", target: "https://quiet.example.com/x", secret: HOOK_SECRET, enabled: false });

  for (const status of ["delivered", "delivered", "failed", "pending"] as const) await delivery(ids.slack, status);
  for (const status of ["delivered", "failed", "failed"] as const) await delivery(ids.webhook, status);
}, 120_000);

afterAll(async () => t?.close());

describe("channelSummaries", () => {
  test("lists every channel by name with its settings and its deliveries counted by status", async () => {
    const channels = await channelSummaries(t.store, BASE);
    expect(channels.map((row) => row.name)).toEqual(["ops-slack", "pager-hook", "quiet-hook"]);
    const [slack, webhook, quiet] = channels;
    expect(slack).toMatchObject({ kind: "slack", target: "C0123456789", connection: null, ruleId: "big-deletes", escalation: true, enabled: true });
    expect(slack!.deliveries).toEqual({ delivered: 2, failed: 1, pending: 1 });
    expect(webhook).toMatchObject({ kind: "webhook", connection: { id: world.connection.id }, ruleId: null, escalation: false });
    expect(webhook!.deliveries).toEqual({ delivered: 1, failed: 2, pending: 0 });
    expect(quiet).toMatchObject({ enabled: false, deliveries: { delivered: 0, failed: 0, pending: 0 } });
  });

  test("gives Slack channels their Interactivity Request URL, webhooks none", async () => {
    const channels = await channelSummaries(t.store, `${BASE}/`);
    expect(channels.find((row) => row.id === ids.slack)!.interactionsUrl).toBe(`${BASE}/api/slack/${ids.slack}/interactions`);
    expect(channels.filter((row) => row.kind === "webhook").map((row) => row.interactionsUrl)).toEqual([null, null]);
  });

  test("never carries a secret, sealed or not", async () => {
    const text = JSON.stringify([await channelSummaries(t.store, BASE), await channelSummary(t.store, ids.slack, BASE), await deliveryLog(t.store, { kind: "all" })]);
    for (const secret of [BOT_TOKEN, SIGNING, HOOK_SECRET, "secretCiphertext", "signingSecretCiphertext"]) expect(text).not.toContain(secret);
  });
});

describe("channelSummary", () => {
  test("is one channel with only its own counts; null for an unknown id or one that is not a UUID", async () => {
    const webhook = await channelSummary(t.store, ids.webhook, BASE);
    expect(webhook).toMatchObject({ id: ids.webhook, name: "pager-hook", interactionsUrl: null, deliveries: { delivered: 1, failed: 2, pending: 0 } });
    await expect(channelSummary(t.store, "00000000-0000-4000-8000-000000000000", BASE)).resolves.toBeNull();
    await expect(channelSummary(t.store, "not-a-uuid' OR 1=1 --", BASE)).resolves.toBeNull();
  });

  test("deliveryCounts limited to some channels leaves the others out", async () => {
    const counts = await deliveryCounts(t.store, [ids.webhook]);
    expect([...counts.keys()]).toEqual([ids.webhook]);
  });
});

describe("the delivery log and its ?channel= filter", () => {
  test("no filter: every channel's deliveries, newest first, with the channel and the request", async () => {
    const channels = await channelSummaries(t.store, BASE);
    const filter = parseChannelFilter(undefined, channels);
    expect(filter).toEqual({ kind: "all" });
    const log = await deliveryLog(t.store, filter);
    expect(log).toHaveLength(7);
    expect(log.map((row) => row.createdAt.getTime())).toEqual([...log.map((row) => row.createdAt.getTime())].sort((a, b) => b - a));
    expect(log[0]).toMatchObject({ channel: { id: ids.webhook, name: "pager-hook", kind: "webhook" }, status: "failed", responseStatus: 500, lastError: "HTTP 500", request: { status: "pending" } });
    expect(parseChannelFilter("", channels)).toEqual({ kind: "all" });
  });

  test("a channel's id filters to its deliveries (also upper-cased, or the first of repeated values)", async () => {
    const channels = await channelSummaries(t.store, BASE);
    for (const value of [ids.slack, ids.slack.toUpperCase(), [ids.slack, ids.webhook]]) {
      const filter = parseChannelFilter(value, channels);
      expect(filter.kind === "channel" && filter.channel.id).toBe(ids.slack);
      const log = await deliveryLog(t.store, filter);
      expect(log.map((row) => row.status)).toEqual(["pending", "failed", "delivered", "delivered"]);
      expect(new Set(log.map((row) => row.channel.name))).toEqual(new Set(["ops-slack"]));
    }
    const quiet = parseChannelFilter(ids.quiet, channels);
    await expect(deliveryLog(t.store, quiet)).resolves.toEqual([]);
  });

  test("a value naming no channel is reported as unknown and filters nothing", async () => {
    const channels = await channelSummaries(t.store, BASE);
    for (const value of ["00000000-0000-4000-8000-000000000000", "ops-slack", "'; DROP TABLE x; --"]) {
      const filter = parseChannelFilter(value, channels);
      expect(filter).toEqual({ kind: "unknown" });
      await expect(deliveryLog(t.store, filter)).resolves.toHaveLength(7);
    }
  });

  test(`shows at most the newest ${DELIVERY_LOG_SIZE}`, async () => {
    const busy = await channel({ name: "busy-hook", kind: "webhook", target: "https://busy.example.com/x", secret: HOOK_SECRET });
    const requests = await Promise.all(Array.from({ length: 40 }, () => makeRequest(t.store, world)));
    const newest: string[] = [];
    for (const request of requests) {
      for (const event of ["requested", "reminder", "decided"]) newest.unshift((await delivery(busy, "delivered", event, request.id)).id);
    }
    const filter = parseChannelFilter(busy, await channelSummaries(t.store, BASE));
    const log = await deliveryLog(t.store, filter);
    expect(log).toHaveLength(DELIVERY_LOG_SIZE);
    expect(log.map((row) => row.id)).toEqual(newest.slice(0, DELIVERY_LOG_SIZE));
    expect((await channelSummary(t.store, busy, BASE))!.deliveries).toEqual({ delivered: 120, failed: 0, pending: 0 });

    // Deleting the channel deletes its log: its id then names nothing.
    expect((await deleteChannel(t.store, admin.id, busy)).ok).toBe(true);
    expect(parseChannelFilter(busy, await channelSummaries(t.store, BASE))).toEqual({ kind: "unknown" });
    expect((await deliveryCounts(t.store)).has(busy)).toBe(false);
  });
});

describe("the form's choices and the public URL", () => {
  test("offers every connection by name", async () => {
    const other = await makeConnection(t.store);
    const choices = await connectionChoices(t.store);
    expect(choices.map((row) => row.id).sort()).toEqual([world.connection.id, other.id].sort());
    expect(choices.map((row) => row.name)).toEqual([...choices.map((row) => row.name)].sort());
    expect(Object.keys(choices[0]!)).toEqual(["id", "name"]);
  });

  test("builds the Interactivity URL from AIRLOCK_PUBLIC_URL, or the local web port", () => {
    expect(publicUrl({ AIRLOCK_PUBLIC_URL: "https://airlock.corp.example/" })).toBe("https://airlock.corp.example");
    expect(publicUrl({ AIRLOCK_WEB_PORT: "8080" })).toBe("http://localhost:8080");
    expect(slackInteractionsUrl("https://airlock.corp.example/", "abc")).toBe("https://airlock.corp.example/api/slack/abc/interactions");
  });
});
