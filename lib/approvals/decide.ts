import { can } from "../auth/permissions";
import type { Store } from "../store/client";
import type { ApprovalStatus, Prisma } from "../store/generated/client";
import { notifyApprovalChanged } from "./notify";

/** Agents that sign in through the identity provider are named `oidc:<subject>` (gateway/identity/oidc-agents.ts). */
const OIDC_AGENT_PREFIX = "oidc:";

// The one way a person decides an approval request. Every dashboard, route handler and test calls this.
//
// Rules, checked in this order inside one transaction that holds the request's row lock
// (SELECT … FOR UPDATE), so that racing approvers are serialised: two cannot both be the deciding vote, and
// nobody can approve a request that another has just rejected.
//   1. the request exists                                      → not_found
//   2. the user exists and is not disabled                     → user_disabled (an unknown user is refused the same way)
//   3. the user holds one of the request's approverRoles       → forbidden_role
//      Exactly those roles: `admin` is NOT implicitly allowed; a policy that wants admins lists them. A role that
//      does not grant approvals.decide (auditor, policy_author) counts for nothing, whatever the policy lists.
//      A request with no approver roles can be decided by nobody (fail closed). When the request names approver
//      groups, the user must also be in one of them (identity-provider groups as of their last sign-in) → forbidden_group
//   4. the user does not own or act for the request's agent    → own_agent (no approving your own agent's work):
//      its owner, the person who created it, and the person whose identity-provider subject it carries
//   5. the connection's approver list, when it has one, names the user → not_connection_approver
//   6. the request is pending                                  → not_pending; a pending one whose expiresAt has
//      passed is marked expired (that change is committed)    → expired
//   7. the user has not voted on it yet                        → already_decided
//   8. a rejection carries a non-empty reason                  → reason_required
// Then: an approval adds a vote and flips the request to approved once approvals ≥ minApprovals; a rejection
// flips it to rejected at once. Either writes an AuditLog row. After commit, NOTIFY airlock_approval.

export type DecideErrorCode =
  | "not_found"
  | "not_pending"
  | "expired"
  | "forbidden_role"
  | "forbidden_group"
  | "own_agent"
  | "not_connection_approver"
  | "already_decided"
  | "reason_required"
  | "user_disabled";

export interface DecideInput {
  readonly requestId: string;
  readonly userId: string;
  readonly verdict: "approve" | "reject";
  /** Required (non-blank) for a rejection; optional for an approval. Stored trimmed. */
  readonly reason?: string;
  /** The clock; defaults to the current time. */
  readonly now?: Date;
  /** Where the person decided (recorded with the vote and in the audit log); default "dashboard". */
  readonly via?: "dashboard" | "slack";
}

export interface DecidedRequest {
  readonly id: string;
  readonly status: ApprovalStatus;
  /** Approve votes recorded so far, this one included. */
  readonly approvals: number;
  readonly minApprovals: number;
}

export type DecideResult =
  | { readonly ok: true; readonly request: DecidedRequest }
  | { readonly ok: false; readonly code: DecideErrorCode; readonly message: string };

/** Longest a decision waits for a pooled connection and for the row lock held by a racing approver. */
const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 15_000 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function decideApproval(store: Store, input: DecideInput): Promise<DecideResult> {
  const now = input.now ?? new Date();
  if (!UUID.test(input.requestId)) return refuse("not_found", "no such approval request");
  if (!UUID.test(input.userId)) return refuse("user_disabled", "no such user, or the account is disabled");

  const outcome = await store.$transaction((tx) => decideLocked(tx, input, now), TRANSACTION_OPTIONS);
  if (outcome.notify) await notifyApprovalChanged(store, [input.requestId]);
  return outcome.result;
}

interface Outcome {
  readonly result: DecideResult;
  /** Whether the request row changed in a way waiters and dashboards should hear about. */
  readonly notify: boolean;
}

