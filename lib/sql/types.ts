// The one shape every dialect's analysis produces. Policy, masking and every front door read only this.

export type Dialect = "postgres" | "mysql";

export type StatementKind =
  | "select"
  | "insert"
  | "update"
  | "delete"
  | "merge"
  | "truncate"
  | "ddl"
  | "grant" // GRANT and REVOKE
  | "copy"
  | "transaction" // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...
  | "session" // SET, SET ROLE, RESET, SET SESSION AUTHORIZATION, USE (mysql)
  | "explain"
  | "procedural" // DO, CALL
  | "lock"
  | "maintenance" // VACUUM, ANALYZE, REINDEX, CLUSTER, CHECKPOINT, OPTIMIZE TABLE
  | "other"
  | "unknown";

export type DdlAction = "create" | "alter" | "drop";

/**
 * A table as the statement names it, lower-cased where the dialect folds unquoted identifiers,
 * schema-qualified when the statement qualified it: "public.customers" or "customers".
 * Aliases and CTE names are always resolved away: a CTE is never reported as a table.
 */
export type TableName = string;

/** One source column. `column === "*"` means every column of `table` (a star or a whole-row reference). */
export interface SourceColumn {
  readonly table: TableName;
  readonly column: string;
}

export interface OutputColumn {
  /** The name the client will see (alias, column name, or the dialect's default such as "?column?"). */
  readonly name: string;
  /**
   * Every source column this output is derived from, through expressions, functions, casts, concatenation,
   * aggregates, subqueries and CTEs. An unqualified column that could belong to several tables in scope is
   * reported once per candidate table (conservative).
   */
  readonly sources: readonly SourceColumn[];
  /** True when the output is exactly one source column passed through unchanged (no expression). */
  readonly direct: boolean;
}

export interface CopyInfo {
  readonly direction: "to" | "from";
  /** stdio: STDIN/STDOUT; file: a server-side file; program: a shell command. */
  readonly target: "stdio" | "file" | "program";
}

/**
 * One data modification a statement performs: the top-level INSERT/UPDATE/DELETE/MERGE and every
 * data-modifying CTE (`WITH d AS (DELETE FROM t RETURNING *) SELECT ...` keeps kind "select" but lists
 * `{ kind: "delete", table: "t", hasWhere: false }` here), so policy can treat it as the write it is.
 */
export interface NestedWrite {
  readonly kind: "insert" | "update" | "delete" | "merge";
  readonly table: TableName;
  /** UPDATE/DELETE: has a WHERE clause. Always true for insert and merge. */
  readonly hasWhere: boolean;
  /** PostgreSQL UPDATE, and INSERT … ON CONFLICT DO UPDATE: the columns SET assigns (names as the parser folded them). */
  readonly assigned?: readonly string[];
}

/** Why a statement is `unknown`, as a stable code (the human text is in `error`). */
export type AnalysisErrorCode =
  | "parse_error"
  | "empty_statement"
  | "input_too_large"
  | "time_budget_exceeded"
  | "nesting_too_deep"
  | "not_initialised"
  | "unanalysable";

export interface StatementAnalysis {
  readonly dialect: Dialect;
  readonly kind: StatementKind;
  /** This statement's own text, as it appeared in the input. */
  readonly text: string;
  /** Constants replaced by placeholders. */
  readonly normalized: string;
  /** Stable across constants and whitespace (libpg-query's fingerprint for PostgreSQL). */
  readonly fingerprint: string;
  /** For ddl: what was done and to what kind of object ("table", "index", "view", "schema", "database", "function", ...). */
  readonly ddl?: { readonly action: DdlAction; readonly objectType: string };
  readonly tablesRead: readonly TableName[];
  /** Includes tables written by data-modifying CTEs, and the table of an INSERT ... SELECT. */
  readonly tablesWritten: readonly TableName[];
  /** Empty for statements that return no rows (unless RETURNING). */
  readonly outputColumns: readonly OutputColumn[];
  /** Columns used in WHERE, JOIN ... ON/USING, ORDER BY, GROUP BY, HAVING (probing of masked columns). */
  readonly predicateColumns: readonly SourceColumn[];
  /** Columns read by expressions whose values a write stores (`UPDATE t SET a = b`, ON CONFLICT SET, MERGE). */
  readonly storedColumns?: readonly SourceColumn[];
  /** Functions called, lower-cased, schema-qualified when the statement qualified them ("pg_catalog.pg_read_file"). */
  readonly functions: readonly string[];
  /** UPDATE/DELETE: has a WHERE clause. Always true for other kinds. */
  readonly hasWhere: boolean;
  /** SELECT: has a LIMIT (or FETCH FIRST). */
  readonly hasLimit: boolean;
  /** The literal LIMIT when it is a constant. */
  readonly limit?: number;
  readonly copy?: CopyInfo;
  /** MySQL INTO OUTFILE/DUMPFILE, LOAD DATA [LOCAL] INFILE, LOAD_FILE(): reads or writes server files. */
  readonly fileAccess?: boolean;
  /** EXPLAIN: ANALYZE executes the inner statement, so it is analysed too. */
  readonly explain?: { readonly analyze: boolean; readonly inner: StatementAnalysis };
  /** session kind: the setting changed ("role", "search_path", "session_authorization", ...). */
  readonly setting?: string;
  /** unknown kind: why (the parser's message, "input too large", "analysis time budget exceeded", ...). */
  readonly error?: string;
  /** unknown kind: `error` as a stable code. */
  readonly errorCode?: AnalysisErrorCode;
  /**
   * unknown kind: the dialect's own parser rejected the text (PostgreSQL's, which is the server's grammar): a syntax
   * error to answer at once, never a statement for a person to approve. Position: 1-based character in the text.
   */
  readonly syntaxError?: { readonly message: string; readonly position?: number };
  /**
   * Every data modification, top-level and nested (data-modifying CTEs, EXPLAIN ANALYZE of a write).
   * Absent when the statement modifies no table rows.
   */
  readonly writes?: readonly NestedWrite[];
}

export interface Analysis {
  readonly dialect: Dialect;
  /** One entry per statement in the text; a text that cannot be parsed yields one `unknown` entry. */
  readonly statements: readonly StatementAnalysis[];
  /** More than one statement in the text. */
  readonly multiStatement: boolean;
}
