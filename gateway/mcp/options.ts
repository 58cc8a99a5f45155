import { readConfig } from "../../lib/config/env";

// The MCP door's settings: the byte budget of a tool's answer and the progress period while a statement waits
// for approval. From the environment (validated at start-up by lib/config/env.ts) unless given.

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
  const read = readConfig();
  const config = read.ok ? read.config : undefined;
  return {
    resultBytes: given.resultBytes ?? config?.AIRLOCK_MCP_RESULT_BYTES ?? DEFAULT_RESULT_BYTES,
    progressMs: given.progressMs ?? config?.AIRLOCK_MCP_PROGRESS_MS ?? DEFAULT_PROGRESS_MS,
  };
}
