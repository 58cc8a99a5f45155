// Errors of the target side, as values with stable codes. A TargetError never carries the password, the
// connection string, the statement's parameters or the driver's own error object (mysql2 errors hold the SQL
// text; connection errors can hold the config). Only the fields below are copied over.
//
// "unreachable" and "auth_failed" mean the gateway could not use the database at all (HTTP 502).
// For "sql_error" the message is the database's own; it may quote a value from the statement (e.g.
// `invalid input syntax for type integer: "abc"`, `Duplicate entry 'x' for key`), so scrub before recording.

export type TargetErrorCode =
  | "unreachable"
  | "auth_failed"
  | "timeout"
  | "cancelled"
  | "sql_error"
  | "read_only_violation"
  | "too_many_connections";

export interface TargetErrorDetails {
  /** pg SQLSTATE, or the mysql SQLSTATE that goes with `errno`. */
  readonly sqlState?: string;
  /** mysql/mariadb error number. */
  readonly errno?: number;
}

export class TargetError extends Error {
  readonly code: TargetErrorCode;
  readonly sqlState?: string;
  readonly errno?: number;

  constructor(code: TargetErrorCode, message: string, details: TargetErrorDetails = {}) {
    super(message);
    this.name = "TargetError";
    this.code = code;
    if (details.sqlState !== undefined) this.sqlState = details.sqlState;
    if (details.errno !== undefined) this.errno = details.errno;
  }

  toJSON(): { code: TargetErrorCode; message: string; sqlState?: string; errno?: number } {
    return { code: this.code, message: this.message, sqlState: this.sqlState, errno: this.errno };
  }
}

export function isTargetError(value: unknown): value is TargetError {
  return value instanceof TargetError;
}

export const closedError = (): TargetError => new TargetError("unreachable", "the connection's target was closed (the connection changed or the gateway is stopping)");
export const timeoutError = (timeoutMs: number): TargetError => new TargetError("timeout", `the statement did not finish within ${timeoutMs} ms`);
export const cancelledError = (): TargetError => new TargetError("cancelled", "the statement was cancelled");

/** Node socket error codes that mean the server could not be reached or the link dropped. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ECONNABORTED",
]);

/** A safe "unreachable" error for a socket-level failure: only the errno-style code is kept. */
export function networkError(code: string | undefined): TargetError | undefined {
  if (code === undefined || !NETWORK_CODES.has(code)) return undefined;
  return new TargetError("unreachable", `the database server could not be reached (${code})`);
}

/** The last resort when a driver failure is not recognised: no driver text (it might hold anything), only a
 *  code-shaped code such as a TLS verification failure's `DEPTH_ZERO_SELF_SIGNED_CERT`. */
export function unknownDriverError(code?: unknown): TargetError {
  const shown = typeof code === "string" && /^[A-Z][A-Z0-9_]{1,60}$/.test(code) ? ` (${code})` : "";
  return new TargetError("unreachable", `the database connection failed${shown}`);
}
