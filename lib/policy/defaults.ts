import { policySchema, type Policy, type PolicyInput, type RuleInput } from "./model";

// The policy a fresh install starts with. It is an ordinary policy (editable, exportable); precedence is
// block > require_approval > allow > default action (require_approval), so a broad "reads are allowed" rule
// never overrides a narrower block or approval.

export const DEFAULT_POLICY_ID = "airlock-defaults";

/** Functions that read or write server files, reach other servers, run SQL text, signal backends or stall. */
export const DANGEROUS_POSTGRES_FUNCTIONS = [
  "pg_read_file", "pg_read_binary_file", "pg_ls_*", "pg_stat_file", "pg_file_*", "pg_logdir_ls",
  "lo_import", "lo_export", "lo_from_bytea", "lo_put",
  "dblink*", "pg_background*",
  "*_to_xml*", // query_to_xml, table_to_xml, cursor_to_xml, schema_to_xml, database_to_xml: run SQL / dump tables
  "pg_terminate_backend", "pg_cancel_backend", "pg_signal_backend",
  "set_config", "pg_reload_conf", "pg_rotate_logfile*", "pg_promote", "pg_wal_replay_*", "pg_switch_wal",
  "pg_create_restore_point", "pg_backup_start", "pg_backup_stop", "pg_start_backup", "pg_stop_backup",
  "pg_create_*_replication_slot", "pg_drop_replication_slot", "pg_copy_*_replication_slot", "pg_logical_emit_message",
  "pg_notify", // a message to other sessions: a side channel for values the result itself masks
  "pg_sleep*",
] as const;

export const DANGEROUS_MYSQL_FUNCTIONS = [
  "load_file", "sleep", "benchmark", "sys_exec", "sys_eval", "sys_get", "sys_set",
  "master_pos_wait", "source_pos_wait", "wait_for_executed_gtid_set", "wait_until_sql_thread_after_gtids",
] as const;

/** Settings that change who the session is, make it writable, or hide it from logs. */
export const DANGEROUS_SETTINGS = [
  "role", "session_authorization", "*authorization*",
  "*read_only*", "sql_log_bin", "sql_log_off", "general_log*", "*audit*", "password", "global", "global.*",
] as const;

/** Catalog tables that hold sample values of every column (masked ones too) or credentials. pg_statistic_ext itself
 *  holds only the definitions of extended statistics (psql's `\d table` reads it); pg_statistic_ext_data the values. */
export const SENSITIVE_CATALOG_TABLES = [
  "pg_statistic", "pg_statistic_ext_data", "pg_stats", "pg_stats_ext*",
  "pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings",
  "column_statistics", "mysql.user", "mysql.global_priv",
] as const;

