import type { AuthErrorCode } from "../identity/types";

// The wire door's own SQLSTATEs (start-up, protocol, authentication). The engine's refusals carry their SQLSTATE
// themselves (engine/refusal.ts).

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

/** As PostgreSQL answers: a bad password is 28P01; no usable credential, or a role not permitted to log in (a disabled agent), is 28000. */
export function authSqlState(code: AuthErrorCode): string {
  if (code === "missing_credentials" || code === "malformed_credentials" || code === "oidc_unavailable" || code === "agent_disabled") return SQLSTATE.invalidAuthorization;
  return SQLSTATE.invalidPassword;
}