async function decideLocked(tx: Prisma.TransactionClient, input: DecideInput, now: Date): Promise<Outcome> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM "ApprovalRequest" WHERE id = ${input.requestId}::uuid FOR UPDATE`;
  if (locked.length === 0) return quiet(refuse("not_found", "no such approval request"));

  const request = await tx.approvalRequest.findUniqueOrThrow({
    where: { id: input.requestId },
    select: {
      id: true,
      status: true,
      expiresAt: true,
      approverRoles: true,
      approverGroups: true,
      minApprovals: true,
      agent: { select: { ownerId: true, createdById: true, name: true } },
      connection: { select: { approverIds: true } },
    },
  });
  const user = await tx.user.findUnique({ where: { id: input.userId }, select: { roles: true, disabled: true, oidcSubject: true, groups: true } });
  if (!user || user.disabled) return quiet(refuse("user_disabled", "no such user, or the account is disabled"));
  // The role must also let its holder decide approvals at all: a policy naming `auditor` does not make auditors
  // approvers (the dashboard would refuse them; Slack must too).
  if (!request.approverRoles.some((role) => user.roles.includes(role) && can([role], "approvals.decide"))) {
    return quiet(refuse("forbidden_role", `deciding this request needs one of the roles: ${request.approverRoles.join(", ") || "(none)"}`));
  }
  if (request.approverGroups.length > 0 && !request.approverGroups.some((group) => user.groups.includes(group))) {
    return quiet(refuse("forbidden_group", `deciding this request needs membership of one of the groups: ${request.approverGroups.join(", ")}`));
  }
  const actsFor = agentRelation(request.agent, input.userId, user.oidcSubject);
  if (actsFor) return quiet(refuse("own_agent", `${actsFor}; another approver must decide it`));
  if (request.connection.approverIds.length > 0 && !request.connection.approverIds.includes(input.userId)) {
    return quiet(refuse("not_connection_approver", "this connection's requests are decided only by its named approvers, and you are not one of them"));
  }

  if (request.status === "expired") return quiet(refuse("expired", "the approval request has expired"));
  if (request.status !== "pending") return quiet(refuse("not_pending", `the approval request is already ${request.status}`));
  if (request.expiresAt.getTime() <= now.getTime()) {
    await tx.approvalRequest.update({ where: { id: request.id }, data: { status: "expired" } });
    return { result: refuse("expired", "the approval request has expired"), notify: true };
  }

  const previous = await tx.approvalDecision.findUnique({ where: { requestId_userId: { requestId: request.id, userId: input.userId } }, select: { verdict: true } });
  if (previous) return quiet(refuse("already_decided", `you already voted ${previous.verdict} on this request`));

  const reason = (input.reason ?? "").trim();
  if (input.verdict === "reject" && reason === "") return quiet(refuse("reason_required", "a rejection needs a reason"));

  const via = input.via ?? "dashboard";
  await tx.approvalDecision.create({ data: { requestId: request.id, userId: input.userId, verdict: input.verdict, reason, createdAt: now, via } });
  const approvals = await tx.approvalDecision.count({ where: { requestId: request.id, verdict: "approve" } });

  let status: ApprovalStatus = "pending";
  if (input.verdict === "reject") status = "rejected";
  else if (approvals >= request.minApprovals) status = "approved";
  if (status !== "pending") await tx.approvalRequest.update({ where: { id: request.id }, data: { status, decidedAt: now } });

  await tx.auditLog.create({
    data: {
      at: now,
      actorId: input.userId,
      action: input.verdict === "approve" ? "approval.approve" : "approval.reject",
      targetType: "approval",
      targetId: request.id,
      details: { verdict: input.verdict, reason, status, approvals, minApprovals: request.minApprovals, via },
    },
  });
  return { result: { ok: true, request: { id: request.id, status, approvals, minApprovals: request.minApprovals } }, notify: true };
}

/** Why this person may not decide the agent's requests (they own it, created it, or it carries their identity), or null. */
export function agentRelation(agent: { ownerId: string | null; createdById: string | null; name: string }, userId: string, oidcSubject: string | null): string | null {
  if (agent.ownerId === userId) return "you own the agent that made this request";
  if (agent.createdById === userId) return "you created the agent that made this request";
  if (oidcSubject && agent.name === `${OIDC_AGENT_PREFIX}${oidcSubject}`) return "the agent that made this request acts with your identity";
  return null;
}

function refuse(code: DecideErrorCode, message: string): DecideResult {
  return { ok: false, code, message };
}

function quiet(result: DecideResult): Outcome {
  return { result, notify: false };
}
