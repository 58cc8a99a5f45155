import { createLogger, type Logger } from "../../lib/log";
import type { Store } from "../../lib/store/client";
import { AgentTokenVerifier, type ScramCredential } from "./agent-tokens";
import { readCredential } from "./bearer";
import { groupsFrom, readClaim, subjectFrom } from "./claims";
import { OidcAgentDirectory } from "./oidc-agents";
import { OidcVerifier } from "./oidc";
import { failure, type AuthResult, type OidcSettings } from "./types";
import { UsageRecorder } from "./usage";

// The one entry point every front door calls with the request's `Authorization` header:
//
//   const auth = new AgentAuthenticator(store, { oidc });     // once per process
//   const result = await auth.authenticate(request.headers.authorization);
//   if (!result.ok) → 401 with result.code / result.message (problem+json, SQLSTATE 28000, MySQL 1045, MCP error)
//
// Results are values; only an unreachable store throws (the caller answers 503, it is not the agent's fault).

export const DEFAULT_CACHE_MS = 500;

export interface AgentAuthenticatorOptions {
  /** Verify identity-provider JWTs; without it only agent tokens are accepted. */
  readonly oidc?: OidcSettings;
  /** How long a positive store look-up may be reused, 0…500 ms (default 500). Bounds how late a revocation bites. */
  readonly cacheMs?: number;
  /** Wall clock for expiry checks and last-used stamps (tests pass a fixed one). */
  readonly now?: () => Date;
  readonly log?: Logger;
}

export class AgentAuthenticator {
  readonly #tokens: AgentTokenVerifier;
  readonly #oidc: { verifier: OidcVerifier; agents: OidcAgentDirectory; groupsClaim: string; agentClaim: string } | undefined;
  readonly #usage: UsageRecorder;

  constructor(store: Store, options: AgentAuthenticatorOptions = {}) {
    const cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
    const now = options.now ?? (() => new Date());
    const log = options.log ?? createLogger("identity");
    this.#usage = new UsageRecorder(store, now, log);
    this.#tokens = new AgentTokenVerifier(store, { cacheMs, now, usage: this.#usage });
    if (options.oidc) {
      this.#oidc = {
        verifier: new OidcVerifier(options.oidc, { now, log }),
        agents: new OidcAgentDirectory(store, { cacheMs, usage: this.#usage }),
        groupsClaim: options.oidc.groupsClaim || "groups",
        agentClaim: options.oidc.agentClaim || "sub",
      };
    }
  }

  async authenticate(authorizationHeader: string | undefined): Promise<AuthResult> {
    const credential = readCredential(authorizationHeader);
    if ("ok" in credential) return credential;
    if (credential.kind === "agent_token") return this.#tokens.verify(credential.token);
    return this.#authenticateJwt(credential.token);
  }

  /** SCRAM-SHA-256 on the PostgreSQL door: the verifier of the token with this public prefix (see AgentTokenVerifier). */
  scramCredential(prefix: string): Promise<ScramCredential> {
    return this.#tokens.scramCredential(prefix);
  }

  /** mysql_native_password on the MySQL door: the SHA1(SHA1(token)) verifiers stored for this public prefix. */
  mysqlNativeCredentials(prefix: string): Promise<{ tokenId: string; verifier: Buffer }[]> {
    return this.#tokens.mysqlNativeCredentials(prefix);
  }

  /** The token a SCRAM proof was checked against: revocation, expiry and the agent's state, exactly as for a bearer token. */
  authenticateTokenId(tokenId: string): Promise<AuthResult> {
    return this.#tokens.verifyId(tokenId);
  }

  /** Resolves once the last-used writes started so far are done (tests; graceful shutdown). */
  settled(): Promise<void> {
    return this.#usage.settled();
  }

  async #authenticateJwt(jwt: string): Promise<AuthResult> {
    const oidc = this.#oidc;
    if (!oidc) return failure("malformed_credentials", "This gateway accepts only Airlock agent tokens (alk_…); identity-provider sign-in is not configured.");
    const verified = await oidc.verifier.verify(jwt);
    if (!verified.ok) return verified;
    const subject = subjectFrom(readClaim(verified.claims, oidc.agentClaim));
    if (!subject) return failure("invalid_jwt", `The JWT has no usable "${oidc.agentClaim}" claim to name the agent.`);
    const groups = groupsFrom(readClaim(verified.claims, oidc.groupsClaim));
    const row = await oidc.agents.resolve(subject, groups);
    if (row.disabled) return failure("agent_disabled", "This agent is disabled in Airlock.");
    return { ok: true, agent: { agentId: row.id, agentName: row.name, groups, via: "oidc", subject } };
  }
}
