import { agentTokenPrefix } from "../../lib/crypto/agent-token";
import { failure, type AuthFailure } from "./types";

// Reads an `Authorization` header into the credential it carries, without looking anything up.
// Two kinds are accepted after `Bearer `: an Airlock agent token (`alk_…`) and a compact JWS (three
// base64url parts). Anything else is refused here, before it reaches the store or the JWKS.

/** Longer headers are refused outright (a JWT with many groups is a few KB; this leaves ample room). */
export const MAX_AUTHORIZATION_LENGTH = 16 * 1024;

export type Credential =
  | { readonly kind: "agent_token"; readonly token: string; readonly prefix: string }
  | { readonly kind: "jwt"; readonly token: string };

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;
const SCHEME = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:[ \t]|$)/;
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function readCredential(header: string | undefined): Credential | AuthFailure {
  if (header === undefined || header.trim() === "") {
    return failure("missing_credentials", "Send `Authorization: Bearer <agent token or identity-provider JWT>`.");
  }
  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    return failure("malformed_credentials", "The Authorization header is too long.");
  }
  const bearer = BEARER.exec(header.trim());
  if (!bearer) {
    const scheme = SCHEME.exec(header.trim())?.[1];
    // Name the scheme only when it is a plain word (never echo what follows it).
    const seen = scheme && scheme.length <= 20 && !/^bearer$/i.test(scheme) ? ` (got "${scheme}")` : "";
    return failure("malformed_credentials", `The Authorization header must use the Bearer scheme${seen}.`);
  }
  const token = bearer[1];
  if (token.startsWith("alk_")) {
    const prefix = agentTokenPrefix(token);
    if (!prefix) return failure("malformed_credentials", "The bearer value starts like an Airlock agent token but is not shaped like one.");
    return { kind: "agent_token", token, prefix };
  }
  if (JWS.test(token)) return { kind: "jwt", token };
  return failure("malformed_credentials", "The bearer value is neither an Airlock agent token (alk_…) nor a JWT.");
}
