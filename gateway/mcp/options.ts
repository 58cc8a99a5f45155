// The MCP door's settings: the byte budget of a tool's answer and the progress period while a statement waits
// for approval. main.ts passes the environment's (AIRLOCK_MCP_RESULT_BYTES, AIRLOCK_MCP_PROGRESS_MS).

export interface McpOptions {
  /** Most bytes of a result's text (and of its rows as JSON) in one tool answer: AIRLOCK_MCP_RESULT_BYTES. */
  readonly resultBytes: number;
  /** Milliseconds between progress notifications while waiting for an approval: AIRLOCK_MCP_PROGRESS_MS. */
  readonly progressMs: number;
}

/** About 10k tokens: well under Claude Code's 25k-token cut of a tool's output. */
export const DEFAULT_RESULT_BYTES = 40_000;
export const DEFAULT_PROGRESS_MS = 10_000;

export function mcpOptions(given: Partial<McpOptions> = {}): McpOptions {
  return { resultBytes: given.resultBytes ?? DEFAULT_RESULT_BYTES, progressMs: given.progressMs ?? DEFAULT_PROGRESS_MS };
}
