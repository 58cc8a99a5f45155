import type { Store } from "../../lib/store/client";
import type { Connection, Engine } from "../../lib/store/generated/client";
import type { AgentIdentity } from "./types";

// May this agent reach that connection? Only through a Grant naming the agent itself or one of its groups;
// nothing is reachable without one (deny by default).
//
// Disclosure: an agent asks by name. A name that does not exist answers `unknown_connection` (404); a name
// that exists without a grant answers `no_grant` (403). So an authenticated agent can learn whether a name
// it guessed exists — but nothing else about it (no host, engine, owner); `listGrantedConnections` shows
// only what it may use. This was chosen because agents often mistype names and "does not exist" is the
// hint that helps; unauthenticated callers never get this far.

export type ConnectionAccess =
  | { readonly ok: true; readonly connection: Connection }
  | { readonly ok: false; readonly code: "unknown_connection" | "no_grant"; readonly message: string };

export interface GrantedConnection {
  readonly name: string;
  readonly engine: Engine;
  readonly description: string;
  readonly readOnly: boolean;
}

const MAX_CONNECTION_NAME = 200;

/** Who the agent is, as Grant rows name it: its id, or any of its (non-blank) groups. */
function grantees(agent: AgentIdentity) {
  const groups = agent.groups.filter((group) => group.trim() !== "");
  return [{ agentId: agent.agentId }, ...(groups.length > 0 ? [{ agentGroup: { in: groups } }] : [])];
}

/** The Connection row (with its encrypted secret, for the gateway's own use only) when the agent holds a grant. */
export async function authorizeConnection(store: Store, agent: AgentIdentity, connectionName: string): Promise<ConnectionAccess> {
  const unknown = { ok: false, code: "unknown_connection", message: `No connection named "${printable(connectionName)}" exists in Airlock.` } as const;
  // PostgreSQL text holds neither NUL nor lone surrogates, so no such name can exist (and asking would fail).
  if (connectionName === "" || connectionName.length > MAX_CONNECTION_NAME || /[\u0000\p{Cs}]/u.test(connectionName)) return unknown;
  const connection = await store.connection.findUnique({ where: { name: connectionName } });
  if (!connection) return unknown;
  const grant = await store.grant.findFirst({ where: { connectionId: connection.id, OR: grantees(agent) }, select: { id: true } });
  if (!grant) {
    return { ok: false, code: "no_grant", message: `Agent "${agent.agentName}" has no grant to connection "${connection.name}"; ask an Airlock admin for one.` };
  }
  return { ok: true, connection };
}

/** What the agent may use, for its "list connections" call. Never host, port, database, user or secret. */
export async function listGrantedConnections(store: Store, agent: AgentIdentity): Promise<GrantedConnection[]> {
  return store.connection.findMany({
    where: { grants: { some: { OR: grantees(agent) } } },
    select: { name: true, engine: true, description: true, readOnly: true },
    orderBy: { name: "asc" },
  });
}

/** The name as the agent typed it, made safe to echo: control characters replaced, length capped. */
function printable(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f\p{Cs}]/gu, "?");
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
