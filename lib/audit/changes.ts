import type { Prisma } from "../store/generated/client";

// The audit log of what people changed in the dashboards. Every server action that changes something calls
// `recordChange` inside the same transaction as the change, so a change is never without its entry (and an entry
// never without its change). `details` says what changed; it never holds a secret or a token.

export const CHANGE_ACTIONS = [
  "policy.create",
  "policy.update",
  "policy.enable",
  "policy.disable",
  "policy.reorder",
  "policy.delete",
  "policy.import",
  "connection.create",
  "connection.update",
  "connection.secret_change",
  "connection.delete",
  "grant.create",
  "grant.delete",
  "agent.create",
  "agent.update",
  "agent.disable",
  "agent.enable",
  "token.issue",
  "token.revoke",
  "approval.approve",
  "approval.reject",
  "user.create",
  "user.update",
  "session.export",
  "notification_channel.create",
  "notification_channel.update",
  "notification_channel.secret_change",
  "notification_channel.delete",
] as const;

export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export type ChangeTarget = "policy" | "connection" | "grant" | "agent" | "token" | "approval" | "user" | "session" | "notification_channel";

export interface Change {
  readonly actorId: string;
  readonly action: ChangeAction;
  readonly targetType: ChangeTarget;
  readonly targetId?: string | null;
  readonly details?: Prisma.InputJsonObject;
  readonly at?: Date;
}

type Writer = Pick<Prisma.TransactionClient, "auditLog">;

export async function recordChange(tx: Writer, change: Change): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: change.actorId,
      action: change.action,
      targetType: change.targetType,
      targetId: change.targetId ?? null,
      details: change.details ?? {},
      ...(change.at ? { at: change.at } : {}),
    },
  });
}