const rules: RuleInput[] = [
  {
    id: "unknown-needs-approval",
    name: "Statements Airlock cannot analyse need approval",
    match: { unknown: true },
    action: { type: "require_approval", message: "Airlock could not analyse this statement; a reviewer must approve it" },
  },
  {
    id: "block-dangerous-functions-postgres",
    name: "Block server-side file, network, signal and settings functions (PostgreSQL)",
    match: { dialects: ["postgres"], functions: [...DANGEROUS_POSTGRES_FUNCTIONS] },
    action: { type: "block", message: "This statement calls a function that can reach server files, other servers, backends or settings", hint: "Query tables and views instead: functions that read server files, reach other servers, signal backends or change settings (pg_read_file, dblink, pg_terminate_backend, set_config, …) are not available through Airlock" },
  },
  {
    id: "block-dangerous-functions-mysql",
    name: "Block file, shell and stalling functions (MySQL)",
    match: { dialects: ["mysql"], functions: [...DANGEROUS_MYSQL_FUNCTIONS] },
    action: { type: "block", message: "This statement calls a function that can reach server files or stall the server", hint: "Query tables instead: Airlock does not read server files (LOAD_FILE) or run functions that stall the server (SLEEP, BENCHMARK, …)" },
  },
  {
    id: "block-copy-program-file",
    name: "Block COPY to or from a program or a server file",
    match: { copy: { target: ["file", "program"] } },
    action: { type: "block", message: "COPY to or from a program or a server file is not allowed", hint: "Use COPY … TO STDOUT or FROM STDIN (psql's \\copy), which moves the data through your client" },
  },
  {
    id: "block-file-access",
    name: "Block server file access",
    match: { fileAccess: true },
    action: { type: "block", message: "Reading or writing server files (INTO OUTFILE, LOAD DATA, LOAD_FILE) is not allowed", hint: "Airlock does not read or write files on the database server: select the rows and save them on your side, or INSERT them" },
  },
  {
    id: "block-drop",
    name: "Block DROP",
    match: { kinds: ["ddl"], ddl: ["drop"] },
    action: { type: "block", message: "DROP is not allowed", hint: "Drop objects through your migration process; through Airlock, delete the rows you mean with DELETE … WHERE (it needs approval)" },
  },
  {
    id: "block-truncate",
    name: "Block TRUNCATE",
    match: { kinds: ["truncate"] },
    action: { type: "block", message: "TRUNCATE is not allowed", hint: "Delete the rows you mean with DELETE … WHERE, which needs approval" },
  },
  {
    id: "block-unbounded-write",
    name: "Block UPDATE and DELETE without WHERE",
    match: { noWhere: true },
    action: { type: "block", message: "UPDATE or DELETE without WHERE would change every row" },
  },
  {
    id: "block-session-identity",
    name: "Block changing the session's identity, read-only mode or logging",
    match: { kinds: ["session"], settings: [...DANGEROUS_SETTINGS] },
    action: { type: "block", message: "Changing the session's role, authorization, read-only mode or logging is not allowed", hint: "Roles, read-only mode, logging and global settings are the operator's: Airlock runs your statements with the connection's own; leave the setting out" },
  },
  {
    id: "block-sensitive-catalogs",
    name: "Block planner statistics and credential catalogs",
    match: { tables: [...SENSITIVE_CATALOG_TABLES] },
    action: { type: "block", message: "This catalog holds column sample values or credentials", hint: "For the schema, read information_schema.columns or ask Airlock to describe the connection (GET /v1/connections/:name/schema, describe_schema)" },
  },
  {
    id: "approve-writes",
    name: "Writes need approval",
    match: { writes: true },
    action: { type: "require_approval" },
  },
  {
    id: "approve-changes",
    name: "Data changes, schema changes, grants, locks, maintenance and procedures need approval",
    match: { kinds: ["insert", "update", "delete", "merge", "ddl", "grant", "lock", "maintenance", "procedural"] },
    action: { type: "require_approval" },
  },
  {
    id: "approve-copy-from",
    name: "COPY FROM needs approval",
    match: { copy: { direction: ["from"] } },
    action: { type: "require_approval" },
  },
  {
    id: "allow-reads",
    name: "Reads are allowed",
    match: { kinds: ["select", "explain", "transaction", "session"] },
    action: { type: "allow" },
  },
  {
    id: "allow-copy-to-client",
    name: "COPY to the client is allowed",
    match: { copy: { direction: ["to"], target: ["stdio"] } },
    action: { type: "allow" },
  },
  {
    id: "allow-show",
    name: "SHOW and DESCRIBE are allowed",
    match: { kinds: ["other"], regex: { pattern: "^\\s*(show|describe|desc)\\s", flags: "i" } },
    action: { type: "allow" },
  },
];

const input: PolicyInput = {
  id: DEFAULT_POLICY_ID,
  name: "Airlock defaults",
  description: "Fail closed: unanalysable statements need approval, destructive ones are blocked, writes need approval, reads are allowed.",
  settings: { defaultAction: "require_approval", maxRows: 1000, detectors: "all" },
  rules,
};

const parsed = policySchema.parse(input);

/** A fresh copy of the built-in defaults. */
export function defaultPolicy(): Policy {
  return structuredClone(parsed);
}
