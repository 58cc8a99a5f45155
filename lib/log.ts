// Structured logs: one JSON object a line on stdout, for every Airlock process.
// Never log a secret, a statement parameter or a row value.

export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(component: string, level: LogLevel = "info", write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const threshold = order[level];
  const emit = (lvl: LogLevel) => (event: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < threshold) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, component, event, ...fields })}\n`);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** An error's message without its stack, for a log field. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
