import type { Store } from "@/lib/store/client";

// The agents pages' reads, each with an explicit select: token hashes are never read. Callers check permissions.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AgentRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly groups: readonly string[];
  readonly owner: { readonly name: string; readonly email: string } | null;
  readonly disabled: boolean;
  readonly lastSeenAt: Date | null;
  readonly activeTokens: number;
}

export async function listAgents(db: Store, now: Date): Promise<AgentRow[]> {
  const rows = await db.agent.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      description: true,
      groups: true,
      disabled: true,
      lastSeenAt: true,
      owner: { select: { name: true, email: true } },
      _count: { select: { tokens: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } } } },
    },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, activeTokens: _count.tokens }));
}

export interface TokenRow {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface AgentDetail {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly groups: readonly string[];
  readonly ownerId: string | null;
  readonly owner: { readonly name: string; readonly email: string } | null;
  readonly disabled: boolean;
  readonly createdAt: Date;
  readonly lastSeenAt: Date | null;
  readonly tokens: readonly TokenRow[];
  /** Connections this agent reaches, directly or through one of its groups. */
  readonly reaches: readonly { readonly id: string; readonly name: string; readonly via: string }[];
}

export async function agentDetail(db: Store, id: string): Promise<AgentDetail | null> {
  if (!UUID.test(id)) return null;
  const row = await db.agent.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
      groups: true,
      ownerId: true,
      owner: { select: { name: true, email: true } },
      disabled: true,
      createdAt: true,
      lastSeenAt: true,
      tokens: { orderBy: { createdAt: "desc" }, select: { id: true, name: true, prefix: true, createdAt: true, expiresAt: true, revokedAt: true, lastUsedAt: true } },
    },
  });
  if (!row) return null;
  const grants = await db.grant.findMany({
    where: { OR: [{ agentId: row.id }, ...(row.groups.length > 0 ? [{ agentGroup: { in: row.groups } }] : [])] },
    orderBy: { connection: { name: "asc" } },
    select: { agentGroup: true, agentId: true, connection: { select: { id: true, name: true } } },
  });
  return {
    ...row,
    reaches: grants.map((grant) => ({ id: grant.connection.id, name: grant.connection.name, via: grant.agentId ? "this agent" : `group ${grant.agentGroup}` })),
  };
}

export async function ownerChoices(db: Store): Promise<{ id: string; label: string }[]> {
  const users = await db.user.findMany({ where: { disabled: false }, orderBy: { name: "asc" }, select: { id: true, name: true, email: true } });
  return users.map((user) => ({ id: user.id, label: user.name ? `${user.name} (${user.email})` : user.email }));
}
