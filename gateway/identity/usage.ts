import type { Logger } from "../../lib/log";
import { errorMessage } from "../../lib/log";
import type { Store } from "../../lib/store/client";

// `AgentToken.lastUsedAt` and `Agent.lastSeenAt`, written at most once a minute per row: skipped when the
// row (as just read) or this process already moved it within the minute, and the UPDATE itself is
// conditional, so two gateway processes do not both write. Fire-and-forget: a failed write is logged,
// never thrown into the request.
//
// The writes are single raw UPDATE statements on purpose: Prisma's `updateMany` runs inside a transaction,
// and `$disconnect()` while such a transaction is in flight hangs for good (pg pool waits for a client the
// aborted transaction never releases). A lone statement cannot hang shutdown that way. Still, await
// `settled()` before `$disconnect()` so the last stamps land.

export const USAGE_INTERVAL_MS = 60_000;
const MAX_TRACKED = 50_000;

export class UsageRecorder {
  readonly #store: Store;
  readonly #now: () => Date;
  readonly #log: Logger;
  readonly #lastWrite = new Map<string, number>();
  readonly #pending = new Set<Promise<void>>();

  constructor(store: Store, now: () => Date, log: Logger) {
    this.#store = store;
    this.#now = now;
    this.#log = log;
  }

  /** A token was used; `lastUsedAt` is the value its row had when read. */
  tokenUsed(tokenId: string, lastUsedAt: Date | null): void {
    this.#touch(
      `token:${tokenId}`,
      lastUsedAt,
      (at, before) =>
        this.#store.$executeRaw`UPDATE "AgentToken" SET "lastUsedAt" = ${at} WHERE "id" = ${tokenId}::uuid AND ("lastUsedAt" IS NULL OR "lastUsedAt" < ${before})`,
    );
  }

  /** An agent made a request; `lastSeenAt` is the value its row had when read. */
  agentSeen(agentId: string, lastSeenAt: Date | null): void {
    this.#touch(
      `agent:${agentId}`,
      lastSeenAt,
      (at, before) =>
        this.#store.$executeRaw`UPDATE "Agent" SET "lastSeenAt" = ${at} WHERE "id" = ${agentId}::uuid AND ("lastSeenAt" IS NULL OR "lastSeenAt" < ${before})`,
    );
  }

  /** Resolves when every write started so far has finished (tests, and a clean shutdown). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  #touch(key: string, stored: Date | null, write: (at: Date, before: Date) => Promise<unknown>): void {
    const at = this.#now();
    const nowMs = at.getTime();
    const known = Math.max(stored?.getTime() ?? -Infinity, this.#lastWrite.get(key) ?? -Infinity);
    if (nowMs - known < USAGE_INTERVAL_MS) return;
    if (this.#lastWrite.size >= MAX_TRACKED) this.#lastWrite.clear();
    this.#lastWrite.set(key, nowMs);
    const job = write(at, new Date(nowMs - USAGE_INTERVAL_MS))
      .then(() => undefined)
      .catch((error: unknown) => this.#log.warn("identity.usage_write_failed", { row: key, error: errorMessage(error) }))
      .finally(() => this.#pending.delete(job));
    this.#pending.add(job);
  }
}
