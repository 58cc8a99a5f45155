import type { StatementAnalysis } from "../../../lib/sql/types";

// A dry run of a write that waits for approval: what it would do, shown to the people who decide it (approval
// page, Slack, webhooks) and recorded with the request. It is always rolled back; a statement whose effects a
// rollback cannot undo is flagged and not run. Every row value in it has been masked for the requesting agent.

/** Why a statement was not run for its preview (or what the approver should know about one that was). */
export type PreviewFlagCode =
  | "ddl" // DDL (MySQL commits implicitly; never run for a preview)
  | "sequence" // nextval/setval, or an INSERT into a table whose default draws from a sequence / AUTO_INCREMENT
  | "volatile_function" // a function with side effects outside the transaction (dblink, user functions, …)
  | "notification" // NOTIFY / pg_notify
  | "non_transactional" // MySQL: a table whose engine cannot roll back (MyISAM, …)
  | "several_statements" // only single statements are previewed
  | "not_a_write" // nothing to preview (e.g. a SELECT that needs approval): EXPLAIN only
  | "unsupported"; // a statement kind previews do not cover (COPY, GRANT, …)

export interface PreviewFlag {
  readonly code: PreviewFlagCode;
  /** Safe to show: names functions or tables, never a value. */
  readonly detail: string;
}

export interface PreviewSample {
  /** The table whose rows changed ("schema.table" as the statement named it, or the bare name). */
  readonly table: string;
  readonly columns: readonly string[];
  /** Up to `sampleRows` rows as they were before (null where there was none, e.g. an INSERT). Masked. */
  readonly before: readonly (readonly unknown[] | null)[];
  /** The same rows after (null where the row is gone, e.g. a DELETE). Masked. */
  readonly after: readonly (readonly unknown[] | null)[];
  /** Columns whose values are masked in both lists. */
  readonly maskedColumns: readonly string[];
}

export interface WritePreview {
  /**
   * ran: executed inside a transaction that was rolled back (rowsAffected is exact);
   * explained: only the plan was read (flagged, or not a transactional write);
   * failed: the dry run raised an error or hit its time limit (message says which; nothing changed);
   * off: previews are turned off for the connection.
   */
  readonly status: "ran" | "explained" | "failed" | "off";
  readonly engine: "postgres" | "mysql";
  readonly flags: readonly PreviewFlag[];
  /** Rows the statement changed in the rolled-back run. */
  readonly rowsAffected?: number;
  /** The planner's estimate of rows touched (EXPLAIN). */
  readonly estimatedRows?: number;
  /** PostgreSQL: the plan's total cost (EXPLAIN). */
  readonly estimatedCost?: number;
  readonly sample?: PreviewSample;
  /** failed: the error, scrubbed of values (SQLSTATE and a message safe to show). */
  readonly error?: { readonly message: string; readonly sqlState?: string };
  readonly durationMs: number;
}

/** Masks sample rows as a result of `SELECT columns FROM table` would be masked for the requesting agent. */
export type PreviewMasker = (
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[] | null)[],
) => Promise<{ readonly rows: readonly (readonly unknown[] | null)[]; readonly maskedColumns: readonly string[] }>;

export interface PreviewRequest {
  /** The one statement to preview (the pipeline previews single statements only). */
  readonly statement: StatementAnalysis;
  readonly params: readonly unknown[];
  /** Rows in the before/after sample (default 5). */
  readonly sampleRows: number;
  /** statement_timeout / max_statement_time of the dry run. */
  readonly statementTimeoutMs: number;
  /** lock_timeout / innodb_lock_wait_timeout of the dry run: a preview never queues behind real work for long. */
  readonly lockTimeoutMs: number;
  readonly mask: PreviewMasker;
}
