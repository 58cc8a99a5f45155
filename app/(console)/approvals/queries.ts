import type { Store } from "@/lib/store/client";
import type { Prisma } from "@/lib/store/generated/client";
import { readPreview, type PreviewView } from "@/components/approvals/preview-view";
import { explainDecision, tablesTouched, type ApprovalStatus, type ApprovalView, type ApprovalVote } from "@/components/approvals/view";

// The approvals pages' reads, each with an explicit select. Rows become ApprovalView (display fields only; see
// components/approvals/view.ts) before they leave this file, so the decision JSON's sealed parameters never
// reach a page, a route handler's response or the browser. Callers check permissions.

export const PENDING_LIMIT = 100;
export const HISTORY_PAGE_SIZE = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const requestSelect = {
  id: true,
  sqlText: true,
  reason: true,
  sessionId: true,
  decision: true,
  status: true,
  approverRoles: true,
  minApprovals: true,
  requestedAt: true,
  expiresAt: true,
  decidedAt: true,
  agent: { select: { name: true, ownerId: true, owner: { select: { name: true, email: true } } } },
  connection: { select: { name: true, engine: true } },
  decisions: { select: { verdict: true }, where: { verdict: "approve" } },
} satisfies Prisma.ApprovalRequestSelect;

type RequestRow = Prisma.ApprovalRequestGetPayload<{ select: typeof requestSelect }>;

/** Pending requests that have not expired at `now`, newest first. */
export async function pendingApprovals(db: Store, now: Date): Promise<ApprovalView[]> {
  const rows = await db.approvalRequest.findMany({
    where: { status: "pending", expiresAt: { gt: now } },
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
    take: PENDING_LIMIT,
    select: requestSelect,
  });
  return Promise.all(rows.map(async (row) => toView(row, await statementPayload(db, row), now)));
}

/** One vote, as the approval page lists it. */
export type DecisionEntry = ApprovalVote;

export interface ApprovalDetail {
  readonly view: ApprovalView;
  /** The dry run's display fields; null when none was recorded (or it cannot be read). */
  readonly preview: PreviewView | null;
  /** Whether the connection previews writes that wait for approval (says why there is no dry run). */
  readonly previewsOn: boolean;
  /** Who may not decide: the agent's owner, its creator, and the person an `oidc:<subject>` agent acts for. */
  readonly agent: { readonly ownerId: string | null; readonly createdById: string | null; readonly name: string };
  /** The connection's named approvers (empty: anyone the request's roles allow), and their names. */
  readonly connectionApproverIds: readonly string[];
  readonly connectionApproverNames: readonly string[];
  /** When not empty, deciders must be in one of these identity-provider groups. */
  readonly approverGroups: readonly string[];
  readonly decisions: readonly DecisionEntry[];
}

const detailSelect = {
  ...requestSelect,
  preview: true,
  approverGroups: true,
  agent: { select: { ...requestSelect.agent.select, createdById: true } },
  connection: { select: { ...requestSelect.connection.select, previewWrites: true, approverIds: true } },
} satisfies Prisma.ApprovalRequestSelect;

