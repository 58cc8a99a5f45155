import type { Analysis } from "../../lib/sql/types";
import type { Decision } from "../../lib/policy";
import type { StatementResult } from "./types";

// What the recorder keeps of a statement, a decision and a result. Built from analyses, decisions and
// already-masked results only: parameter values and unmasked rows never reach a recording.

export const RESULT_SAMPLE_ROWS = 5;

export function statementSummary(analysis: Analysis, params: readonly unknown[], connection: string) {
  return {
    connection,
    statements: analysis.statements.map((statement) => ({
      kind: statement.kind,
      tablesRead: statement.tablesRead,
      tablesWritten: statement.tablesWritten,
      functions: statement.functions,
      ...(statement.error ? { error: statement.error } : {}),
    })),
    multiStatement: analysis.multiStatement,
    // Parameter values may be sensitive: only their count and types are kept.
    params: params.map((value) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value)),
  };
}

export function decisionSummary(decision: Decision, analysis: Analysis) {
  const unique = (names: readonly string[]) => [...new Set(names)];
  return {
    action: decision.action,
    tables: {
      read: unique(analysis.statements.flatMap((statement) => statement.tablesRead)),
      written: unique(analysis.statements.flatMap((statement) => statement.tablesWritten)),
    },
    matched: decision.matched.map((rule) => ({ policy: rule.policyId, rule: rule.ruleId, action: rule.action, what: rule.what })),
    reasons: decision.reasons.map((reason) => ({ code: reason.code, message: reason.message, statement: reason.statementIndex })),
    hints: decision.hints,
    ...(decision.action === "block" ? { message: decision.message, code: decision.code } : {}),
    ...(decision.action === "require_approval" ? { approval: { ...decision.approval, expiresAt: decision.approval.expiresAt.toISOString() } } : {}),
    ...(decision.action !== "block"
      ? {
          masked: decision.masking.columns
            .filter((column) => column.strategy)
            .map((column) => ({ column: column.name, strategy: column.strategy?.kind, source: column.because?.source })),
        }
      : {}),
  };
}

export function resultSummary(results: readonly StatementResult[]) {
  return {
    statements: results.map((result) => ({
      command: result.command,
      rowCount: result.rowCount,
      truncated: result.truncated,
      durationMs: result.durationMs,
      columns: result.columns.map((column) => column.name),
      maskedColumns: result.columns.filter((column) => column.masked).map((column) => column.name),
      sample: result.rows.slice(0, RESULT_SAMPLE_ROWS),
    })),
  };
}
