import { z } from "zod";
import { ruleIdSchema } from "../policy/model";

// One schema for the notification-channel form: the browser checks it before sending, the server actions check it
// again (safeParse) before saving. Free of server-only imports so a client component may use it.
//
// Secrets are write-only: on an existing channel (id set) a blank secret keeps the stored one. A Slack channel has
// two: the bot token (`secret`, posts and updates messages) and the app's signing secret (`signingSecret`, verifies
// button clicks). A webhook has one: the HMAC key its deliveries are signed with (`secret`).

export const CHANNEL_KINDS = ["slack", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const CHANNEL_KIND_LABELS: Record<ChannelKind, string> = { slack: "Slack channel", webhook: "Webhook" };

/** A Slack conversation id: public channels start with C, private ones (older workspaces) with G. */
export const SLACK_CHANNEL_ID = /^[CG][A-Z0-9]{8,20}$/;
export const CHANNEL_SECRET_MAX = 1024;
/** Webhook receivers verify with this key; a short one could be guessed offline from a captured delivery. */
export const WEBHOOK_SECRET_MIN = 16;
/** Hosts a webhook may be sent to over plain http: only this machine (local receivers, tests). */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const checkbox = z
  .union([z.boolean(), z.literal("on"), z.literal("")])
  .optional()
  .transform((value) => value === true || value === "on");

const blankAsNull = (value: unknown) => (typeof value === "string" && value.trim() === "" ? null : value);

/** Why a webhook URL is not acceptable, or null. */
export function webhookUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter the receiver's full URL, e.g. https://hooks.example.com/airlock";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "The URL must start with https://";
  if (url.protocol === "http:" && !LOOPBACK_HOSTS.has(url.hostname)) return "Use https:// (plain http is only allowed to localhost)";
  // The target is stored and shown in clear; credentials belong in the signing secret, not the URL.
  if (url.username !== "" || url.password !== "") return "Leave user names and passwords out of the URL";
  return null;
}

export const channelInputSchema = z
  .object({
    /** Absent when creating. */
    id: z.guid("Unknown channel").optional(),
    name: z.string().trim().min(1, "Give the channel a name").max(80, "Keep the name under 80 characters"),
    kind: z.enum(CHANNEL_KINDS, { error: "Choose Slack or webhook" }),
    target: z.string().trim().min(1, "Enter where notices go").max(2048, "That is too long"),
    secret: z.string().trim().max(CHANNEL_SECRET_MAX, `Keep the secret under ${CHANNEL_SECRET_MAX} characters`).default(""),
    signingSecret: z.string().trim().max(CHANNEL_SECRET_MAX, `Keep the secret under ${CHANNEL_SECRET_MAX} characters`).default(""),
    /** Only this connection's requests; null: every connection. */
    connectionId: z.preprocess(blankAsNull, z.guid("Choose a connection").nullable().default(null)),
    /** Only requests a rule with this id asked approval for; null: every rule. */
    ruleId: z.preprocess(blankAsNull, z.string().trim().pipe(ruleIdSchema).nullable().default(null)),
    /** Only reminders: requests still pending after their rule's remindAfterSeconds. */
    escalation: checkbox,
    /** Default on: a channel created in code is live; the form sends the checkbox's state explicitly. */
    enabled: z.union([z.boolean(), z.literal("on"), z.literal("")]).optional().transform((value) => value === undefined || value === true || value === "on"),
  })
  .superRefine((value, context) => {
    const problem = (path: string, message: string) => context.addIssue({ code: "custom", path: [path], message });
    if (value.kind === "slack") {
      if (!SLACK_CHANNEL_ID.test(value.target)) problem("target", "Enter the Slack channel id (C… — channel details, at the bottom), not its name");
      if (!value.id && value.secret === "") problem("secret", "Enter the Slack app's bot token (xoxb-…)");
      if (!value.id && value.signingSecret === "") problem("signingSecret", "Enter the Slack app's signing secret (Basic Information → App Credentials)");
    } else {
      const urlProblem = webhookUrlProblem(value.target);
      if (urlProblem) problem("target", urlProblem);
      if (!value.id && value.secret === "") problem("secret", `Enter a signing secret of at least ${WEBHOOK_SECRET_MIN} characters; the receiver verifies deliveries with it`);
      else if (value.secret !== "" && value.secret.length < WEBHOOK_SECRET_MIN) problem("secret", `Use at least ${WEBHOOK_SECRET_MIN} characters`);
      if (value.signingSecret !== "") problem("signingSecret", "Webhooks have one secret: leave this empty");
    }
  });

export type ChannelInput = z.output<typeof channelInputSchema>;
export type ChannelField = keyof z.input<typeof channelInputSchema>;

export const CHANNEL_FIELDS = [
  "id",
  "name",
  "kind",
  "target",
  "secret",
  "signingSecret",
  "connectionId",
  "ruleId",
  "escalation",
  "enabled",
] as const satisfies readonly ChannelField[];

/** Form fields → the schema's input. An unticked checkbox is absent from FormData: it means off. */
export function channelFromForm(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of CHANNEL_FIELDS) {
    const value = form.get(name);
    out[name] = typeof value === "string" ? value : undefined;
  }
  if (out.id === "") out.id = undefined;
  out.escalation = out.escalation ?? false;
  out.enabled = out.enabled ?? false;
  return out;
}
