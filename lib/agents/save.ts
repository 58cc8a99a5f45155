import { recordChange } from "../audit/changes";
import { issueAgentToken } from "../crypto/agent-token";
import type { Store } from "../store/client";
import { Prisma } from "../store/generated/client";
import { expiryFrom, type AgentInput, type TokenInput } from "./schema";

// Writing agents and their tokens, each change with its audit entry in the same transaction. A token is returned
// once, to the caller that issued it; only its hash and prefix are kept, and neither goes into the audit log
// beyond the prefix. Callers check permissions first.

export type AgentResult =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly fieldErrors?: Record<string, string>; readonly message?: string };

const NAME_TAKEN = { ok: false, fieldErrors: { name: "Another agent already has this name" } } as const;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

type Tx = Prisma.TransactionClient;

async function ownerExists(tx: Tx, ownerId: string | null): Promise<boolean> {
  if (ownerId === null) return true;
  return (await tx.user.count({ where: { id: ownerId, disabled: false } })) === 1;
}

const NO_OWNER = { ok: false, fieldErrors: { ownerId: "Choose an owner from the list" } } as const;

export async function createAgent(db: Store, actorId: string, input: AgentInput): Promise<AgentResult> {
  try {
    return await db.$transaction(async (tx) => {
      if (!(await ownerExists(tx, input.ownerId))) return NO_OWNER;
      const agent = await tx.agent.create({
        data: { name: input.name, description: input.description, groups: input.groups, ownerId: input.ownerId, disabled: input.disabled, createdById: actorId },
        select: { id: true },
      });
      await recordChange(tx, {
        actorId,
        action: "agent.create",
        targetType: "agent",
        targetId: agent.id,
        details: { name: input.name, groups: input.groups, ownerId: input.ownerId, disabled: input.disabled },
      });
      return { ok: true, id: agent.id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return NAME_TAKEN;
    throw error;
  }
}

export async function updateAgent(db: Store, actorId: string, id: string, input: AgentInput): Promise<AgentResult> {
  try {
    return await db.$transaction(async (tx) => {
      const before = await tx.agent.findUnique({ where: { id }, select: { name: true, description: true, groups: true, ownerId: true, disabled: true } });
      if (!before) return { ok: false, message: "This agent does not exist (any more)." };
      if (input.ownerId !== before.ownerId && !(await ownerExists(tx, input.ownerId))) return NO_OWNER;
      await tx.agent.update({
        where: { id },
        data: { name: input.name, description: input.description, groups: input.groups, ownerId: input.ownerId, disabled: input.disabled },
      });
      const changed: Record<string, { from: Prisma.InputJsonValue | null; to: Prisma.InputJsonValue | null }> = {};
      if (before.name !== input.name) changed.name = { from: before.name, to: input.name };
      if (before.description !== input.description) changed.description = { from: before.description, to: input.description };
      if (before.groups.join("\n") !== input.groups.join("\n")) changed.groups = { from: before.groups, to: input.groups };
      if (before.ownerId !== input.ownerId) changed.ownerId = { from: before.ownerId, to: input.ownerId };
      if (Object.keys(changed).length > 0) {
        await recordChange(tx, { actorId, action: "agent.update", targetType: "agent", targetId: id, details: { name: input.name, changed } });
      }
      if (before.disabled !== input.disabled) {
        await recordChange(tx, { actorId, action: input.disabled ? "agent.disable" : "agent.enable", targetType: "agent", targetId: id, details: { name: input.name } });
      }
      return { ok: true, id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return NAME_TAKEN;
    throw error;
  }
}

export type IssueResult =
  | { readonly ok: true; readonly tokenId: string; readonly token: string; readonly prefix: string }
  | { readonly ok: false; readonly message: string };

export async function issueToken(db: Store, actorId: string, input: TokenInput, now = new Date()): Promise<IssueResult> {
  const issued = issueAgentToken();
  const expiresAt = expiryFrom(now, input.expiresInDays);
  return db.$transaction(async (tx) => {
    const agent = await tx.agent.findUnique({ where: { id: input.agentId }, select: { name: true } });
    if (!agent) return { ok: false, message: "This agent does not exist (any more)." } as const;
    const row = await tx.agentToken.create({
      data: { agentId: input.agentId, name: input.name, prefix: issued.prefix, hash: issued.hash, scramVerifier: issued.scramVerifier, mysqlNativeVerifier: issued.mysqlNativeVerifier, expiresAt },
      select: { id: true },
    });
    await recordChange(tx, {
      actorId,
      action: "token.issue",
      targetType: "token",
      targetId: row.id,
      details: { agent: agent.name, name: input.name, prefix: issued.prefix, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { ok: true, tokenId: row.id, token: issued.token, prefix: issued.prefix } as const;
  });
}

/** Revokes a token of this agent; a token id of another agent is refused like an unknown one. */
export async function revokeToken(db: Store, actorId: string, agentId: string, tokenId: string, now = new Date()): Promise<AgentResult> {
  return db.$transaction(async (tx) => {
    const token = await tx.agentToken.findFirst({ where: { id: tokenId, agentId }, select: { id: true, prefix: true, name: true, revokedAt: true, agent: { select: { name: true } } } });
    if (!token) return { ok: false, message: "This token does not belong to this agent." } as const;
    if (token.revokedAt) return { ok: false, message: "This token is already revoked." } as const;
    await tx.agentToken.update({ where: { id: token.id }, data: { revokedAt: now } });
    await recordChange(tx, { actorId, action: "token.revoke", targetType: "token", targetId: token.id, details: { agent: token.agent.name, name: token.name, prefix: token.prefix } });
    return { ok: true, id: token.id } as const;
  });
}
