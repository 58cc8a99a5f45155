import type { Store } from "../store/client";
import type { ApprovalVerdict, Prisma, Role } from "../store/generated/client";
import { notifyApprovalChanged } from "./notify";

// Reading the queue of paused statements, and retiring the ones nobody decided in time.

export interface PendingApproval {
  readonly id: string;
  readonly agent: { readonly id: string; readonly name: string; readonly ownerId: string | null };
  readonly connection: { readonly id: string; readonly name: string };
  readonly sessionId: string | null;
  readonly sqlText: string;
  /** Why it needs approval (matched rules, reasons, tables and columns); never row values or secrets. */
  readonly decision: Prisma.JsonValue;
  readonly approverRoles: readonly Role[];
  readonly minApprovals: number;
  readonly approvals: number;
  /** Who has voted so far (a pending request has only approve votes, but the verdict is kept for clarity). */
  readonly votes: readonly { readonly userId: string; readonly verdict: ApprovalVerdict }[];
  readonly requestedAt: Date;
  readonly expiresAt: Date;
}

export interface ListPendingOptions {
  readonly now: Date;
  /** At most this many, oldest first; default 200. */
  readonly limit?: number;
}

/** Pending requests that have not yet expired at `now`, oldest first. */
export async function listPendingApprovals(store: Store, options: ListPendingOptions): Promise<PendingApproval[]> {
  const rows = await store.approvalRequest.findMany({
    where: { status: "pending", expiresAt: { gt: options.now } },
    orderBy: [{ requestedAt: "asc" }, { id: "asc" }],
    take: Math.max(1, Math.min(options.limit ?? 200, 1000)),
    select: {
      id: true,
      agent: { select: { id: true, name: true, ownerId: true } },
      connection: { select: { id: true, name: true } },
      sessionId: true,
      sqlText: true,
      decision: true,
      approverRoles: true,
      minApprovals: true,
      requestedAt: true,
      expiresAt: true,
      decisions: { select: { userId: true, verdict: true }, orderBy: { createdAt: "asc" } },
    },
  });
  return rows.map(({ decisions, ...row }) => ({
    ...row,
    votes: decisions,
    approvals: decisions.filter((vote) => vote.verdict === "approve").length,
  }));
}

/**
 * Marks every request whose expiresAt is at or before `now` and that can no longer run as expired: pending ones,
 * and approved ones the agent never collected (consumeApproval refuses them already). Returns how many.
 */
export async function expireApprovals(store: Store, now: Date): Promise<number> {
  const expired = await store.approvalRequest.updateManyAndReturn({
    where: { status: { in: ["pending", "approved"] }, expiresAt: { lte: now } },
    data: { status: "expired" },
    select: { id: true },
  });
  await notifyApprovalChanged(
    store,
    expired.map((row) => row.id),
  );
  return expired.length;
}
