import { openSecret } from "../../lib/crypto/secret-box";
import { errorMessage, type Logger } from "../../lib/log";
import { loadApprovalSummary } from "../../lib/notifications/approval-message";
import { postMessage, updateMessage, type SlackApiSettings } from "../../lib/notifications/slack-api";
import type { Store } from "../../lib/store/client";
import { claimDeliveries, enqueueDecided, enqueueMissed, enqueueReminders, enqueueRequested, postedMessage, recordAttempt, type AttemptOutcome, type ClaimedDelivery } from "./queue";
import { decidedBlocks, requestBlocks } from "./slack-blocks";
import { sendWebhook, type WebhookEvent } from "./webhook";

// Announces approval requests on Slack channels and webhooks, from the delivery queue in the store (queue.ts).
// The engine tells it of each new request (`requested`, which only queues and never throws, so a notice can never
// hold up or fail a statement); a loop in each gateway process then, every pollMs or when woken:
//   1. queues a "decided" notice wherever a request was announced and is no longer pending — whoever decided it,
//      on the dashboard, in Slack or by expiry — so the Slack message loses its buttons and webhooks hear of it;
//   2. queues reminders on escalation channels for requests pending past their rule's remindAfterSeconds;
//   3. claims due deliveries (SKIP LOCKED + lease) and sends them, retrying failures with backoff until maxAttempts.

export interface NotifierOptions {
  readonly store: Store;
  readonly masterKey: Uint8Array;
  /** The dashboards' address, for links to the approval page. */
  readonly publicUrl: string;
  /** The Slack Web API (default https://slack.com/api). */
  readonly slackApiUrl?: string;
  readonly log: Logger;
  readonly pollMs?: number;
  readonly maxAttempts?: number;
  /** The wait after the n-th failed attempt (n ≥ 1); a Slack 429's Retry-After is waited at least. */
  readonly backoffMs?: (attempt: number) => number;
  /** Deliveries sent at once by this process. */
  readonly batchSize?: number;
  /** Per HTTP call (Slack and webhooks). */
  readonly timeoutMs?: number;
  /**
   * The catch-up for requests nobody enqueued (their process died first): checked every `everyMs` (default 10 s)
   * for pending requests of the last `windowMs` (15 min) older than `graceMs` (10 s) that no channel was told of.
   */
  readonly catchUp?: { readonly everyMs: number; readonly windowMs: number; readonly graceMs: number };
}

const MAX_BACKOFF_MS = 5 * 60_000;
export const defaultBackoffMs = (attempt: number) => Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS);
/** How long a claimed delivery is this process's; well past one send's time limit. */
const LEASE_MS = 60_000;
/** Whether any channel exists is read again this often (an installation without channels costs one query a while). */
const CHANNELS_RECHECK_MS = 5_000;
const CATCH_UP = { everyMs: 10_000, windowMs: 15 * 60_000, graceMs: 10_000 } as const;
const ERROR_LOG_EVERY_MS = 60_000;

const WEBHOOK_EVENTS: Record<ClaimedDelivery["event"], WebhookEvent> = { requested: "approval.requested", reminder: "approval.reminder", decided: "approval.decided" };

export class Notifier {
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | null = null;
  private again = false;
  private started = false;
  private closed = false;
  private readonly enqueuing = new Set<Promise<void>>();
  private channelsCheckedAt = 0;
  private missedCheckedAt = 0;
  private hasChannels = false;
  private lastError = { text: "", at: 0 };

  constructor(private readonly options: NotifierOptions) {
    this.pollMs = options.pollMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.batchSize = options.batchSize ?? 10;
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops the loop after the round in progress (its sends finish or time out). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.allSettled([this.running, ...this.enqueuing]);
  }

  /** Queues the announcements of a new request and wakes the loop. Never throws, never waits. */
  requested(requestId: string): void {
    if (this.closed) return;
    const job = enqueueRequested(this.options.store, requestId, new Date())
      .then((count) => {
        if (count > 0) this.options.log.info("notification.queued", { requestId, notice: "requested", deliveries: count });
        this.channelsCheckedAt = 0;
        this.wake();
      })
      .catch((error: unknown) => this.options.log.warn("notification.queue_failed", { requestId, error: errorMessage(error) }))
      .finally(() => this.enqueuing.delete(job));
    this.enqueuing.add(job);
  }

  private wake(): void {
    if (!this.started || this.closed) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = this.round().catch((error: unknown) => {
      this.logRoundError(error);
      return false;
    });
    const busy = await this.running;
    this.running = null;
    const now = this.again || busy;
    this.again = false;
    this.schedule(now ? 0 : this.pollMs);
  }

  /** One pass; true when a full batch was sent (more may be due at once). */
  private async round(): Promise<boolean> {
    const { store, log } = this.options;
    const now = new Date();
    if (!(await this.anyChannels(now))) return false;
    const catchUp = this.options.catchUp ?? CATCH_UP;
    if (now.getTime() - this.missedCheckedAt >= catchUp.everyMs) {
      this.missedCheckedAt = now.getTime();
      const missed = await enqueueMissed(store, now, catchUp.windowMs, catchUp.graceMs);
      if (missed.length > 0) log.warn("notification.caught_up", { requestIds: missed });
    }
    const decided = await enqueueDecided(store, now);
    if (decided > 0) log.info("notification.queued", { notice: "decided", deliveries: decided });
    const reminded = await enqueueReminders(store, now);
    if (reminded.length > 0) log.info("notification.reminders", { requestIds: reminded });
    const claimed = await claimDeliveries(store, now, new Date(now.getTime() + LEASE_MS), this.batchSize);
    await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return claimed.length === this.batchSize;
  }

