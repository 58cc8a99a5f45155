import type { StatementAnalysis } from "../../../lib/sql/types";
import type { TargetIdentity } from "../../targets/identity";

export type { PreviewFlag, PreviewFlagCode, PreviewSample, PreviewStatus, WritePreview } from "../../../lib/approvals/preview";

// A dry run of a write that waits for approval: what it would do, shown to the people who decide it (approval
// page, Slack, webhooks) and recorded with the request. It is always rolled back; a statement whose effects a
// rollback cannot undo is flagged and not run. Every row value in it has been masked for the requesting agent.

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
  /** Who asked: the dry run sees what the statement would (row-level security by airlock.agent, @airlock_agent). */
  readonly identity?: TargetIdentity;
}
