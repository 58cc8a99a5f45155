import { compileRowMasker, redactDetected, type ColumnMask, type MaskingOptions } from "../../lib/masking";
import type { MaskingPlan } from "../../lib/policy";
import type { Analysis } from "../../lib/sql/types";
import type { Target, TargetResult } from "../targets";
import { TargetError } from "../targets";
import { EngineError } from "./errors";
import type { ResultColumn, StatementResult } from "./types";

// Executes an already-decided text, one statement at a time on one target connection, and masks each
// result with the plan policy made for it before anything leaves this function.

export interface RunOptions {
  readonly rowLimit: number;
  readonly timeoutMs: number;
  readonly readOnly: boolean;
  readonly signal?: AbortSignal;
  readonly masking: MaskingOptions;
}

export async function runStatements(
  target: Target,
  analysis: Analysis,
  params: readonly unknown[],
  plans: readonly MaskingPlan[],
  options: RunOptions,
): Promise<StatementResult[]> {
  const statements = analysis.statements.map((statement) => statement.text);
  let raw: TargetResult[];
  try {
    raw = [];
    for (const sql of statements) raw.push(await target.execute(sql, params, options));
  } catch (error) {
    throw engineErrorFrom(error, plans);
  }
  return raw.map((result, index) => maskResult(index, result, plans[index], options.masking));
}

function maskResult(statementIndex: number, result: TargetResult, plan: MaskingPlan | undefined, masking: MaskingOptions): StatementResult {
  const columns: ResultColumn[] = [];
  const masks: ColumnMask[] = [];
  for (let i = 0; i < result.columns.length; i++) {
    const column = result.columns[i]!;
    const planned = plan?.columns[i];
    // A masked column passed through as itself must arrive under the name policy planned for it: otherwise the
    // result is not shaped as policy expected (a stale catalog, a view) and nothing is returned rather than a
    // guess. Computed columns are not compared: engines name them differently (MariaDB uses the expression text).
    if (plan?.touchesMasked && (!planned || (planned.because?.via === "direct" && planned.name.toLowerCase() !== column.name.toLowerCase()))) {
      throw new EngineError("masking_mismatch", "The result's columns differ from what policy planned masking for; nothing was returned. Select the columns by name.", { statementIndex });
    }
    const strategy = planned?.strategy ?? null;
    masks.push({ strategy, detect: planned ? planned.detectors : (plan?.otherColumns.detectors ?? true) });
    columns.push(
      strategy && planned?.because
        ? {
            name: column.name,
            type: "text",
            masked: { strategy: strategy.kind, source: planned.because.source, via: planned.because.via, rule: planned.because.rule.ruleId },
          }
        : { name: column.name, type: column.type },
    );
  }
  if (plan?.touchesMasked && plan.columns.length !== result.columns.length) {
    throw new EngineError("masking_mismatch", "The result's columns differ from what policy planned masking for; nothing was returned. Select the columns by name.", { statementIndex });
  }
  const mask = compileRowMasker(masks, masking);
  const rows = result.rows.map((row) => mask(row));
  return { statementIndex, command: result.command, columns, rows, rowCount: result.rowCount, truncated: result.truncated, durationMs: result.durationMs };
}

function engineErrorFrom(error: unknown, plans: readonly MaskingPlan[]): EngineError {
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
      // A database error can quote the value it choked on (`invalid input syntax for type integer: "4242…"`):
      // when the text touches masked columns, only the SQLSTATE is passed on.
      const scrub = plans.some((plan) => plan.touchesMasked);
      // Otherwise the value detectors still run over the text, as a backstop (an approved write reading masked
      // values could quote one, e.g. `invalid input syntax for type integer: "4242 …"`).
      const message = scrub ? "The database refused the statement (details hidden: the statement touches masked columns)" : redactDetected(error.message);
      return new EngineError("target_error", message, { sqlState: error.sqlState });
    }
  }
}
