import { approvalBinding } from "../../lib/approvals/binding";
import type { Store } from "../../lib/store/client";
import type { ApprovalStatus, Prisma, Role } from "../../lib/store/generated/client";
import type { WritePreview } from "./preview/types";

// Pausing a statement: a pending approval request bound to the exact statement, parameters, connection and agent.

export interface CreateApprovalInput {
  readonly agentId: string;
  readonly connectionId: string;
  readonly sessionId?: string | null;
  readonly sql: string;
  /** The statement's parameters; only their binding hash is stored here. */
  readonly params?: readonly unknown[];
  /** Why it needs approval, JSON-serialisable and already free of secrets and row values. */
  readonly decision: Prisma.InputJsonValue;
  /** Who may decide it: exactly these roles (admin is not implied). Must not be empty. */
  readonly approverRoles: readonly Role[];
  /** When not empty, deciders must also be in one of these identity-provider groups. */
  readonly approverGroups?: readonly string[];
  /** Approve votes needed, an integer ≥ 1. */
  readonly minApprovals: number;
  readonly expiresAt: Date;
  /** The agent's justification, already cleaned (lib/approvals/reason.ts). */
  readonly reason?: string;
  /** The dry run's masked summary, shown to approvers and in notifications. */
  readonly preview?: WritePreview;
  /** Still pending after this long: the escalation channels are reminded. */
  readonly remindAfterSeconds?: number;
}

export interface CreatedApproval {
  readonly id: string;
  readonly status: ApprovalStatus;
  readonly expiresAt: Date;
  readonly bindingHash: string;
}

/** Stores a pending approval request. Throws RangeError on a request nobody could ever approve. */
export async function createApprovalRequest(store: Store, input: CreateApprovalInput): Promise<CreatedApproval> {
  if (!Number.isInteger(input.minApprovals) || input.minApprovals < 1) {
    throw new RangeError(`minApprovals must be an integer of at least 1, not ${input.minApprovals}`);
  }
  if (input.approverRoles.length === 0) throw new RangeError("an approval request needs at least one approver role");
  if (Number.isNaN(input.expiresAt.getTime())) throw new RangeError("expiresAt is not a valid date");

  const bindingHash = approvalBinding({ sql: input.sql, params: input.params ?? [], connectionId: input.connectionId, agentId: input.agentId });
  return store.approvalRequest.create({
    data: {
      agentId: input.agentId,
      connectionId: input.connectionId,
      sessionId: input.sessionId ?? null,
      sqlText: input.sql,
      bindingHash,
      decision: input.decision,
      approverRoles: [...new Set(input.approverRoles)],
      approverGroups: [...new Set(input.approverGroups ?? [])],
      minApprovals: input.minApprovals,
      expiresAt: input.expiresAt,
      reason: input.reason ?? null,
      ...(input.preview ? { preview: input.preview as unknown as Prisma.InputJsonValue } : {}),
      remindAfterSeconds: input.remindAfterSeconds ?? null,
    },
    select: { id: true, status: true, expiresAt: true, bindingHash: true },
  });
}
