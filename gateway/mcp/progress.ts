import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { ApprovalTicket } from "../engine/types";

// Signs of life while a statement waits for a person: MCP progress notifications on the waiting request, the
// first at once (naming the approval and where to decide it), then one every period until the answer, so a
// client that resets its time-out on progress never gives up while a person decides. Only when the client sent
// a progress token; a client that cancels simply stops them (the approval itself stays pending).

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export class ApprovalProgress {
  readonly #extra: ToolExtra;
  readonly #periodMs: number;
  readonly #token: string | number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #count = 0;
  #started = 0;
  #ticket: ApprovalTicket | undefined;
  #running = false;

  constructor(extra: ToolExtra, periodMs: number) {
    this.#extra = extra;
    this.#periodMs = periodMs;
    this.#token = extra._meta?.progressToken;
  }

  /** The client asked for progress (sent a progress token). */
  get wanted(): boolean {
    return this.#token !== undefined;
  }

  /** The statement waits for `ticket`: one notification now, then one every period until `stop`. */
  waiting(ticket: ApprovalTicket): void {
    if (!this.wanted || this.#timer || this.#extra.signal.aborted) return;
    this.#ticket = ticket;
    this.#started = Date.now();
    const expires = ticket.expiresAt.toISOString();
    this.#send(`Waiting for a person to approve this statement (approval ${ticket.id}, expires ${expires}). Approve or reject it at ${ticket.url}`);
    this.#timer = setInterval(() => this.#tick(), this.#periodMs);
    this.#extra.signal.addEventListener("abort", () => this.stop(), { once: true });
  }

  /** Approved: the statement runs now (notifications go on until the answer). */
  approved(): void {
    this.#running = true;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const ticket = this.#ticket!;
    const seconds = Math.round((Date.now() - this.#started) / 1000);
    this.#send(this.#running ? `Approved (approval ${ticket.id}); the statement is running` : `Still waiting for approval ${ticket.id} (${seconds} s so far): ${ticket.url}`);
  }

  #send(message: string): void {
    const token = this.#token;
    if (token === undefined) return;
    this.#count += 1;
    const notification: ServerNotification = { method: "notifications/progress", params: { progressToken: token, progress: this.#count, message } };
    // A client that went away cannot be told; its request ends with the wait.
    this.#extra.sendNotification(notification).catch(() => undefined);
  }
}
