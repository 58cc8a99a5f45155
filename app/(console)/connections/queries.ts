import type { Store } from "@/lib/store/client";
import type { ApproverChoice, ConnectionValues } from "@/components/connections/connection-form";
import { APPROVER_ROLES, type EngineName, type TlsModeName } from "@/lib/connections/schema";

// The connections pages' reads, each with an explicit select that never includes the secret. Callers check
// permissions.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ConnectionRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly engine: EngineName;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly tls: TlsModeName;
  readonly readOnly: boolean;
  readonly grants: number;
  readonly updatedAt: Date;
}

export async function listConnections(db: Store): Promise<ConnectionRow[]> {
  const rows = await db.connection.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, engine: true, host: true, port: true, database: true, tls: true, readOnly: true, updatedAt: true, _count: { select: { grants: true } } },
  });
  return rows.map(({ _count, ...row }) => ({ ...row, grants: _count.grants }));
}

/** The form's values for an existing connection: everything but the secret. */
export type ConnectionSettings = ConnectionValues & { readonly id: string };

export interface GrantRow {
  readonly id: string;
  readonly agent: { readonly id: string; readonly name: string } | null;
  readonly group: string | null;
  readonly createdAt: Date;
}

export interface ConnectionDetail extends ConnectionSettings {
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly grants: readonly GrantRow[];
  /** The named approvers who still exist, by name (ids of people since deleted are left out). */
  readonly approvers: readonly { readonly id: string; readonly name: string; readonly email: string; readonly disabled: boolean }[];
}

export async function connectionDetail(db: Store, id: string): Promise<ConnectionDetail | null> {
  if (!UUID.test(id)) return null;
  const row = await db.connection.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
      engine: true,
      host: true,
      port: true,
      database: true,
      username: true,
      tls: true,
      rowLimit: true,
      statementTimeoutMs: true,
      readOnly: true,
      previewWrites: true,
      approverIds: true,
      createdAt: true,
      updatedAt: true,
      grants: { orderBy: { createdAt: "asc" }, select: { id: true, agentGroup: true, createdAt: true, agent: { select: { id: true, name: true } } } },
    },
  });
  if (!row) return null;
  const { statementTimeoutMs, grants, ...rest } = row;
  const approvers = rest.approverIds.length
    ? await db.user.findMany({ where: { id: { in: rest.approverIds } }, orderBy: { name: "asc" }, select: { id: true, name: true, email: true, disabled: true } })
    : [];
  return {
    ...rest,
    approvers,
    timeoutSeconds: Math.max(1, Math.round(statementTimeoutMs / 1000)),
    grants: grants.map((grant) => ({ id: grant.id, agent: grant.agent, group: grant.agent ? null : grant.agentGroup, createdAt: grant.createdAt })),
  };
}

export async function agentChoices(db: Store): Promise<{ id: string; name: string }[]> {
  return db.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}

/**
 * The people a connection may name as its approvers: enabled people holding the approver or admin role, and
 * whoever is already named (`named`), marked when they no longer qualify so the form can say so.
 */
export async function approverChoices(db: Store, named: readonly string[] = []): Promise<ApproverChoice[]> {
  const people = await db.user.findMany({
    where: { OR: [{ disabled: false, roles: { hasSome: [...APPROVER_ROLES] } }, ...(named.length ? [{ id: { in: [...named] } }] : [])] },
    orderBy: [{ name: "asc" }, { email: "asc" }],
    select: { id: true, name: true, email: true, roles: true, disabled: true },
  });
  return people.map((person) => ({
    id: person.id,
    name: person.name || person.email,
    email: person.email,
    problem: person.disabled ? "disabled" : person.roles.some((role) => (APPROVER_ROLES as readonly string[]).includes(role)) ? null : "not an approver",
  }));
}
