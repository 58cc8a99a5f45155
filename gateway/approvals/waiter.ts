import pg from "pg";
import { APPROVAL_CHANNEL } from "../../lib/approvals/notify";
import { createLogger, errorMessage, type Logger } from "../../lib/log";
import type { Store } from "../../lib/store/client";

// Waiting for a person to decide. Every waiter of a process shares one dedicated LISTEN connection (when the
// store is a PostgreSQL server) and one poll loop. A NOTIFY on airlock_approval wakes the waiters of that id at
// once; the poll loop, one batched query for every waited id each pollMs, is the fallback for stores that
// cannot LISTEN (the embedded one) and the guard against notifications lost while the LISTEN connection was
// down. After every (re)connection of the listener all waited ids are checked, so nothing decided during a gap
// is missed. A waiter also wakes by itself when its request's expiresAt passes.

export type WaitStatus = "approved" | "rejected" | "expired" | "consumed" | "pending";

export interface ApprovalWaiterOptions {
  readonly store: Store;
  /** PostgreSQL URL for a dedicated LISTEN connection; omit for the embedded store (polling only). */
  readonly listenUrl?: string;
  /** Poll period in milliseconds; default 500. */
  readonly pollMs?: number;
  readonly logger?: Logger;
}

export interface WaitOptions {
  /** Give up after this long, answering "pending". */
  readonly timeoutMs: number;
  /** Aborting answers "pending" at once (the request itself is left as it is). */
  readonly signal?: AbortSignal;
}

interface Waiting {
  readonly settle: (status: WaitStatus) => void;
}

interface Watched {
  readonly waiters: Set<Waiting>;
  /** Set once a check has read the request's expiry. */
  expiryTimer?: NodeJS.Timeout;
  expiresAt?: number;
}

interface StatusRow {
  id: string;
  status: string;
  expiresAt: Date;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;
/** setTimeout's ceiling (about 24.8 days); longer delays fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

export class ApprovalWaiter {
  private readonly store: Store;
  private readonly listenUrl: string | undefined;
  private readonly pollMs: number;
  private readonly log: Logger;
  private readonly watched = new Map<string, Watched>();
  private pollTimer: NodeJS.Timeout | undefined;
  /** A poll query is running (the next one is scheduled when it ends). */
  private polling = false;
  private listener: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_MIN_MS;
  /** Ids named by notifications, checked together on the next tick. */
  private notified = new Set<string>();
  private notifiedScheduled = false;
  private closed = false;

  constructor(options: ApprovalWaiterOptions) {
    this.store = options.store;
    this.listenUrl = options.listenUrl;
    this.pollMs = Math.max(10, options.pollMs ?? 500);
    this.log = options.logger ?? createLogger("approvals.waiter");
  }

  /** The request's status once it is no longer pending, or "pending" when the wait ends first. */
  wait(requestId: string, options: WaitOptions): Promise<WaitStatus> {
    if (this.closed || options.signal?.aborted) return Promise.resolve("pending");
    return new Promise<WaitStatus>((resolve) => {
      const onAbort = () => waiting.settle("pending");
      const waiting: Waiting = {
        settle: (status) => {
          const entry = this.watched.get(requestId);
          if (!entry?.waiters.delete(waiting)) return;
          clearTimeout(timeout);
          options.signal?.removeEventListener("abort", onAbort);
          if (entry.waiters.size === 0) this.unwatch(requestId);
          resolve(status);
        },
      };
      let entry = this.watched.get(requestId);
      if (!entry) this.watched.set(requestId, (entry = { waiters: new Set() }));
      entry.waiters.add(waiting);
      const timeout = setTimeout(() => waiting.settle("pending"), Math.min(Math.max(0, options.timeoutMs), MAX_TIMER_MS));
      options.signal?.addEventListener("abort", onAbort, { once: true });

      this.startPolling();
      this.ensureListening();
      void this.check([requestId]);
    });
  }

  /** Whether the LISTEN connection is up (always false without a listenUrl). For health and tests. */
  get listening(): boolean {
    return this.listener !== undefined;
  }

  /** How many requests are being waited on (for health and tests). */
  get watching(): number {
    return this.watched.size;
  }

