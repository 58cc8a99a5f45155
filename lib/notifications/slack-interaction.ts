import { z } from "zod";
import { noticeText } from "./approval-message";
import { decideApproval, type DecideResult } from "../approvals/decide";
import { openSecret } from "../crypto/secret-box";
import type { Store } from "../store/client";
import { verifySlackRequest } from "./signature";
import { openView, postEphemeral, type SlackApiSettings } from "./slack-api";

// Clicks on an approval message's buttons, as Slack posts them to /api/slack/<channelId>/interactions.
//
// A click is believed only when it carries a valid signature by the channel's Slack app (signing secret), is
// recent, and has not been seen before (SeenSignature: a captured request sent again is refused). The Slack user is
// then mapped to an Airlock person by User.slackUserId, and the vote goes through decideApproval like any
// dashboard vote (roles, separation of duties, expiry, one vote each) with via "slack". An unknown Slack user
// decides nothing.
//
// Approve votes at once. Reject opens a modal asking for the reason (the agent is told it, as on the dashboard);
// its submission carries the request id in private_metadata and is verified like a click. Outcomes the clicker
// should see are sent as ephemeral messages (Slack ignores a button click's response body); the message itself
// is updated by the gateway's notifier once the request is decided.

export const SLACK_ACTION_APPROVE = "approve";
export const SLACK_ACTION_REJECT = "reject";
export const SLACK_REJECT_CALLBACK = "airlock_reject";
export const SLACK_REASON_BLOCK = "reason";
export const SLACK_REASON_ACTION = "reason";
/** Seen signatures are kept this long; older requests are refused as stale anyway (tolerance 5 minutes). */
const SEEN_KEEP_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 60_000;
/** Slack wants an answer within 3 s: a call back to Slack from here gets less than that. */
const SLACK_CALL_TIMEOUT_MS = 2_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface HeaderSource {
  get(name: string): string | null;
}

export interface SlackInteractionInput {
  /** The body exactly as received (the signature covers these bytes). */
  readonly rawBody: string;
  readonly headers: HeaderSource;
  readonly now: Date;
  /** Default https://slack.com/api (AIRLOCK_SLACK_API_URL). */
  readonly slackApiUrl?: string;
  /** Links in replies to the approval page. */
  readonly publicUrl?: string;
}

export interface SlackInteractionResult {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

const actionsPayload = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).nullish(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).default([]),
});

const submissionPayload = z.object({
  type: z.literal("view_submission"),
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().default(""),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }).loose())) }),
  }),
});

const payloadType = z.object({ type: z.string() });

let lastPruneAt = 0;

export async function handleSlackInteraction(store: Store, masterKey: Uint8Array, channelId: string, input: SlackInteractionInput): Promise<SlackInteractionResult> {
  if (!UUID.test(channelId)) return problem(404, "unknown_channel", "No such Slack channel in Airlock.");
  const channel = await store.notificationChannel.findUnique({
    where: { id: channelId },
    select: { id: true, kind: true, enabled: true, target: true, secretCiphertext: true, signingSecretCiphertext: true },
  });
  if (!channel || channel.kind !== "slack" || !channel.enabled || !channel.signingSecretCiphertext) {
    return problem(404, "unknown_channel", "No such enabled Slack channel in Airlock.");
  }
  let signingSecret: string;
  try {
    signingSecret = openSecret(masterKey, channel.signingSecretCiphertext, channel.id);
  } catch {
    return problem(500, "channel_secret_unreadable", "The channel's signing secret does not open with this server's master key; enter it again.");
  }

  const signature = input.headers.get("x-slack-signature");
  const check = verifySlackRequest({
    signingSecret,
    timestamp: input.headers.get("x-slack-request-timestamp"),
    body: input.rawBody,
    signature,
    nowSec: Math.floor(input.now.getTime() / 1000),
  });
  if (!check.ok) {
    return check.code === "stale"
      ? problem(401, "stale_request", "The request's timestamp is too far from now.")
      : problem(401, "bad_signature", "The request is not signed by this channel's Slack app.");
  }
  if (!(await firstSighting(store, check.signature!, input.now))) return problem(403, "replayed", "This request was already received.");

  let payload: unknown;
  try {
    payload = JSON.parse(new URLSearchParams(input.rawBody).get("payload") ?? "");
  } catch {
    return problem(400, "bad_payload", "The interaction payload is not JSON.");
  }
  const type = payloadType.safeParse(payload);
  if (!type.success) return problem(400, "bad_payload", "The interaction payload has no type.");
  if (type.data.type !== "block_actions" && type.data.type !== "view_submission") return { status: 200, body: { ok: true, ignored: type.data.type } };

  let token: string | null = null;
  try {
    token = openSecret(masterKey, channel.secretCiphertext, channel.id);
  } catch {
    // Without the bot token no reply can be sent; votes still work.
  }
  const slack: SlackApiSettings | null = token ? { baseUrl: input.slackApiUrl, token, timeoutMs: SLACK_CALL_TIMEOUT_MS } : null;
  const context: Context = { store, slack, now: input.now, defaultChannel: channel.target, publicUrl: input.publicUrl };
  if (type.data.type === "block_actions") {
    const actions = actionsPayload.safeParse(payload);
    return actions.success ? onAction(context, actions.data) : problem(400, "bad_payload", "The block_actions payload is not in the expected shape.");
  }
  const submission = submissionPayload.safeParse(payload);
  return submission.success ? onSubmission(context, submission.data) : problem(400, "bad_payload", "The view_submission payload is not in the expected shape.");
}

