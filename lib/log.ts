// Structured logs: one JSON object a line on stdout, for every Airlock process.
// Never log a secret, a statement parameter or a row value.
//
// Lines are gathered and written once per turn of the event loop (and at exit): a statement logs two lines, and
// writing to a pipe is a blocking system call each time — under load that was one of the gateway's larger costs,
// and a slow reader of the pipe stalled the process. A line reaches stdout within one loop turn.

export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(component: string, level: LogLevel = "info", write: (line: string) => void = writeStdout): Logger {
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

/** Most bytes gathered before they are written at once, without waiting for the end of the loop turn. */
const MAX_GATHERED = 64 * 1024;
let gathered: string[] = [];
let gatheredBytes = 0;
let flushQueued = false;
let exitHooked = false;

/** Appends a line to what goes to stdout at the end of this loop turn. */
export function writeStdout(line: string): void {
  gathered.push(line);
  gatheredBytes += line.length;
  if (!exitHooked) {
    exitHooked = true;
    process.on("exit", flushStdout);
  }
  if (gatheredBytes >= MAX_GATHERED) return flushStdout();
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flushStdout);
  }
}

/** Writes what is gathered in one write (also run at exit: stdout is synchronous for files and pipes there). */
export function flushStdout(): void {
  flushQueued = false;
  if (gathered.length === 0) return;
  const text = gathered.join("");
  gathered = [];
  gatheredBytes = 0;
  process.stdout.write(text);
}
