import type { Store } from "../store/client";

// A change of an approval request's status is announced on one PostgreSQL channel, the payload being the
// request id, so that a gateway process waiting on it wakes at once. The announcement is a courtesy: waiters
// also poll, so a failure to notify (or a store that cannot, such as the embedded one) only delays them.

export const APPROVAL_CHANNEL = "airlock_approval";

/** `pg_notify(airlock_approval, id)` for each id, in one statement; never throws. */
export async function notifyApprovalChanged(store: Store, requestIds: readonly string[]): Promise<void> {
  if (requestIds.length === 0) return;
  try {
    await store.$executeRaw`SELECT pg_notify(${APPROVAL_CHANNEL}, id) FROM unnest(${[...requestIds]}::text[]) AS id`;
  } catch {
    // Waiters fall back to polling.
  }
}
