import http from "node:http";
import type { AddressInfo } from "node:net";
import { slackSignature } from "../../lib/notifications/signature";

// A local stand-in for the Slack Web API, over real HTTP: chat.postMessage, chat.update, chat.postEphemeral and
// views.open. It records every call, checks the bearer token (a wrong one gets Slack's `invalid_auth`), keeps the
// messages as they stand after updates, and can be told to fail the next calls of a method (HTTP 500, 429 with
// Retry-After, or Slack's `{ ok: false, error }`).
//
//   const slack = await FakeSlack.start({ token: "xoxb-test" });   // point AIRLOCK_SLACK_API_URL at slack.url
//   slack.failNext("chat.postMessage", { status: 500 }, { status: 429, retryAfterSec: 1 });
//   await slack.close();

export interface SlackCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  readonly authorization: string | null;
  /** Date.now() when it arrived. */
  readonly at: number;
  /** What the fake answered. */
  readonly answer: { readonly status: number; readonly ok: boolean; readonly error?: string };
}

export type FakeFailure = { readonly status: 500 | 502 | 503 } | { readonly status: 429; readonly retryAfterSec: number } | { readonly error: string };

export interface FakeMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks: unknown[];
  updates: number;
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  private readonly failures = new Map<string, FakeFailure[]>();
  private seq = 0;

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    readonly token: string,
  ) {}

  static async start(options: { token: string }): Promise<FakeSlack> {
    const holder: { fake?: FakeSlack } = {};
    const server = http.createServer((request, response) => void holder.fake!.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeSlack(server, `http://127.0.0.1:${port}/api`, options.token);
    return holder.fake;
  }

  /** The next calls of `method` fail as given, in order (then calls succeed again). */
  failNext(method: string, ...failures: FakeFailure[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
  }

  callsTo(method: string, about?: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method && (about === undefined || JSON.stringify(call.body).includes(about)));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const method = (request.url ?? "").replace(/^\/api\//, "");
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    } catch {
      // An unparsable body is answered like Slack does below (invalid_arguments).
    }
    const authorization = request.headers.authorization ?? null;
    const reply = (status: number, answer: Record<string, unknown>, headers: Record<string, string> = {}) => {
      this.calls.push({ method, body, authorization, at: Date.now(), answer: { status, ok: answer.ok === true, ...(typeof answer.error === "string" ? { error: answer.error } : {}) } });
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(answer));
    };

    const failure = this.failures.get(method)?.shift();
    if (failure) {
      if ("error" in failure) return reply(200, { ok: false, error: failure.error });
      if (failure.status === 429) return reply(429, { ok: false, error: "ratelimited" }, { "retry-after": String(failure.retryAfterSec) });
      return reply(failure.status, { ok: false, error: "internal_error" });
    }
    if (authorization !== `Bearer ${this.token}`) return reply(200, { ok: false, error: "invalid_auth" });
    if (Object.keys(body).length === 0) return reply(200, { ok: false, error: "invalid_arguments" });

    switch (method) {
      case "chat.postMessage": {
        const channel = String(body.channel ?? "");
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, "0")}`;
        this.messages.set(ts, { channel, ts, text: String(body.text ?? ""), blocks: (body.blocks as unknown[]) ?? [], updates: 0 });
        return reply(200, { ok: true, channel, ts, message: { text: body.text, blocks: body.blocks } });
      }
      case "chat.update": {
        const message = this.messages.get(String(body.ts ?? ""));
        if (!message || message.channel !== body.channel) return reply(200, { ok: false, error: "message_not_found" });
        message.text = String(body.text ?? "");
        message.blocks = (body.blocks as unknown[]) ?? [];
        message.updates += 1;
        return reply(200, { ok: true, channel: message.channel, ts: message.ts });
      }
      case "chat.postEphemeral":
        return reply(200, { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, "0")}` });
      case "views.open":
        if (typeof body.trigger_id !== "string" || typeof body.view !== "object") return reply(200, { ok: false, error: "invalid_arguments" });
        return reply(200, { ok: true, view: { id: `V${++this.seq}` } });
      default:
        return reply(200, { ok: false, error: "unknown_method" });
    }
  }
}

/** An interaction request as Slack sends it: form-encoded `payload`, signed with the app's signing secret. */
export function slackInteraction(signingSecret: string, payload: unknown, options: { nowSec?: number; signature?: string } = {}): { rawBody: string; headers: Headers } {
  const timestamp = String(options.nowSec ?? Math.floor(Date.now() / 1000));
  const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": options.signature ?? slackSignature(signingSecret, timestamp, rawBody),
  });
  return { rawBody, headers };
}
