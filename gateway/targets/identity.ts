// Who a statement runs for, as the target database sees it: the agent's name, its groups and the recording
// session, so row-level security, views, triggers and the database's own logs can use them.
//
//   PostgreSQL  airlock.agent, airlock.agent_groups (comma-separated), airlock.session; application_name
//               "airlock:<agent>". Pooled: set transaction-locally with the statement (set_config(…, true));
//               pinned wire session: startup parameters, so RESET / RESET ALL / DISCARD ALL restore them.
//   MySQL       @airlock_agent, @airlock_agent_groups, @airlock_session (user variables; a view reads them through
//               a stored function, a trigger directly). Pooled: set when a connection is borrowed for an agent
//               whose identity it does not hold yet; pinned door session: set when it opens and after a reset.
//
// Values are always bound as parameters, never spliced into a statement's text. The engine refuses statements that
// would change them (identity-guard.ts).

export interface TargetIdentity {
  /** The agent's name (unique among agents). */
  readonly agent: string;
  readonly groups: readonly string[];
  /** The recording session's id. */
  readonly session: string;
}

export const PG_IDENTITY_SETTINGS = { agent: "airlock.agent", groups: "airlock.agent_groups", session: "airlock.session" } as const;
export const MYSQL_IDENTITY_VARIABLES = { agent: "@airlock_agent", groups: "@airlock_agent_groups", session: "@airlock_session" } as const;

/** PostgreSQL keeps application_name to NAMEDATALEN - 1 bytes, printable ASCII. */
const APPLICATION_NAME_BYTES = 63;

/** The values as the target gets them (text; NUL cannot travel in either protocol's text values). */
export interface IdentityValues {
  readonly agent: string;
  /** Comma-separated; a group whose name holds a comma is left out, so a split never yields a group the agent lacks. */
  readonly groups: string;
  readonly session: string;
  /** "airlock:<agent>", non-printable and non-ASCII characters as "?", at most 63 bytes. */
  readonly applicationName: string;
}

export function identityValues(identity: TargetIdentity): IdentityValues {
  const agent = withoutNul(identity.agent);
  return {
    agent,
    groups: identity.groups.map(withoutNul).filter((group) => group !== "" && !group.includes(",")).join(","),
    session: withoutNul(identity.session),
    applicationName: `airlock:${agent}`.replace(/[^\x20-\x7e]/g, "?").slice(0, APPLICATION_NAME_BYTES),
  };
}

/**
 * One statement for the pooled PostgreSQL path: the statement timeout and the identity, all transaction-local, in
 * the place of `SET LOCAL statement_timeout` (so the round trip carries no extra statement). Parameters:
 * $1 timeout (ms), $2 agent, $3 groups, $4 session, $5 application_name.
 */
export const PG_TRANSACTION_IDENTITY_SQL =
  "SELECT set_config('statement_timeout', $1, true), set_config('airlock.agent', $2, true), set_config('airlock.agent_groups', $3, true), set_config('airlock.session', $4, true), set_config('application_name', $5, true)";

export function pgTransactionIdentityParams(timeoutMs: number, values: IdentityValues): string[] {
  return [String(timeoutMs), values.agent, values.groups, values.session, values.applicationName];
}

/** Startup parameters for a pinned PostgreSQL session: they become the session's defaults (what RESET restores). */
export function pgStartupIdentity(values: IdentityValues): [string, string][] {
  return [
    ["application_name", values.applicationName],
    [PG_IDENTITY_SETTINGS.agent, values.agent],
    [PG_IDENTITY_SETTINGS.groups, values.groups],
    [PG_IDENTITY_SETTINGS.session, values.session],
  ];
}

/** MySQL/MariaDB: the user variables, bound (a server-side prepared statement). Parameters: agent, groups, session. */
export const MYSQL_IDENTITY_SQL = "SET @airlock_agent = ?, @airlock_agent_groups = ?, @airlock_session = ?";

/** The parameters for MYSQL_IDENTITY_SQL; NULLs when no agent is named (a connection's own work, a dry run). */
export function mysqlIdentityParams(values: IdentityValues | undefined): (string | null)[] {
  return values === undefined ? [null, null, null] : [values.agent, values.groups, values.session];
}

/** What a pooled MySQL connection holds, to skip setting the same identity again ("" = no identity). */
export function identityKey(values: IdentityValues | undefined): string {
  return values === undefined ? "" : `${values.agent}\u0000${values.groups}\u0000${values.session}`;
}

function withoutNul(text: string): string {
  return text.replace(/\u0000/g, "");
}