interface Context {
  readonly store: Store;
  readonly slack: SlackApiSettings | null;
  readonly now: Date;
  readonly defaultChannel: string;
  readonly publicUrl?: string;
}

/** Records the signature; false when it was there already (a replay). Old ones are pruned now and then. */
async function firstSighting(store: Store, signature: string, now: Date): Promise<boolean> {
  if (now.getTime() - lastPruneAt > PRUNE_EVERY_MS) {
    lastPruneAt = now.getTime();
    void store.seenSignature.deleteMany({ where: { at: { lt: new Date(now.getTime() - SEEN_KEEP_MS) } } }).catch(() => undefined);
  }
  const inserted = await store.$queryRaw<{ signature: string }[]>`
    INSERT INTO "SeenSignature" (signature, at) VALUES (${signature}, ${now}) ON CONFLICT (signature) DO NOTHING RETURNING signature`;
  return inserted.length === 1;
}

const NOT_LINKED =
  "Airlock does not know who you are: your Slack account is not linked to an active Airlock user, so nothing was decided. " +
  "Ask an Airlock admin to set your Slack member ID (your profile → ⋯ → Copy member ID) on your account.";

async function personOf(store: Store, slackUserId: string): Promise<{ id: string; name: string } | null> {
  const user = await store.user.findUnique({ where: { slackUserId }, select: { id: true, name: true, disabled: true } });
  return user && !user.disabled ? { id: user.id, name: user.name } : null;
}

async function onAction(context: Context, payload: z.infer<typeof actionsPayload>): Promise<SlackInteractionResult> {
  const action = payload.actions.find((candidate) => candidate.action_id === SLACK_ACTION_APPROVE || candidate.action_id === SLACK_ACTION_REJECT);
  if (!action) return { status: 200, body: { ok: true, ignored: "action" } };
  const requestId = action.value ?? "";
  if (!UUID.test(requestId)) return problem(400, "bad_payload", "The button carries no approval request id.");
  // Airlock posts approval messages to this channel's Slack conversation only: a click from anywhere else (the same
  // app installed in another workspace, a copy of the message) decides nothing.
  if (payload.channel?.id !== context.defaultChannel) return problem(403, "wrong_conversation", "This click does not come from the Slack conversation Airlock posts to.");
  const reply = (text: string) => ephemeral(context, payload.channel?.id ?? context.defaultChannel, payload.user.id, text);

  const person = await personOf(context.store, payload.user.id);
  if (!person) {
    await reply(NOT_LINKED);
    return { status: 200, body: { ok: false, code: "unknown_user", text: NOT_LINKED } };
  }

  if (action.action_id === SLACK_ACTION_APPROVE) {
    const result = await decideApproval(context.store, { requestId, userId: person.id, verdict: "approve", via: "slack", now: context.now });
    const text = voteText(result, context.publicUrl, requestId);
    if (!result.ok || result.request.status === "pending") await reply(text);
    return { status: 200, body: result.ok ? { ok: true, status: result.request.status, text } : { ok: false, code: result.code, text } };
  }

  // Reject: ask for the reason first (the agent is told it). Nothing is decided until the modal is submitted.
  const request = await context.store.approvalRequest.findUnique({ where: { id: requestId }, select: { status: true, sqlText: true } });
  if (!request || request.status !== "pending") {
    const text = request ? `Nothing to reject: the request is already ${request.status}.` : "Nothing to reject: no such approval request.";
    await reply(text);
    return { status: 200, body: { ok: false, code: request ? "not_pending" : "not_found", text } };
  }
  const opened = context.slack && payload.trigger_id ? await openView(context.slack, payload.trigger_id, rejectModal(requestId, request.sqlText)) : null;
  if (!opened?.ok) {
    const text = `Could not open the rejection form${opened ? ` (${opened.error})` : ""}; reject it on the approval page${context.publicUrl ? `: ${context.publicUrl}/approvals/${requestId}` : ""}.`;
    await reply(text);
    return { status: 200, body: { ok: false, code: "modal_failed", text } };
  }
  return { status: 200, body: { ok: true, modal: true } };
}

