import { createHmac, timingSafeEqual } from "node:crypto";

// Signatures on the two signed paths of notifications, both HMAC-SHA256 over a timestamp and the exact body:
//   outbound webhooks  X-Airlock-Signature: t=<unix seconds>,v1=<hex hmac of `${t}.${body}`>  (the channel's secret)
//   inbound Slack      X-Slack-Signature: v0=<hex hmac of `v0:${timestamp}:${body}`>          (the app's signing secret)
// The timestamp is inside the MAC so an old request cannot be re-dated; a receiver refuses one outside its tolerance
// (in either direction: a clock far ahead is as suspicious as one far behind). Comparisons are constant-time.

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly code: "malformed" | "stale" | "mismatch" };

export const DEFAULT_TOLERANCE_SEC = 300;

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const UNIX_SECONDS = /^\d{1,12}$/;

function hmacHex(secret: string, message: string): string {
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

/** Equal-length hex strings compared without an early exit; anything else is unequal. */
function sameHex(expected: string, given: string): boolean {
  if (!HEX_SHA256.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(given, "hex"));
}

function fresh(timestampSec: number, nowSec: number, toleranceSec: number): boolean {
  return Math.abs(nowSec - timestampSec) <= toleranceSec;
}

// ── Outbound webhooks ───────────────────────────────────────────────────────────────────────────────

/** The X-Airlock-Signature header for a webhook body sent at `timestampSec`. */
export function signWebhook(secret: string, timestampSec: number, body: string): string {
  const t = Math.floor(timestampSec);
  return `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}`;
}

export interface WebhookVerification {
  readonly secret: string;
  /** The X-Airlock-Signature header as received. */
  readonly header: string | null | undefined;
  /** The raw body, exactly as received (before any JSON parsing). */
  readonly body: string;
  readonly nowSec: number;
  readonly toleranceSec?: number;
}

/** What a webhook receiver runs: the header parses, is recent, and one of its v1 values matches. */
export function verifyWebhookSignature(input: WebhookVerification): SignatureCheck {
  const parts = (input.header ?? "").split(",").map((part) => part.trim());
  const t = parts.find((part) => part.startsWith("t="))?.slice(2) ?? "";
  // Several v1 values may appear while a secret is being rotated; any one of them may match.
  const signatures = parts.filter((part) => part.startsWith("v1=")).map((part) => part.slice(3));
  if (!UNIX_SECONDS.test(t) || signatures.length === 0) return { ok: false, code: "malformed" };
  if (!fresh(Number(t), input.nowSec, input.toleranceSec ?? DEFAULT_TOLERANCE_SEC)) return { ok: false, code: "stale" };
  const expected = hmacHex(input.secret, `${t}.${input.body}`);
  return signatures.some((signature) => sameHex(expected, signature)) ? { ok: true } : { ok: false, code: "mismatch" };
}

// ── Inbound Slack requests ──────────────────────────────────────────────────────────────────────────

/** The X-Slack-Signature Slack would send for this body (for tests and the fake Slack). */
export function slackSignature(signingSecret: string, timestamp: string | number, body: string): string {
  return `v0=${hmacHex(signingSecret, `v0:${timestamp}:${body}`)}`;
}

export interface SlackVerification {
  readonly signingSecret: string;
  /** X-Slack-Request-Timestamp, unix seconds. */
  readonly timestamp: string | null | undefined;
  /** The raw body, exactly as received. */
  readonly body: string;
  /** X-Slack-Signature. */
  readonly signature: string | null | undefined;
  readonly nowSec: number;
  readonly toleranceSec?: number;
}

/**
 * Slack's request verification: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<body>`, timestamp within tolerance.
 * A verified request answers its signature as computed here (lower-case hex): the key for replay detection, which
 * the header's spelling (case, surrounding blanks) cannot vary.
 */
export function verifySlackRequest(input: SlackVerification): SignatureCheck & { readonly signature?: string } {
  const timestamp = input.timestamp?.trim() ?? "";
  const signature = input.signature?.trim() ?? "";
  if (!UNIX_SECONDS.test(timestamp) || !signature.startsWith("v0=")) return { ok: false, code: "malformed" };
  if (!fresh(Number(timestamp), input.nowSec, input.toleranceSec ?? DEFAULT_TOLERANCE_SEC)) return { ok: false, code: "stale" };
  const expected = hmacHex(input.signingSecret, `v0:${timestamp}:${input.body}`);
  return sameHex(expected, signature.slice(3)) ? { ok: true, signature: `v0=${expected}` } : { ok: false, code: "mismatch" };
}
