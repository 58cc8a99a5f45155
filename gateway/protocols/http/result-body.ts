import type { StatementResult } from "../../engine/types";

// A statement's (already masked) result as JSON, the same for the HTTP API and MCP tools.

/** `untrusted`: per column, flagged by policy as free text anyone may have written (`untrusted: true`). */
export function resultBody(result: StatementResult, untrusted?: readonly boolean[]) {
  return {
    command: result.command,
    columns: result.columns.map(({ name, type }, i) => ({ name, type, ...(untrusted?.[i] ? { untrusted: true } : {}) })),
    rows: result.rows,
    rowCount: result.rowCount,
    truncated: result.truncated,
    masked: result.columns.filter((column) => column.masked).map((column) => ({ column: column.name, ...column.masked })),
    durationMs: Math.round(result.durationMs * 100) / 100,
  };
}

/** Several statements' results: the last one's fields, and all of them in `results` when there are several. */
export function resultsBody(results: readonly StatementResult[], untrusted?: readonly (readonly boolean[] | undefined)[]) {
  const last = results[results.length - 1];
  return {
    ...(last ? resultBody(last, untrusted?.[results.length - 1]) : { columns: [], rows: [], rowCount: 0, truncated: false, masked: [] }),
    ...(results.length > 1 ? { results: results.map((result, i) => resultBody(result, untrusted?.[i])) } : {}),
  };
}
