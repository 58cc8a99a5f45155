export { AgentAuthenticator, DEFAULT_CACHE_MS, type AgentAuthenticatorOptions } from "./authenticator";
export { authorizeConnection, listGrantedConnections, type ConnectionAccess, type GrantedConnection } from "./grants";
export { ASYMMETRIC_ALGORITHMS, DEFAULT_JWKS_COOLDOWN_MS } from "./oidc";
export { OIDC_AGENT_PREFIX } from "./oidc-agents";
export { MAX_CACHE_TTL_MS } from "./short-cache";
export type { AgentIdentity, AuthErrorCode, AuthFailure, AuthResult, OidcSettings } from "./types";
export type { ScramCredential } from "./agent-tokens";