/** One request with its votes and dry run, or null when there is no such request. */
export async function approvalDetail(db: Store, id: string, now: Date): Promise<ApprovalDetail | null> {
  if (!UUID.test(id)) return null;
  const row = await db.approvalRequest.findUnique({ where: { id }, select: detailSelect });
  if (!row) return null;
  const approverIds = row.connection.approverIds;
  const [payload, decisions, approvers] = await Promise.all([
    statementPayload(db, row),
    db.approvalDecision.findMany({
      where: { requestId: id },
      orderBy: { createdAt: "asc" },
      select: { id: true, verdict: true, reason: true, via: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
    }),
    approverIds.length ? db.user.findMany({ where: { id: { in: approverIds } }, orderBy: { name: "asc" }, select: { name: true, email: true } }) : [],
  ]);
  return {
    view: toView(row, payload, now),
    preview: readPreview(row.preview),
    previewsOn: row.connection.previewWrites,
    agent: { ownerId: row.agent.ownerId, createdById: row.agent.createdById, name: row.agent.name },
    connectionApproverIds: approverIds,
    connectionApproverNames: approvers.map((person) => person.name || person.email),
    approverGroups: row.approverGroups,
    decisions: decisions.map((decision) => ({
      id: decision.id,
      verdict: decision.verdict,
      reason: decision.reason,
      via: decision.via === "slack" ? "slack" : "dashboard",
      at: decision.createdAt.toISOString(),
      user: decision.user,
    })),
  };
}

/**
 * What decide.ts checks of a person besides their roles: the identity-provider subject of their account (an agent
 * named `oidc:<subject>` acts as them) and their identity-provider groups at their last sign-in.
 */
export async function deciderFacts(db: Store, userId: string): Promise<{ oidcSubject: string | null; groups: readonly string[] }> {
  if (!UUID.test(userId)) return { oidcSubject: null, groups: [] };
  const user = await db.user.findUnique({ where: { id: userId }, select: { oidcSubject: true, groups: true } });
  return { oidcSubject: user?.oidcSubject ?? null, groups: user?.groups ?? [] };
}

export interface HistoryRow {
  readonly view: ApprovalView;
  /** Who voted, in order: "Demo Approver (approved)". */
  readonly deciders: readonly { readonly name: string; readonly verdict: "approve" | "reject"; readonly reason: string }[];
}

export interface HistoryPage {
  readonly rows: readonly HistoryRow[];
  /** Cursor for the next (older) page, or null on the last page. */
  readonly next: string | null;
}

/**
 * Decided and expired requests (one pending or approved past its expiry counts as expired), newest first, a keyset page of
 * HISTORY_PAGE_SIZE starting after `cursor` (`<requestedAt ISO>_<id>`, as returned in `next`).
 */
export async function approvalHistory(db: Store, now: Date, cursor: string | null): Promise<HistoryPage> {
  const after = parseCursor(cursor);
  const rows = await db.approvalRequest.findMany({
    where: {
      AND: [
        { OR: [{ status: { in: ["approved", "rejected", "expired", "consumed"] } }, { status: "pending", expiresAt: { lte: now } }] },
        after ? { OR: [{ requestedAt: { lt: after.at } }, { requestedAt: after.at, id: { lt: after.id } }] } : {},
      ],
    },
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
    take: HISTORY_PAGE_SIZE + 1,
    select: {
      ...requestSelect,
      decisions: { select: { verdict: true, reason: true, user: { select: { name: true, email: true } } }, orderBy: { createdAt: "asc" } },
    },
  });
  const page = rows.slice(0, HISTORY_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    rows: page.map((row) => ({
      view: toView({ ...row, decisions: row.decisions.filter((vote) => vote.verdict === "approve") }, null, now),
      deciders: row.decisions.map((vote) => ({ name: vote.user.name || vote.user.email, verdict: vote.verdict, reason: vote.reason })),
    })),
    next: rows.length > HISTORY_PAGE_SIZE && last ? `${last.requestedAt.toISOString()}_${last.id}` : null,
  };
}

function parseCursor(cursor: string | null): { at: Date; id: string } | null {
  const match = cursor ? /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)_([0-9a-f-]{36})$/i.exec(cursor) : null;
  if (!match) return null;
  const at = new Date(match[1]!);
  return Number.isNaN(at.getTime()) ? null : { at, id: match[2]!.toLowerCase() };
}

/**
 * The recorded statement event of the request (the latest with its text in its session): its payload lists the
 * tables read and written. Null when the request has no session or the event is not found.
 */
async function statementPayload(db: Store, row: Pick<RequestRow, "sessionId" | "sqlText">): Promise<unknown> {
  if (!row.sessionId) return null;
  const event = await db.sessionEvent.findFirst({
    where: { sessionId: row.sessionId, type: "statement", sqlText: row.sqlText },
    orderBy: { seq: "desc" },
    select: { payload: true },
  });
  return event?.payload ?? null;
}

/**
 * The status a person should read: a request past its expiry that was never run is expired, whether it was still
 * pending or approved and never used (its statement can no longer run: consumeApproval checks the clock).
 */
export function shownStatus(row: Pick<RequestRow, "status" | "expiresAt">, now: Date): ApprovalStatus {
  const lapsed = row.expiresAt.getTime() <= now.getTime();
  return lapsed && (row.status === "pending" || row.status === "approved") ? "expired" : row.status;
}

function toView(row: RequestRow, statement: unknown, now: Date): ApprovalView {
  const status = shownStatus(row, now);
  return {
    id: row.id,
    sql: row.sqlText,
    status,
    agent: { name: row.agent.name, owner: row.agent.owner ? row.agent.owner.name || row.agent.owner.email : null },
    connection: { name: row.connection.name, engine: row.connection.engine },
    tables: tablesTouched(statement),
    reason: row.reason?.trim() ? row.reason : null,
    ...explainDecision(row.decision),
    approverRoles: [...row.approverRoles],
    approvals: row.decisions.length,
    minApprovals: row.minApprovals,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}
