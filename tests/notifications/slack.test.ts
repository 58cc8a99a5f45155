import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Notifier } from "../../gateway/notifications/notifier";
import { decideApproval } from "../../lib/approvals/decide";
import { createLogger } from "../../lib/log";
import { channelInputSchema, createChannel } from "../../lib/notifications/channels";
import { handleSlackInteraction, rejectModal } from "../../lib/notifications/slack-interaction";
import type { Store } from "../../lib/store/client";
import { makeRequest, makeUser, makeWorld, migratedScratch, sleep, type ApprovalTestDb, type World } from "../approvals/fixtures";
import { FakeSlack, slackInteraction } from "../support/fake-slack";

// Approval requests on Slack, end to end against a real store and a fake Slack over HTTP: the message, votes by
// button (signature, staleness, replay, who the clicker is, separation of duties), the reject-reason form, the
// message rewritten once decided, and retries when Slack fails.

const TOKEN = "xoxb-test-token";
const SIGNING = "slack-signing-secret-0123";
const SLACK_CHANNEL = "C0123456789";

let t: ApprovalTestDb | undefined;
let store: Store;
let slack: FakeSlack;
let notifier: Notifier | undefined;
let world: World;
let channelId: string;
const key = randomBytes(32);
const lines: string[] = [];

beforeAll(async () => {
  t = await migratedScratch("notifications_slack");
  store = t.store;
  slack = await FakeSlack.start({ token: TOKEN });
  world = await makeWorld(store);
  const admin = await makeUser(store, ["admin"]);
  const input = channelInputSchema.parse({ name: "db-approvals", kind: "slack", target: SLACK_CHANNEL, secret: TOKEN, signingSecret: SIGNING });
  const created = await createChannel(store, key, admin.id, input);
  if (!created.ok) throw new Error(JSON.stringify(created));
  channelId = created.id;
  notifier = new Notifier({
    store,
    masterKey: key,
    publicUrl: "https://airlock.example.test",
    slackApiUrl: slack.url,
    log: createLogger("gateway", "debug", (line) => void lines.push(line)),
    pollMs: 50,
    backoffMs: () => 50,
    catchUp: { everyMs: 60_000, windowMs: 0, graceMs: 0 },
  });
  notifier.start();
}, 120_000);

afterAll(async () => {
  await notifier?.close();
  await slack?.close();
  await t?.close();
});

async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const PREVIEW = { status: "ran", engine: "postgres", flags: [], rowsAffected: 10, estimatedRows: 12, estimatedCost: 12.34, durationMs: 4 };

/** A pending request with a reason and a preview, announced, and its posted Slack message. */
async function announced(overrides: { minApprovals?: number } = {}) {
  const request = await makeRequest(store, world, overrides);
  await store.approvalRequest.update({ where: { id: request.id }, data: { reason: "clean up the test orders", preview: PREVIEW } });
  notifier!.requested(request.id);
  const post = await waitFor("the message", () => slack.callsTo("chat.postMessage", request.id).find((call) => call.answer.ok));
  // Marked delivered once Slack's answer is in, just after the fake saw the call.
  await waitFor("the delivery marked delivered", () => store.notificationDelivery.findFirst({ where: { requestId: request.id, event: "requested", status: "delivered" } }));
  return { request, post };
}

const click = (requestId: string, slackUser: string, action: "approve" | "reject" = "approve") => ({
  type: "block_actions",
  user: { id: slackUser, username: "someone" },
  trigger_id: `trigger-${randomBytes(4).toString("hex")}`,
  channel: { id: SLACK_CHANNEL },
  actions: [{ action_id: action, block_id: "airlock_decision", value: requestId, type: "button" }],
});

function interact(payload: unknown, options: { nowSec?: number; signature?: string; secret?: string } = {}) {
  const { rawBody, headers } = slackInteraction(options.secret ?? SIGNING, payload, options);
  return handleSlackInteraction(store, key, channelId, { rawBody, headers, now: new Date(), slackApiUrl: slack.url, publicUrl: "https://airlock.example.test" });
}

