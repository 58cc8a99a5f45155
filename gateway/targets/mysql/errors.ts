import { TargetError, networkError, unknownDriverError } from "../errors";

// mysql2 failures → TargetError. Server errors have an errno and a SQLSTATE; client-side failures have only a
// code. mysql2 errors also carry the SQL text (`sql`) and sometimes the config: none of that is copied.

const AUTH_ERRNOS = new Set([1044, 1045, 1698, 1251, 1275, 2049, 1862]);
const TOO_MANY_ERRNOS = new Set([1040, 1203, 1226]);
const TIMEOUT_ERRNOS = new Set([1969, 3024]);
const READ_ONLY_ERRNOS = new Set([1792, 1836]);
const UNREACHABLE_ERRNOS = new Set([1049, 1053, 1077, 1129, 1130, 1152, 1184]);
const UNREACHABLE_CODES = new Set(["PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR", "POOL_CLOSED", "EADDRNOTAVAIL"]);

interface MysqlLikeError {
  code?: unknown;
  errno?: unknown;
  sqlState?: unknown;
  sqlMessage?: unknown;
  message?: unknown;
}

export function mysqlError(error: unknown): TargetError {
  if (error instanceof TargetError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as MysqlLikeError;
  const code = typeof e.code === "string" ? e.code : undefined;
  const errno = typeof e.errno === "number" ? e.errno : undefined;
  const sqlState = typeof e.sqlState === "string" && /^[0-9A-Z]{5}$/.test(e.sqlState) ? e.sqlState : undefined;
  if (errno !== undefined && sqlState !== undefined) {
    const message = typeof e.sqlMessage === "string" ? e.sqlMessage : typeof e.message === "string" ? e.message : "";
    return fromServer(errno, sqlState, message);
  }
  const network = networkError(code);
  if (network !== undefined) return network;
  if (code === "HANDSHAKE_NO_SSL_SUPPORT") return new TargetError("unreachable", "the database server does not accept TLS connections");
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return new TargetError("unreachable", "the database connection was closed unexpectedly");
  return unknownDriverError(code);
}

function fromServer(errno: number, sqlState: string, message: string): TargetError {
  const details = { errno, sqlState };
  if (AUTH_ERRNOS.has(errno)) return new TargetError("auth_failed", "the database rejected the gateway's credentials", details);
  if (TOO_MANY_ERRNOS.has(errno)) return new TargetError("too_many_connections", "the database has no free connection slots", details);
  if (TIMEOUT_ERRNOS.has(errno)) return new TargetError("timeout", "the statement exceeded its time limit and was stopped by the database", details);
  if (errno === 1317) return new TargetError("cancelled", "the statement was cancelled", details);
  if (READ_ONLY_ERRNOS.has(errno) || (errno === 1290 && /read.only/i.test(message))) return new TargetError("read_only_violation", message, details);
  if (UNREACHABLE_ERRNOS.has(errno)) return new TargetError("unreachable", `the database is not available (${errno})`, details);
  return new TargetError("sql_error", message, details);
}
