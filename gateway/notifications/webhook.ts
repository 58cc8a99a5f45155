import { errorMessage } from "../../lib/log";
import type { ApprovalSummary } from "../../lib/notifications/approval-message";
import { signWebhook } from "../../lib/notifications/signature";

// One webhook delivery: a signed JSON POST. The receiver verifies X-Airlock-Signature over the raw body with the
// channel's secret (lib/notifications/signature.ts verifyWebhookSignature), and may drop a repeated
// X-Airlock-Delivery: a delivery that timed out after the receiver took it is sent again with the same id.

export type WebhookEvent = "approval.requested" | "approval.reminder" | "approval.decided";

export interface WebhookBody {
  readonly event: WebhookEvent;
  readonly request: ApprovalSummary;
  readonly deliveredAt: string;
}

export interface WebhookDelivery {
  readonly url: string;
  readonly secret: string;
  readonly deliveryId: string;
  readonly event: WebhookEvent;
  readonly request: ApprovalSummary;
  readonly now: Date;
  readonly timeoutMs?: number;
}

export type WebhookResult = { readonly ok: true; readonly status: number } | { readonly ok: false; readonly status: number | null; readonly error: string };

const DEFAULT_TIMEOUT_MS = 5_000;

export async function sendWebhook(delivery: WebhookDelivery): Promise<WebhookResult> {
  const body: WebhookBody = { event: delivery.event, request: delivery.request, deliveredAt: delivery.now.toISOString() };
  const text = JSON.stringify(body);
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "Airlock-Webhook/1",
        "x-airlock-event": delivery.event,
        "x-airlock-delivery": delivery.deliveryId,
        "x-airlock-signature": signWebhook(delivery.secret, Math.floor(delivery.now.getTime() / 1000), text),
      },
      body: text,
      // A redirect is not followed: the signed body goes only to the URL an admin configured.
      redirect: "manual",
      signal: AbortSignal.timeout(delivery.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status <= 299) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `receiver answered HTTP ${response.status}` };
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return { ok: false, status: null, error: "timeout" };
    const code = error instanceof Error && error.cause instanceof Error ? (error.cause as Error & { code?: string }).code : undefined;
    return { ok: false, status: null, error: code ? `network: ${code}` : `network: ${errorMessage(error)}`.slice(0, 200) };
  }
}
