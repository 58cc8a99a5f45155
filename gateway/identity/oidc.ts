import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import type { Logger } from "../../lib/log";
import { errorMessage } from "../../lib/log";
import { failure, type AuthFailure, type OidcSettings } from "./types";

// Verifies JWTs from the company's identity provider: signature against the provider's JWKS (fetched once,
// cached, refetched when a token names an unknown `kid` — so key rotation works — but no more often than the
// cooldown, so forged kids cannot hammer the provider), then iss, aud, exp (required), nbf. Only asymmetric
// algorithms are accepted: `none` and the HMAC family are refused before any key is looked at, which rules
// out the "HS256 signed with the public key" confusion.

export const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const;

const DEFAULT_HTTP_TIMEOUT_MS = 5_000;
/** jose's default is 30 s; 5 s lets a rotated key (new kid) verify sooner, and a JWKS fetch every 5 s at
 *  most — whatever kids a forger invents — costs the provider nothing. */
export const DEFAULT_JWKS_COOLDOWN_MS = 5_000;
const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 600_000;
/** After a failed discovery, wait this long before asking the provider again (requests fail fast meanwhile). */
const DISCOVERY_RETRY_MS = 2_000;

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url({ protocol: /^https?$/ }) });

export type OidcVerification = { readonly ok: true; readonly claims: JWTPayload } | AuthFailure;

export class OidcVerifier {
  readonly #settings: OidcSettings;
  readonly #now: () => Date;
  readonly #log: Logger;
  #keys: Promise<JWTVerifyGetKey> | undefined;
  #discoveryFailedAt = -Infinity;

  constructor(settings: OidcSettings, options: { now: () => Date; log: Logger }) {
    checkSettings(settings);
    this.#settings = settings;
    this.#now = options.now;
    this.#log = options.log;
  }

  async verify(jwt: string): Promise<OidcVerification> {
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.#keySet();
    } catch {
      return failure("oidc_unavailable", "The identity provider cannot be reached to check this JWT; try again shortly.");
    }
    try {
      const { payload } = await jwtVerify(jwt, keys, {
        issuer: this.#settings.issuer,
        audience: this.#settings.audience,
        algorithms: [...ASYMMETRIC_ALGORITHMS],
        requiredClaims: ["exp"],
        clockTolerance: this.#settings.clockToleranceSec ?? 0,
        currentDate: this.#now(),
      });
      return { ok: true, claims: payload };
    } catch (error) {
      return this.#refusal(error);
    }
  }

  #keySet(): Promise<JWTVerifyGetKey> {
    if (!this.#keys) {
      if (performance.now() - this.#discoveryFailedAt < DISCOVERY_RETRY_MS) return Promise.reject(new Error("discovery failed recently"));
      const timeoutDuration = this.#settings.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
      this.#keys = this.#jwksUrl().then((url) =>
        createRemoteJWKSet(url, {
          timeoutDuration,
          cooldownDuration: this.#settings.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
          cacheMaxAge: this.#settings.jwksCacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS,
        }),
      );
      this.#keys.catch((error: unknown) => {
        this.#keys = undefined;
        this.#discoveryFailedAt = performance.now();
        this.#log.warn("identity.oidc_discovery_failed", { issuer: this.#settings.issuer, error: errorMessage(error) });
      });
    }
    return this.#keys;
  }

  async #jwksUrl(): Promise<URL> {
    if (this.#settings.jwksUrl) return new URL(this.#settings.jwksUrl);
    const discovery = `${this.#settings.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const response = await fetch(discovery, {
      headers: { accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(this.#settings.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS),
    });
    if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
    const parsed = discoverySchema.safeParse(await response.json());
    if (!parsed.success) throw new Error("discovery document has no valid issuer / jwks_uri");
    // OpenID Connect Discovery §4.3: the document's issuer must be exactly the one configured.
    if (parsed.data.issuer !== this.#settings.issuer) throw new Error(`discovery issuer "${parsed.data.issuer}" is not the configured issuer`);
    return new URL(parsed.data.jwks_uri);
  }

  #refusal(error: unknown): AuthFailure {
    const code = typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : "";
    const claim = typeof error === "object" && error !== null && "claim" in error ? String((error as { claim: unknown }).claim) : "";
    switch (code) {
      case "ERR_JWT_EXPIRED":
        return failure("invalid_jwt", "The JWT has expired; get a new one from the identity provider.");
      case "ERR_JWT_CLAIM_VALIDATION_FAILED":
        return failure("invalid_jwt", claimMessage(claim));
      case "ERR_JOSE_ALG_NOT_ALLOWED":
        return failure("invalid_jwt", `The JWT's signing algorithm is not accepted (allowed: ${ASYMMETRIC_ALGORITHMS.join(", ")}).`);
      case "ERR_JWKS_NO_MATCHING_KEY":
      case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
        return failure("invalid_jwt", "The JWT is signed with a key the identity provider does not publish.");
      case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
        return failure("invalid_jwt", "The JWT's signature does not verify.");
      case "ERR_JWS_INVALID":
      case "ERR_JWT_INVALID":
      case "ERR_JOSE_NOT_SUPPORTED":
      case "ERR_JWK_INVALID":
        return failure("invalid_jwt", "The JWT is malformed or uses an unsupported feature.");
      default:
        // JWKS timeouts, non-200 answers, network errors: the provider, not the token, is the problem.
        this.#log.warn("identity.oidc_jwks_failed", { issuer: this.#settings.issuer, code, error: errorMessage(error) });
        return failure("oidc_unavailable", "The identity provider's signing keys cannot be fetched; try again shortly.");
    }
  }
}

function claimMessage(claim: string): string {
  switch (claim) {
    case "aud":
      return "The JWT is not meant for Airlock (audience mismatch).";
    case "iss":
      return "The JWT comes from an issuer Airlock does not trust.";
    case "nbf":
      return "The JWT is not valid yet.";
    case "exp":
      return "The JWT has no expiry; Airlock accepts only expiring tokens.";
    default:
      return "The JWT's claims do not validate.";
  }
}

function checkSettings(settings: OidcSettings): void {
  const problems: string[] = [];
  if (!/^https?:\/\/./.test(settings.issuer)) problems.push("issuer must be an http(s) URL");
  if (!settings.audience.trim()) problems.push("audience must not be blank");
  if (settings.jwksUrl !== undefined && !/^https?:\/\/./.test(settings.jwksUrl)) problems.push("jwksUrl must be an http(s) URL");
  if (settings.clockToleranceSec !== undefined && !(settings.clockToleranceSec >= 0 && settings.clockToleranceSec <= 300)) {
    problems.push("clockToleranceSec must be between 0 and 300");
  }
  if (problems.length > 0) throw new RangeError(`OIDC settings: ${problems.join("; ")}`);
}
