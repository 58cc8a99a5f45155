import type { Store } from "@/lib/store/client";

// The home page's counts. Each is one indexed COUNT; the caller decides who may see which.

/** Midnight at the start of `now`'s day, in the server's time zone. */
export function startOfDay(now: Date): Date {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return midnight;
}

/** Statements waiting for a person: pending and not yet expired. */
export function countPendingApprovals(db: Store, now: Date): Promise<number> {
  return db.approvalRequest.count({ where: { status: "pending", expiresAt: { gt: now } } });
}

/** Statements Airlock blocked since midnight. */
export function countBlockedSince(db: Store, since: Date): Promise<number> {
  return db.sessionEvent.count({ where: { decision: "block", at: { gte: since } } });
}

/** Agent sessions still connected. */
export function countActiveSessions(db: Store): Promise<number> {
  return db.agentSession.count({ where: { endedAt: null } });
}