async function onSubmission(context: Context, payload: z.infer<typeof submissionPayload>): Promise<SlackInteractionResult> {
  if (payload.view.callback_id !== SLACK_REJECT_CALLBACK) return { status: 200, body: { ok: true, ignored: "view" } };
  const fieldError = (message: string) => ({ status: 200, body: { response_action: "errors", errors: { [SLACK_REASON_BLOCK]: message } } });
  let requestId = "";
  try {
    requestId = String((JSON.parse(payload.view.private_metadata) as { requestId?: unknown }).requestId ?? "");
  } catch {
    // Falls through to the check below.
  }
  if (!UUID.test(requestId)) return problem(400, "bad_payload", "The form carries no approval request id.");
  const person = await personOf(context.store, payload.user.id);
  if (!person) return fieldError(NOT_LINKED);
  const reason = payload.view.state.values[SLACK_REASON_BLOCK]?.[SLACK_REASON_ACTION]?.value?.trim() ?? "";
  const result = await decideApproval(context.store, { requestId, userId: person.id, verdict: "reject", reason, via: "slack", now: context.now });
  if (!result.ok) return fieldError(voteText(result, context.publicUrl, requestId));
  return { status: 200, body: { response_action: "clear" } };
}

/** The Slack modal that asks why a request is rejected. */
export function rejectModal(requestId: string, sqlText: string): Record<string, unknown> {
  const text = noticeText(sqlText);
  const statement = text.length > 500 ? `${text.slice(0, 499)}…` : text;
  return {
    type: "modal",
    callback_id: SLACK_REJECT_CALLBACK,
    private_metadata: JSON.stringify({ requestId }),
    title: { type: "plain_text", text: "Reject the statement" },
    submit: { type: "plain_text", text: "Reject" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `\`\`\`${escapeMrkdwn(statement).replace(/```/g, "`\u200b``")}\`\`\`` } },
      {
        type: "input",
        block_id: SLACK_REASON_BLOCK,
        label: { type: "plain_text", text: "Why? The agent is told this reason." },
        element: { type: "plain_text_input", action_id: SLACK_REASON_ACTION, multiline: true, min_length: 1, max_length: 1000 },
      },
    ],
  };
}

function voteText(result: DecideResult, publicUrl: string | undefined, requestId: string): string {
  if (!result.ok) return `Airlock did not record your vote: ${result.message}.`;
  const { status, approvals, minApprovals } = result.request;
  if (status === "pending") return `Your approval is recorded (${approvals} of ${minApprovals} needed).${publicUrl ? ` ${publicUrl}/approvals/${requestId}` : ""}`;
  return `Your vote is recorded: the request is ${status}.`;
}

async function ephemeral(context: Context, channel: string, user: string, text: string): Promise<void> {
  if (!context.slack) return;
  // A reply that fails is not worth failing the click over: the vote (or its refusal) stands either way.
  await postEphemeral(context.slack, { channel, user, text }).catch(() => undefined);
}

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function problem(status: number, code: string, detail: string): SlackInteractionResult {
  const titles: Record<number, string> = { 400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 500: "Internal error" };
  return { status, body: { type: "about:blank", title: titles[status] ?? "Error", status, detail, code } };
}
