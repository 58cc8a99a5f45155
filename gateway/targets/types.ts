import type { Catalog } from "../../lib/policy/decision";
import type { RelationOrigin } from "./postgres/schema";
import type { PgWireSession, WireSessionOptions } from "./postgres/wire-session";
import type { MysqlWireSession, WireFields } from "./mysql/wire-session";
import type { PreviewRequest, WritePreview } from "../approvals/preview/types";
import type { TargetIdentity } from "./identity";

// The target side of the gateway: the databases agents reach through Airlock. A Target runs one statement at a
// time on a pooled connection with credentials the agent never sees, and answers in one engine-neutral shape.

export type TargetEngine = "postgres" | "mysql";
export type TlsMode = "disable" | "prefer" | "require" | "verify_full";

/** The store's Connection row, as plain fields (no Prisma types, so this folder stays decoupled from the store). */
export interface ConnectionRecord {
  readonly id: string;
  readonly name: string;
  readonly engine: TargetEngine;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  /** AES-256-GCM envelope from lib/crypto/secret-box.ts, bound to `id`. Opened only when a pool is created. */
  readonly secretCiphertext: Uint8Array;
  readonly tls: TlsMode;
  readonly rowLimit: number;
  readonly statementTimeoutMs: number;
  readonly readOnly: boolean;
  readonly updatedAt: Date;
}

/**
 * The most bytes of row data one statement's result may hold in the gateway (values as they arrive); past it the
 * result is cut like one at the row limit. Wide rows times the row limit could otherwise fill the process's memory.
 */
export const RESULT_BYTES_LIMIT = 64 * 1024 * 1024;

export interface ExecuteOptions {
  /** At most this many rows come back; one more is read to know whether the result was cut. */
  readonly rowLimit: number;
  /** At most this many bytes of row data come back (default RESULT_BYTES_LIMIT); the result is cut past it. */
  readonly maxResultBytes?: number;
  /** Server-side statement timeout, plus a client-side deadline a little later that drops the connection. */
  readonly timeoutMs: number;
  /** Runs the statement in a read-only transaction (always on when the connection itself is read-only). */
  readonly readOnly: boolean;
  /** Aborting cancels the running statement on the server; the call rejects with code "cancelled". */
  readonly signal?: AbortSignal;
  /**
   * The agent the statement runs for, visible to the database (identity.ts): PostgreSQL settings airlock.agent,
   * airlock.agent_groups, airlock.session and application_name, transaction-local; MySQL user variables
   * @airlock_agent, @airlock_agent_groups, @airlock_session (NULL when absent, never a previous borrower's).
   */
  readonly identity?: TargetIdentity;
}

export interface ResultColumn {
  readonly name: string;
  /** The engine's type name: "int4", "text", "varchar" (pg `typname`); "int", "varchar", "datetime" (mysql). */
  readonly type: string;
  /** Origin table as "schema.table" when the column comes straight from one (mysql: "database.table"). */
  readonly table?: string;
  /** Origin column name in `table`, when known. */
  readonly column?: string;
  /** PostgreSQL: the relation oid and attribute number the column comes from (RowDescription), when it does. */
  readonly tableOid?: number;
  readonly columnNumber?: number;
}

export interface TargetResult {
  /** The command tag's verb: "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE TABLE", … */
  readonly command: string;
  readonly columns: readonly ResultColumn[];
  /** One array per row, values in column order, as the driver parsed them. */
  readonly rows: unknown[][];
  /** Rows returned (reads), or rows affected (writes). */
  readonly rowCount: number;
  /** True when the statement produced more rows than `rowLimit` (the rest were never read). */
  readonly truncated: boolean;
  readonly durationMs: number;
}

export interface SchemaColumn {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}

export interface SchemaTable {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly SchemaColumn[];
}

export interface SchemaDescription {
  readonly tables: readonly SchemaTable[];
  /** Schemas a bare table name resolves in, in order (pg: search_path; mysql: the connection's database). */
  readonly defaultSchemas: readonly string[];
  /** Views by "schema.view" (MySQL: and bare "view" in the connection's database), lowercased → defining SELECT (MySQL). */
  readonly views?: ReadonlyMap<string, string>;
}

