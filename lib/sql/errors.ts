// Errors of statement analysis. Analysis never throws at its caller: every failure becomes an `unknown`
// statement carrying one of these codes. `AnalysisAbort` is thrown inside a walk and caught at its edge.

import type { AnalysisErrorCode } from "./types";

export type { AnalysisErrorCode } from "./types";

export const ANALYSIS_ERROR_TEXT: Readonly<Record<AnalysisErrorCode, string>> = {
  parse_error: "statement could not be parsed",
  empty_statement: "empty statement",
  input_too_large: "input too large",
  time_budget_exceeded: "analysis time budget exceeded",
  nesting_too_deep: "statement nested too deeply",
  not_initialised: "SQL parsers not initialised: await initSqlParsers() first",
  unanalysable: "statement cannot be analysed",
};

/** Stops an analysis walk; caught where a statement's analysis is assembled. */
export class AnalysisAbort extends Error {
  readonly code: AnalysisErrorCode;
  constructor(code: AnalysisErrorCode, message: string = ANALYSIS_ERROR_TEXT[code]) {
    super(message);
    this.name = "AnalysisAbort";
    this.code = code;
  }
}

/** The code and message for anything thrown while parsing or walking one statement. */
export function describeFailure(error: unknown): { code: AnalysisErrorCode; message: string } {
  if (error instanceof AnalysisAbort) return { code: error.code, message: error.message };
  if (error instanceof RangeError) return { code: "nesting_too_deep", message: ANALYSIS_ERROR_TEXT.nesting_too_deep };
  const message = error instanceof Error ? error.message : String(error);
  if (/stack depth|memory exhausted|too deep|recursion/i.test(message)) {
    return { code: "nesting_too_deep", message: `${ANALYSIS_ERROR_TEXT.nesting_too_deep}: ${message}` };
  }
  return { code: "parse_error", message: message || ANALYSIS_ERROR_TEXT.parse_error };
}