const votesOf = (requestId: string) => store.approvalDecision.findMany({ where: { requestId } });
const statusOf = async (requestId: string) => (await store.approvalRequest.findUniqueOrThrow({ where: { id: requestId }, select: { status: true } })).status;

describe("Slack approval messages", () => {
  it("posts a request with its statement, agent, reason, dry run and buttons carrying the request id", async () => {
    const { request, post } = await announced();
    expect(post.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post.body.channel).toBe(SLACK_CHANNEL);
    const blocks = post.body.blocks as { type: string; elements?: { action_id?: string; value?: string; style?: string }[] }[];
    const text = JSON.stringify(blocks);
    const agent = await store.agent.findUniqueOrThrow({ where: { id: world.agent.id } });
    expect(text).toContain("DELETE FROM orders WHERE id = $1");
    expect(text).toContain(agent.name);
    expect(text).toContain("clean up the test orders");
    expect(text).toContain("DELETE would change 10 rows (est. cost 12.3); rolled back");
    expect(text).toContain(`https://airlock.example.test/approvals/${request.id}`);
    const actions = blocks.find((block) => block.type === "actions")!;
    expect(actions.elements!.map((button) => [button.action_id, button.style, button.value])).toEqual([
      ["approve", "primary", request.id],
      ["reject", "danger", request.id],
    ]);
    const delivery = await store.notificationDelivery.findFirstOrThrow({ where: { requestId: request.id } });
    expect(delivery).toMatchObject({ channelId, event: "requested", status: "delivered", attempts: 1, responseStatus: 200 });
    const posted = [...slack.messages.values()].find((message) => JSON.stringify(message.blocks).includes(request.id))!;
    expect(delivery.externalRef).toBe(`${SLACK_CHANNEL}:${posted.ts}`);
  });

  it("an Approve click by a linked Slack user decides the request (via slack, audited) and the message loses its buttons", async () => {
    const { request } = await announced();
    const reviewer = await store.user.create({ data: { email: "ada@example.test", name: "Ada Reviewer", roles: ["approver"], slackUserId: "U0ADA" } });
    const result = await interact(click(request.id, "U0ADA"));
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ ok: true, status: "approved" });
    expect(await votesOf(request.id)).toEqual([expect.objectContaining({ userId: reviewer.id, verdict: "approve", via: "slack" })]);
    const audit = await store.auditLog.findFirstOrThrow({ where: { targetType: "approval", targetId: request.id } });
    expect(audit).toMatchObject({ action: "approval.approve", actorId: reviewer.id, details: expect.objectContaining({ via: "slack" }) });

    const update = await waitFor("chat.update", () => slack.callsTo("chat.update", request.id).find((call) => call.answer.ok));
    const ref = (await store.notificationDelivery.findFirstOrThrow({ where: { requestId: request.id, event: "requested" } })).externalRef!;
    expect(update.body).toMatchObject({ channel: SLACK_CHANNEL, ts: ref.split(":")[1] });
    const blocks = JSON.stringify(update.body.blocks);
    expect(blocks).not.toContain('"actions"');
    expect(blocks).toContain("Approved");
    expect(blocks).toContain("Ada Reviewer");
    // The delivery is marked once Slack's answer is in (just after the call the fake saw).
    await waitFor("the decided delivery marked delivered", () => store.notificationDelivery.findFirst({ where: { requestId: request.id, event: "decided", status: "delivered" } }));
  });

  it("posts the statement with the values the detectors know redacted (the approval page has the text)", async () => {
    const request = await makeRequest(store, world, { sql: "UPDATE customers SET note = 'refund' WHERE card = '4111 1111 1111 1111'", params: [] });
    notifier!.requested(request.id);
    const post = await waitFor("the message", () => slack.callsTo("chat.postMessage", request.id).find((call) => call.answer.ok));
    const text = JSON.stringify(post.body.blocks);
    expect(text).toContain("UPDATE customers SET note = 'refund' WHERE card =");
    expect(text).not.toContain("4111 1111 1111 1111");
  });

  it("posts a statement that sets a password with the password left out, in the message and the reject form", async () => {
    const request = await makeRequest(store, world, { sql: "ALTER ROLE reporting WITH LOGIN PASSWORD 'Sup3rS3cret!'", params: [] });
    notifier!.requested(request.id);
    const post = await waitFor("the message", () => slack.callsTo("chat.postMessage", request.id).find((call) => call.answer.ok));
    const text = JSON.stringify(post.body.blocks);
    expect(text).toContain("ALTER ROLE reporting WITH LOGIN PASSWORD '***'");
    expect(text).not.toContain("Sup3rS3cret");
    expect(JSON.stringify(rejectModal(request.id, "ALTER ROLE reporting WITH LOGIN PASSWORD 'Sup3rS3cret!'"))).not.toContain("Sup3rS3cret");
  });

  it("refuses a forged signature, a stale timestamp, another conversation and a replay, and decides nothing for them", async () => {
    const { request } = await announced({ minApprovals: 2 });
    await store.user.create({ data: { email: "bob@example.test", name: "Bob", roles: ["approver"], slackUserId: "U0BOB" } });
    const forged = await interact(click(request.id, "U0BOB"), { secret: "not-the-signing-secret" });
    expect(forged).toMatchObject({ status: 401, body: { code: "bad_signature" } });
    const stale = await interact(click(request.id, "U0BOB"), { nowSec: Math.floor(Date.now() / 1000) - 600 });
    expect(stale).toMatchObject({ status: 401, body: { code: "stale_request" } });
    const future = await interact(click(request.id, "U0BOB"), { nowSec: Math.floor(Date.now() / 1000) + 600 });
    expect(future).toMatchObject({ status: 401, body: { code: "stale_request" } });
    expect(await votesOf(request.id)).toEqual([]);
    // Signed by the app, but from another conversation (the app in another workspace, a copied message), or from none.
    expect(await interact({ ...click(request.id, "U0BOB"), channel: { id: "C0ELSEWHERE1" } })).toMatchObject({ status: 403, body: { code: "wrong_conversation" } });
    expect(await interact({ ...click(request.id, "U0BOB"), channel: undefined })).toMatchObject({ status: 403, body: { code: "wrong_conversation" } });
    expect(await votesOf(request.id)).toEqual([]);

    const { rawBody, headers } = slackInteraction(SIGNING, click(request.id, "U0BOB"));
    const first = await handleSlackInteraction(store, key, channelId, { rawBody, headers, now: new Date(), slackApiUrl: slack.url });
    expect(first).toMatchObject({ status: 200, body: { ok: true, status: "pending" } });
    const audits = await store.auditLog.count({ where: { targetId: request.id } });
    const replay = await handleSlackInteraction(store, key, channelId, { rawBody, headers, now: new Date(), slackApiUrl: slack.url });
    expect(replay).toMatchObject({ status: 403, body: { code: "replayed" } });
    // The same request with its signature header spelled otherwise is the same replay (a no-break space after it is
    // trimmed by the check, so it verifies; upper-case hex does not verify at all).
    const respelled = async (spell: (value: string) => string) => {
      const changed = new Headers(headers);
      changed.set("x-slack-signature", spell(headers.get("x-slack-signature")!));
      return handleSlackInteraction(store, key, channelId, { rawBody, headers: changed, now: new Date(), slackApiUrl: slack.url });
    };
    expect(await respelled((value) => `${value}\u00a0`)).toMatchObject({ status: 403, body: { code: "replayed" } });
    expect(await respelled((value) => `\u00a0${value}\u00a0\u00a0`)).toMatchObject({ status: 403, body: { code: "replayed" } });
    expect(await respelled((value) => `v0=${value.slice(3).toUpperCase()}`)).toMatchObject({ status: 401 });
    expect(await votesOf(request.id)).toHaveLength(1);
    expect(await store.auditLog.count({ where: { targetId: request.id } })).toBe(audits);
  });

  it("an unlinked Slack user decides nothing and is told why", async () => {
    const { request } = await announced();
    const result = await interact(click(request.id, "U0STRANGER"));
    expect(result).toMatchObject({ status: 200, body: { ok: false, code: "unknown_user" } });
    expect(await votesOf(request.id)).toEqual([]);
    expect(await statusOf(request.id)).toBe("pending");
    const reply = slack.callsTo("chat.postEphemeral").find((call) => call.body.user === "U0STRANGER");
    expect(String(reply?.body.text)).toContain("not linked");
  });

  it("the agent's owner clicking Approve is refused: separation of duties holds on Slack", async () => {
    const { request } = await announced();
    await store.user.update({ where: { id: world.owner.id }, data: { slackUserId: "U0OWNER" } });
    const result = await interact(click(request.id, "U0OWNER"));
    expect(result).toMatchObject({ status: 200, body: { ok: false, code: "own_agent" } });
    expect(await votesOf(request.id)).toEqual([]);
    expect(await statusOf(request.id)).toBe("pending");
    expect(String(slack.callsTo("chat.postEphemeral").find((call) => call.body.user === "U0OWNER")?.body.text)).toContain("you own the agent");
  });

  it("Reject asks for the reason in a modal, and its submission rejects with that reason", async () => {
    const { request } = await announced();
    const carol = await store.user.create({ data: { email: "carol@example.test", name: "Carol", roles: ["approver"], slackUserId: "U0CAROL" } });
    const opened = await interact(click(request.id, "U0CAROL", "reject"));
    expect(opened).toMatchObject({ status: 200, body: { ok: true, modal: true } });
    expect(await votesOf(request.id)).toEqual([]);
    const view = slack.callsTo("views.open").at(-1)!.body.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe("airlock_reject");
    expect(JSON.parse(view.private_metadata)).toEqual({ requestId: request.id });

    const submit = (reason: string) => ({
      type: "view_submission",
      user: { id: "U0CAROL" },
      view: { callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: { reason: { reason: { type: "plain_text_input", value: reason } } } } },
    });
    expect(await interact(submit("   "))).toMatchObject({ status: 200, body: { response_action: "errors", errors: { reason: expect.stringContaining("reason") } } });
    expect(await interact(submit("touches every order"))).toEqual({ status: 200, body: { response_action: "clear" } });
    expect(await statusOf(request.id)).toBe("rejected");
    expect(await votesOf(request.id)).toEqual([expect.objectContaining({ userId: carol.id, verdict: "reject", reason: "touches every order", via: "slack" })]);
    const update = await waitFor("chat.update", () => slack.callsTo("chat.update", request.id).find((call) => call.answer.ok));
    expect(JSON.stringify(update.body.blocks)).toContain("touches every order");
  });

  it("a request decided on the dashboard also updates the Slack message", async () => {
    const { request } = await announced();
    const dave = await makeUser(store, ["approver"]);
    expect((await decideApproval(store, { requestId: request.id, userId: dave.id, verdict: "reject", reason: "not today" })).ok).toBe(true);
    const update = await waitFor("chat.update", () => slack.callsTo("chat.update", request.id).find((call) => call.answer.ok));
    expect(JSON.stringify(update.body.blocks)).toContain("Rejected");
  });

  it("retries after Slack answers 500, 429 (honouring Retry-After) and ok:false", async () => {
    slack.failNext("chat.postMessage", { status: 500 }, { status: 429, retryAfterSec: 1 }, { error: "internal_error" });
    const before = slack.callsTo("chat.postMessage").length;
    const request = await makeRequest(store, world);
    notifier!.requested(request.id);
    const delivery = await waitFor("delivered", async () => {
      const row = await store.notificationDelivery.findFirst({ where: { requestId: request.id, event: "requested" } });
      return row?.status === "delivered" ? row : null;
    });
    expect(delivery.attempts).toBe(4);
    const calls = slack.callsTo("chat.postMessage").slice(before);
    expect(calls.map((call) => call.answer.status)).toEqual([500, 429, 200, 200]);
    expect(calls.map((call) => call.answer.ok)).toEqual([false, false, false, true]);
    // The 429 asked for one second; the backoff alone is 50 ms.
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(950);
    expect(lines.filter((line) => line.includes('"event":"notification.retry"') && line.includes(request.id))).toHaveLength(3);
  });
});