export interface CatalogOptions {
  /** Read information_schema again instead of using the cached copy (kept ~30 s). */
  readonly refresh?: boolean;
}

export interface Target {
  readonly engine: TargetEngine;
  readonly connectionId: string;
  /** Runs exactly one statement (`$1…` parameters on pg, `?` on mysql). Rejects with a TargetError. */
  execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<TargetResult>;
  /**
   * Runs several parameterless statements in order on one connection, in one transaction: all of them or none
   * (MySQL/MariaDB: DDL commits implicitly). The row limit applies to each result, the timeout to the whole text.
   */
  executeAll(statements: readonly string[], options: ExecuteOptions): Promise<TargetResult[]>;
  describeSchema(): Promise<SchemaDescription>;
  /** lib/policy's Catalog: "schema.table" and bare "table" (default schema) → column names in ordinal order. */
  catalog(options?: CatalogOptions): Promise<Catalog>;
  /**
   * The base tables the target knows (lowercased "schema.table" and bare names in the default schemas, kept like the
   * catalog). A statement reading anything else — a view, a function's rows, a table newer than the snapshot — may
   * reach masked values the plan cannot see, so its database errors keep only their SQLSTATE.
   */
  baseTables?(): Promise<ReadonlySet<string>>;
  /** Resolves when the database answers `SELECT 1`; rejects with a TargetError otherwise. */
  ping(): Promise<void>;
  /** Waits for statements in flight, then closes the pool. Later calls reject with code "unreachable". */
  close(): Promise<void>;
  /** Capability (PostgreSQL): where result columns come from, by relation oid; the engine masks by origin with it. */
  readonly relationOrigins?: RelationOrigins["relationOrigins"];
  /**
   * Capability: the server's own parser on one statement, without running it (a server-side prepare, closed at
   * once), for statements Airlock's analysis cannot parse: a syntax error is answered at once, and a statement the
   * server accepts (a newer or older grammar than Airlock's parser) goes on to policy.
   */
  readonly checkSyntax?: (sql: string) => Promise<SyntaxCheck>;
  /**
   * Capability (MySQL): which of these tables (as a statement names them) are views, with their definitions as they
   * are now (lowercased names → defining SELECT). The engine masks a view's columns by what they select.
   */
  readonly viewDefinitions?: (tables: readonly string[]) => Promise<ReadonlyMap<string, string>>;
  /** Capability (PostgreSQL): a connection of its own for one wire client, outside the pool; the caller closes it. */
  readonly openSession?: (options: WireSessionOptions) => Promise<PgWireSession>;
  /** Capability (MySQL): a connection of its own for one MySQL-door client, outside the pool; the caller closes it. */
  readonly openMysqlSession?: (statementTimeoutMs: number, identity?: TargetIdentity) => Promise<MysqlWireSession>;
  /**
   * Capability: the dry run of one write that waits for approval, on a pooled connection, always rolled back (or
   * only EXPLAINed when a rollback could not undo it). Database errors and time limits come back as a "failed"
   * preview; rejects with a TargetError only when the target itself cannot be used (no connection, session set-up).
   */
  readonly previewWrite?: (request: PreviewRequest) => Promise<WritePreview>;
}

/** What the server's parser said of a statement: accepted (or it cannot tell), or a syntax error in its words. */
export type SyntaxCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly message: string; readonly errno: number; readonly sqlState: string }
  /** The server cannot say without running it (a statement kind it cannot prepare). */
  | { readonly ok: "unknown" };

/** "schema.table", column names and kind for relation oids (RowDescription's table oid). */
export interface RelationOrigins {
  relationOrigins(oids: readonly number[]): Promise<ReadonlyMap<number, RelationOrigin>>;
}

export type { RelationOrigin, PgWireSession, WireSessionOptions, MysqlWireSession, WireFields, TargetIdentity };

/** What a Target implementation is built from: the record's fields plus the opened secret. */
export interface TargetSettings {
  readonly connectionId: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  readonly tls: TlsMode;
  readonly readOnly: boolean;
  readonly poolSize: number;
}
