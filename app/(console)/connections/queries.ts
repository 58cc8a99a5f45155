import type { Store } from "@/lib/store/client";
import type { EngineName, TlsModeName } from "@/lib/connections/schema";
import type { ConnectionValues } from "@/components/connections/connection-form";

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
      createdAt: true,
      updatedAt: true,
      grants: { orderBy: { createdAt: "asc" }, select: { id: true, agentGroup: true, createdAt: true, agent: { select: { id: true, name: true } } } },
    },
  });
  if (!row) return null;
  const { statementTimeoutMs, grants, ...rest } = row;
  return {
    ...rest,
    timeoutSeconds: Math.max(1, Math.round(statementTimeoutMs / 1000)),
    grants: grants.map((grant) => ({ id: grant.id, agent: grant.agent, group: grant.agent ? null : grant.agentGroup, createdAt: grant.createdAt })),
  };
}

export async function agentChoices(db: Store): Promise<{ id: string; name: string }[]> {
  return db.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}
