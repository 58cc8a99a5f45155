import type { StatementResult } from "../../engine/types";

// A statement's (already masked) result as JSON, the same for the HTTP API and MCP tools.

export function resultBody(result: StatementResult) {
  return {
    command: result.command,
    columns: result.columns.map(({ name, type }) => ({ name, type })),
    rows: result.rows,
    rowCount: result.rowCount,
    truncated: result.truncated,
    masked: result.columns.filter((column) => column.masked).map((column) => ({ column: column.name, ...column.masked })),
    durationMs: Math.round(result.durationMs * 100) / 100,
  };
}

/** Several statements' results: the last one's fields, and all of them in `results` when there are several. */
export function resultsBody(results: readonly StatementResult[]) {
  const last = results[results.length - 1];
  return {
    ...(last ? resultBody(last) : { columns: [], rows: [], rowCount: 0, truncated: false, masked: [] }),
    ...(results.length > 1 ? { results: results.map(resultBody) } : {}),
  };
}
