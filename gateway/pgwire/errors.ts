import type { EngineErrorCode } from "../engine/errors";
import type { AuthErrorCode } from "../identity/types";

// The wire door's errors in PostgreSQL's own form: a SQLSTATE per engine and authentication failure. Messages
// come from the engine and identity modules, which keep them safe to show an agent.

export const SQLSTATE = {
  insufficientPrivilege: "42501",
  invalidPassword: "28P01",
  invalidAuthorization: "28000",
  unknownDatabase: "3D000",
  protocolViolation: "08P01",
  connectionFailure: "08006",
  featureNotSupported: "0A000",
  queryCanceled: "57014",
  programLimitExceeded: "54000",
  adminShutdown: "57P01",
  tooManyConnections: "53300",
  internal: "XX000",
} as const;

export const engineSqlState: Record<EngineErrorCode, string> = {
  sql_too_large: "54000",
  bad_params: "22023",
  transaction_control: "0A000", // never raised here: the door passes transaction control through its own session
  recording_unavailable: "58000",
  target_unavailable: SQLSTATE.connectionFailure,
  target_timeout: SQLSTATE.queryCanceled,
  target_error: SQLSTATE.internal,
  cancelled: SQLSTATE.queryCanceled,
  masking_mismatch: SQLSTATE.insufficientPrivilege,
  approval_not_found: SQLSTATE.insufficientPrivilege,
  approval_not_yours: SQLSTATE.insufficientPrivilege,
  approval_used: SQLSTATE.insufficientPrivilege,
  approval_mismatch: SQLSTATE.insufficientPrivilege,
  shutting_down: SQLSTATE.adminShutdown,
};

/** As PostgreSQL answers: a bad password is 28P01; no usable credential, or a role not permitted to log in (a disabled agent), is 28000. */
export function authSqlState(code: AuthErrorCode): string {
  if (code === "missing_credentials" || code === "malformed_credentials" || code === "oidc_unavailable" || code === "agent_disabled") return SQLSTATE.invalidAuthorization;
  return SQLSTATE.invalidPassword;
}
