import { TargetError, networkError, unknownDriverError } from "../errors";

// node-postgres failures → TargetError. Server errors carry a SQLSTATE (`code`, five characters); everything
// else is a socket, TLS or pool failure and gets a fixed message (the driver's text is not copied).

const AUTH_STATES = new Set(["28000", "28P01"]);
const UNREACHABLE_STATES = new Set(["3D000", "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"]);

interface PgLikeError {
  code?: unknown;
  message?: unknown;
}

export function pgError(error: unknown): TargetError {
  if (error instanceof TargetError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as PgLikeError;
  const code = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : "";
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return fromSqlState(code, message);
  const network = networkError(code);
  if (network !== undefined) return network;
  if (message.includes("does not support SSL")) return new TargetError("unreachable", "the database server does not accept TLS connections");
  if (message.includes("timeout exceeded when trying to connect") || message.includes("connection timeout")) {
    return new TargetError("unreachable", "the database server did not accept a connection in time");
  }
  if (message.startsWith("Connection terminated")) return new TargetError("unreachable", "the database connection was closed unexpectedly");
  if (/password|SASL|SCRAM/i.test(message)) return new TargetError("auth_failed", "the database rejected the gateway's credentials");
  return unknownDriverError(code);
}

function fromSqlState(sqlState: string, message: string): TargetError {
  if (AUTH_STATES.has(sqlState)) return new TargetError("auth_failed", "the database rejected the gateway's credentials", { sqlState });
  if (sqlState === "53300") return new TargetError("too_many_connections", "the database has no free connection slots", { sqlState });
  if (sqlState === "25006") return new TargetError("read_only_violation", message, { sqlState });
  if (sqlState === "57014") {
    return message.includes("statement timeout")
      ? new TargetError("timeout", "the statement exceeded its time limit and was stopped by the database", { sqlState })
      : new TargetError("cancelled", "the statement was cancelled", { sqlState });
  }
  if (UNREACHABLE_STATES.has(sqlState)) return new TargetError("unreachable", `the database is not available (${sqlState})`, { sqlState });
  return new TargetError("sql_error", message, { sqlState });
}
