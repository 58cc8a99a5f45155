import { compileRowMasker, redactDetected, type MaskingOptions } from "../../lib/masking";
import type { ResolvedMasks } from "../../lib/masking";
import type { ResultColumnOrigin } from "./column-masks";
import type { MaskingPlan } from "../../lib/policy";
import type { Analysis } from "../../lib/sql/types";
import type { Target, TargetIdentity, TargetResult } from "../targets";
import { TargetError } from "../targets";
import { EngineError } from "./errors";
import { HIDDEN_ERROR_TEXT, mayQuoteStoredValue } from "./error-text";
import type { ResultColumn, StatementResult } from "./types";

// Executes an already-decided text on one target connection — several statements in one transaction, all or
// nothing — and masks each result with the plan policy made for it before anything leaves this function.

export interface RunOptions {
  readonly rowLimit: number;
  readonly timeoutMs: number;
  readonly readOnly: boolean;
  readonly signal?: AbortSignal;
  readonly masking: MaskingOptions;
  /** Value-quoting database errors keep only their SQLSTATE (error-text.ts). */
  readonly hideErrorText: boolean;
  /**
   * One mask per column of a result (engine/column-masks.ts): policy's plan, the columns' origins (a view's column
   * followed through its definition, a masked table column reached in a way the analysis could not see) and the
   * detectors, through lib/masking's resolver.
   */
  readonly columnMasks: (plan: MaskingPlan | undefined, columns: readonly ResultColumnOrigin[], statementIndex: number) => ResolvedMasks | Promise<ResolvedMasks>;
  /** The connection is the client's own session (a wire door): its transaction control runs there, as sent. */
  readonly sessionTransactions?: boolean;
  /** The agent the statements run for, visible to the database on the pooled connection (targets/identity.ts). */
  readonly identity?: TargetIdentity;
}

type TargetColumn = TargetResult["columns"][number];

export async function runStatements(
  target: Pick<Target, "execute" | "executeAll">,
  analysis: Analysis,
  params: readonly unknown[],
  plans: readonly MaskingPlan[],
  options: RunOptions,
): Promise<StatementResult[]> {
  // Each request runs on a pooled connection it does not keep, so transaction control could only mislead: a BEGIN
  // would not hold the next request's UPDATE, nor a ROLLBACK undo it. Several statements in one text already run
  // as one transaction; the PostgreSQL door keeps a session for clients that need their own.
  const control = options.sessionTransactions ? -1 : analysis.statements.findIndex((statement) => statement.kind === "transaction");
  if (control >= 0) {
    throw new EngineError(
      "transaction_control",
      "Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, SET TRANSACTION) is not run here: each request is its own transaction. Send the statements together in one text, which runs all or nothing, or use the PostgreSQL door for a session.",
      { statementIndex: control },
    );
  }
  const statements = analysis.statements.map((statement) => statement.text);
  let raw: TargetResult[];
  try {
    raw = statements.length === 1 ? [await target.execute(statements[0]!, params, options)] : await target.executeAll(statements, options);
  } catch (error) {
    throw engineErrorFrom(error, options.hideErrorText);
  }
  const masks = await Promise.all(raw.map((result, index) => options.columnMasks(plans[index], result.columns.map(originOf), index)));
  return raw.map((result, index) => maskResult(index, result, masks[index]!, options.masking));
}

function originOf(column: TargetColumn): ResultColumnOrigin {
  return {
    name: column.name,
    source: column.table && column.column ? `${column.table}.${column.column}` : (column.table ?? column.name),
    ...(column.tableOid !== undefined ? { tableOid: column.tableOid, columnNumber: column.columnNumber ?? 0 } : {}),
  };
}

function maskResult(statementIndex: number, result: TargetResult, resolved: ResolvedMasks, masking: MaskingOptions): StatementResult {
  if (!resolved.ok) throw new EngineError("masking_mismatch", resolved.message, { statementIndex });
  const columns: ResultColumn[] = result.columns.map((column, i) => {
    const { masked } = resolved.columns[i]!;
    return masked ? { name: column.name, type: "text", masked } : { name: column.name, type: column.type };
  });
  const mask = compileRowMasker(resolved.columns.map((column) => column.mask), masking);
  const rows = result.rows.map((row) => mask(row));
  return { statementIndex, command: result.command, columns, rows, rowCount: result.rowCount, truncated: result.truncated, durationMs: result.durationMs };
}

function engineErrorFrom(error: unknown, hideErrorText: boolean): EngineError {
  if (!(error instanceof TargetError)) return new EngineError("target_error", "The statement failed in the gateway");
  switch (error.code) {
    case "unreachable":
    case "auth_failed":
    case "too_many_connections":
      return new EngineError("target_unavailable", "The target database cannot be reached right now");
    case "timeout":
      return new EngineError("target_timeout", "The statement ran past the connection's time limit and was stopped");
    case "cancelled":
      return new EngineError("cancelled", "The statement was cancelled");
    default: {
      // See error-text.ts: hidden when it may quote a masked value; otherwise still through the value detectors.
      const message = hideErrorText && mayQuoteStoredValue(error.sqlState) ? HIDDEN_ERROR_TEXT : redactDetected(error.message);
      // MySQL's own error number goes along, so the MySQL door answers with it.
      return new EngineError("target_error", message, { sqlState: error.sqlState, ...(error.errno !== undefined ? { mysqlErrno: error.errno } : {}) });
    }
  }
}