  private async anyChannels(now: Date): Promise<boolean> {
    if (now.getTime() - this.channelsCheckedAt >= CHANNELS_RECHECK_MS) {
      this.hasChannels = (await this.options.store.notificationChannel.count({ take: 1 })) > 0;
      this.channelsCheckedAt = now.getTime();
    }
    return this.hasChannels;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { store, log } = this.options;
    let outcome: AttemptOutcome;
    try {
      outcome = await this.send(delivery);
    } catch (error) {
      outcome = this.failure(delivery, null, errorMessage(error).slice(0, 500));
    }
    const now = new Date();
    await recordAttempt(store, delivery, outcome, now).catch((error: unknown) => log.warn("notification.record_failed", { deliveryId: delivery.id, error: errorMessage(error) }));
    const fields = { deliveryId: delivery.id, channelId: delivery.channelId, requestId: delivery.requestId, notice: delivery.event, attempt: delivery.attempts + 1 };
    if (outcome.ok) log.info("notification.delivered", { ...fields, responseStatus: outcome.responseStatus });
    else if (outcome.retryAt) log.warn("notification.retry", { ...fields, error: outcome.error, responseStatus: outcome.responseStatus, retryAt: outcome.retryAt.toISOString() });
    else log.error("notification.failed", { ...fields, error: outcome.error, responseStatus: outcome.responseStatus });
  }

  /** A failed attempt: retried after the backoff (at least retryAfterMs) until maxAttempts, or never when permanent. */
  private failure(delivery: ClaimedDelivery, responseStatus: number | null, error: string, extra: { retryAfterMs?: number; permanent?: boolean } = {}): AttemptOutcome {
    const attempt = delivery.attempts + 1;
    if (extra.permanent || attempt >= this.maxAttempts) return { ok: false, responseStatus, error, retryAt: null };
    const wait = Math.max(this.backoffMs(attempt), extra.retryAfterMs ?? 0);
    return { ok: false, responseStatus, error, retryAt: new Date(Date.now() + wait) };
  }

  private async send(delivery: ClaimedDelivery): Promise<AttemptOutcome> {
    const { store, masterKey, publicUrl } = this.options;
    const channel = await store.notificationChannel.findUnique({ where: { id: delivery.channelId }, select: { id: true, kind: true, target: true, enabled: true, secretCiphertext: true } });
    if (!channel) return this.failure(delivery, null, "the channel was deleted", { permanent: true });
    if (!channel.enabled) return this.failure(delivery, null, "the channel is disabled", { permanent: true });
    let secret: string;
    try {
      secret = openSecret(masterKey, channel.secretCiphertext, channel.id);
    } catch {
      return this.failure(delivery, null, "the channel's secret does not open with this gateway's master key; enter it again", { permanent: true });
    }
    const summary = await loadApprovalSummary(store, delivery.requestId, publicUrl);
    if (!summary) return this.failure(delivery, null, "the approval request no longer exists", { permanent: true });
    const now = new Date();

    if (channel.kind === "webhook") {
      const result = await sendWebhook({ url: channel.target, secret, deliveryId: delivery.id, event: WEBHOOK_EVENTS[delivery.event], request: summary, now, timeoutMs: this.options.timeoutMs });
      return result.ok ? { ok: true, responseStatus: result.status } : this.failure(delivery, result.status, result.error);
    }

    const slack: SlackApiSettings = { baseUrl: this.options.slackApiUrl, token: secret, timeoutMs: this.options.timeoutMs };
    if (delivery.event === "decided") {
      const message = await postedMessage(store, channel.id, delivery.requestId);
      if (!message) return this.failure(delivery, null, "no posted Slack message to update", { permanent: true });
      const result = await updateMessage(slack, { ...message, ...decidedBlocks(summary, now) });
      return result.ok ? { ok: true, responseStatus: result.status } : this.failure(delivery, result.status, `slack: ${result.error}`, { retryAfterMs: result.retryAfterMs });
    }
    const result = await postMessage(slack, { channel: channel.target, ...requestBlocks(summary, { reminder: delivery.event === "reminder", now }) });
    if (!result.ok) return this.failure(delivery, result.status, `slack: ${result.error}`, { retryAfterMs: result.retryAfterMs });
    const ts = typeof result.data.ts === "string" ? result.data.ts : null;
    const posted = typeof result.data.channel === "string" ? result.data.channel : channel.target;
    return { ok: true, responseStatus: result.status, ...(ts ? { externalRef: `${posted}:${ts}` } : {}) };
  }

  /** Round failures (typically the store being away) are logged when they change, and at most once a minute. */
  private logRoundError(error: unknown): void {
    const text = errorMessage(error);
    const now = Date.now();
    if (text === this.lastError.text && now - this.lastError.at < ERROR_LOG_EVERY_MS) return;
    this.lastError = { text, at: now };
    this.options.log.warn("notifications.round_failed", { error: text });
  }
}