  /** Ends every wait with "pending", stops polling and closes the LISTEN connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of [...this.watched.values()]) for (const waiting of [...entry.waiters]) waiting.settle("pending");
    clearTimeout(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    this.pollTimer = this.reconnectTimer = undefined;
    await this.connecting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  // ── Checking ────────────────────────────────────────────────────────────────────────────────────

  /** One query for the given ids; settles the waiters of every request that is no longer pending. */
  private async check(ids: readonly string[]): Promise<void> {
    const wanted = ids.filter((id) => this.watched.has(id));
    if (wanted.length === 0) return;
    let rows: StatusRow[];
    try {
      rows = await this.store.$queryRaw<StatusRow[]>`
        SELECT id::text AS id, status::text AS status, "expiresAt" FROM "ApprovalRequest" WHERE id = ANY(${wanted}::uuid[])`;
    } catch (error) {
      this.log.warn("approval_poll_failed", { error: errorMessage(error) });
      return;
    }
    const now = Date.now();
    const found = new Map(rows.map((row) => [row.id, row]));
    for (const id of wanted) {
      const row = found.get(id);
      // A request that no longer exists can never be consumed: to its waiter it is as good as expired.
      if (!row) this.settleAll(id, "expired");
      else if (row.status !== "pending") this.settleAll(id, row.status as WaitStatus);
      else if (row.expiresAt.getTime() <= now) this.settleAll(id, "expired");
      else this.wakeAtExpiry(id, row.expiresAt.getTime(), now);
    }
  }

  private settleAll(id: string, status: WaitStatus): void {
    const entry = this.watched.get(id);
    if (!entry) return;
    for (const waiting of [...entry.waiters]) waiting.settle(status);
  }

  private wakeAtExpiry(id: string, expiresAt: number, now: number): void {
    const entry = this.watched.get(id);
    if (!entry || entry.expiresAt === expiresAt) return;
    clearTimeout(entry.expiryTimer);
    entry.expiresAt = expiresAt;
    entry.expiryTimer = setTimeout(() => void this.check([id]), Math.min(expiresAt - now + 5, MAX_TIMER_MS));
  }

  private unwatch(id: string): void {
    const entry = this.watched.get(id);
    if (entry) clearTimeout(entry.expiryTimer);
    this.watched.delete(id);
    if (this.watched.size === 0) {
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  // ── Polling ─────────────────────────────────────────────────────────────────────────────────────

  private startPolling(): void {
    if (this.pollTimer || this.polling || this.closed) return;
    this.pollTimer = setTimeout(() => void this.pollOnce(), this.pollMs);
  }

  private async pollOnce(): Promise<void> {
    this.pollTimer = undefined;
    this.polling = true;
    try {
      await this.check([...this.watched.keys()]);
    } finally {
      this.polling = false;
    }
    if (this.watched.size > 0) this.startPolling();
  }

  // ── Listening ───────────────────────────────────────────────────────────────────────────────────

  private ensureListening(): void {
    if (!this.listenUrl || this.listener || this.connecting || this.reconnectTimer || this.closed) return;
    this.connecting = this.connect(this.listenUrl).finally(() => (this.connecting = undefined));
  }

  private async connect(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: "airlock-approval-waiter", keepAlive: true });
    let dropped = false;
    const drop = (error?: Error) => {
      if (dropped) return;
      dropped = true;
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.closed) {
        this.log.warn("approval_listen_lost", { error: error ? errorMessage(error) : "connection ended" });
        this.scheduleReconnect();
      }
    };
    client.on("error", drop);
    client.on("end", () => drop());
    client.on("notification", (message) => {
      if (message.channel === APPROVAL_CHANNEL && message.payload) this.onNotified(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${APPROVAL_CHANNEL}`);
    } catch (error) {
      drop(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.closed || dropped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
    // Anything decided before LISTEN took effect sent its notification to nobody: look now.
    void this.check([...this.watched.keys()]);
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      // With nobody waiting, the next wait() reconnects.
      if (this.watched.size > 0) this.ensureListening();
    }, delay);
  }

  private onNotified(id: string): void {
    if (!this.watched.has(id)) return;
    this.notified.add(id);
    if (this.notifiedScheduled) return;
    this.notifiedScheduled = true;
    setImmediate(() => {
      this.notifiedScheduled = false;
      const ids = [...this.notified];
      this.notified.clear();
      void this.check(ids);
    });
  }
}
