// The identity module's vocabulary: who an agent is once authenticated, and the error values the front
// doors turn into their own protocol's error form. Every `message` is safe to show the agent: it never
// echoes the credential, a hash, a key or a database detail.

/** An authenticated agent, as the engine sees it for one request. */
export interface AgentIdentity {
  readonly agentId: string;
  readonly agentName: string;
  /** For tokens: the Agent row's groups. For OIDC: the token's groups claim at this request. */
  readonly groups: readonly string[];
  readonly via: "token" | "oidc";
  /** Agent-token sign-ins: the AgentToken row and its public prefix (safe for logs and recordings). */
  readonly tokenId?: string;
  readonly tokenPrefix?: string;
  /** OIDC sign-ins: the value of the agent claim (`sub` by default). */
  readonly subject?: string;
}

export type AuthErrorCode =
  | "missing_credentials"
  | "malformed_credentials"
  | "unknown_token"
  | "expired_token"
  | "revoked_token"
  | "agent_disabled"
  | "invalid_jwt"
  | "oidc_unavailable";

export interface AuthFailure {
  readonly ok: false;
  readonly code: AuthErrorCode;
  readonly message: string;
}

export type AuthResult = { readonly ok: true; readonly agent: AgentIdentity } | AuthFailure;

/** Settings for agents that present a JWT from the company's identity provider. */
export interface OidcSettings {
  /** Exact `iss` the tokens carry, e.g. "https://login.example.com/realms/main". */
  readonly issuer: string;
  /** Expected `aud` (the resource indicator / API identifier configured for Airlock at the provider). */
  readonly audience: string;
  /** JWKS location; when absent it is read from `${issuer}/.well-known/openid-configuration`. */
  readonly jwksUrl?: string;
  /** Claim holding the groups: a top-level name, or a dotted path such as "realm_access.roles". Default "groups". */
  readonly groupsClaim?: string;
  /** Claim naming the agent (the Agent row is `oidc:<value>`). Default "sub". */
  readonly agentClaim?: string;
  /** Leeway for exp/nbf/iat, in seconds. Default 0. */
  readonly clockToleranceSec?: number;
  /** Minimum time between two JWKS fetches triggered by an unknown `kid` (default 5 000 ms). */
  readonly jwksCooldownMs?: number;
  /** Time the JWKS document is trusted before it is refetched (default 600 000 ms). */
  readonly jwksCacheMaxAgeMs?: number;
  /** Abort a discovery or JWKS request after this long (default 5 000 ms). */
  readonly httpTimeoutMs?: number;
}

export function failure(code: AuthErrorCode, message: string): AuthFailure {
  return { ok: false, code, message };
}
