import { errorMessage } from "../log";

// A minimal Slack Web API client: JSON bodies, the bot token as a bearer, a time limit, and Slack's own answer
// shape — HTTP 200 with `{ ok: false, error }` is a failure like any 5xx. A 429 reports Slack's Retry-After so the
// caller schedules the next attempt no sooner; nothing here sleeps or retries, so the gateway's delivery loop and
// the web app's 3-second interaction window are never held up by it. Shared by the gateway (posting, updating)
// and the web app (the reject modal and private replies to a click), hence in lib/.

export const DEFAULT_SLACK_API_URL = "https://slack.com/api";
const DEFAULT_TIMEOUT_MS = 5_000;
/** The longest Retry-After honoured; Slack's are seconds to a minute. */
const MAX_RETRY_AFTER_MS = 15 * 60_000;

export interface SlackApiSettings {
  /** Default https://slack.com/api (AIRLOCK_SLACK_API_URL points tests at a fake Slack). */
  readonly baseUrl?: string;
  /** The bot token (xoxb-…). Never logged, never put in an error. */
  readonly token: string;
  readonly timeoutMs?: number;
}

export type SlackCallResult =
  | { readonly ok: true; readonly status: number; readonly data: Readonly<Record<string, unknown>> }
  | {
      readonly ok: false;
      /** The HTTP status, or null when no answer came (network error, time limit). */
      readonly status: number | null;
      /** Slack's error code ("channel_not_found", "ratelimited") or what went wrong; safe to store and show. */
      readonly error: string;
      readonly retryAfterMs?: number;
    };

export async function callSlack(settings: SlackApiSettings, method: string, body: Readonly<Record<string, unknown>>): Promise<SlackCallResult> {
  const url = `${(settings.baseUrl ?? DEFAULT_SLACK_API_URL).replace(/\/$/, "")}/${method}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${settings.token}` },
      body: JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, status: null, error: networkError(error) };
  }
  const text = await response.text().catch(() => "");
  if (response.status === 429) {
    return { ok: false, status: 429, error: "ratelimited", ...retryAfter(response.headers.get("retry-after")) };
  }
  if (response.status < 200 || response.status > 299) return { ok: false, status: response.status, error: `http_${response.status}` };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, status: response.status, error: "invalid_json_response" };
  }
  if (typeof data !== "object" || data === null) return { ok: false, status: response.status, error: "invalid_json_response" };
  const answer = data as Record<string, unknown>;
  if (answer.ok !== true) return { ok: false, status: response.status, error: typeof answer.error === "string" ? answer.error.slice(0, 200) : "not_ok" };
  return { ok: true, status: response.status, data: answer };
}

function retryAfter(header: string | null): { retryAfterMs?: number } {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) } : {};
}

function networkError(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "timeout";
  const cause = error instanceof Error && error.cause instanceof Error ? (error.cause as Error & { code?: string }).code : undefined;
  return cause ? `network: ${cause}` : `network: ${errorMessage(error)}`.slice(0, 200);
}

export interface SlackMessage {
  readonly channel: string;
  /** The notification and accessibility fallback. */
  readonly text: string;
  readonly blocks: readonly unknown[];
}

/** chat.postMessage; the answer's `ts` and `channel` name the message for later updates. */
export function postMessage(settings: SlackApiSettings, message: SlackMessage): Promise<SlackCallResult> {
  return callSlack(settings, "chat.postMessage", { ...message, unfurl_links: false, unfurl_media: false });
}

export function updateMessage(settings: SlackApiSettings, message: SlackMessage & { readonly ts: string }): Promise<SlackCallResult> {
  return callSlack(settings, "chat.update", { ...message });
}

/** A message only `user` sees, in `channel`. */
export function postEphemeral(settings: SlackApiSettings, message: { readonly channel: string; readonly user: string; readonly text: string }): Promise<SlackCallResult> {
  return callSlack(settings, "chat.postEphemeral", { ...message });
}

/** views.open: a modal for the user who clicked (trigger ids live 3 seconds). */
export function openView(settings: SlackApiSettings, triggerId: string, view: Readonly<Record<string, unknown>>): Promise<SlackCallResult> {
  return callSlack(settings, "views.open", { trigger_id: triggerId, view });
}
