import { hashAgentToken, parseScramVerifier, sameHash, type ScramVerifier } from "../../lib/crypto/agent-token";
import type { Store } from "../../lib/store/client";
import { ShortCache, STORE_OUTAGE_GRACE_MS } from "./short-cache";
import { failure, type AuthResult } from "./types";
import type { UsageRecorder } from "./usage";

// Agent tokens: the token's SHA-256 is looked up in `AgentToken.hash` (unique index). The row — with its
// agent's state — is cached for at most `cacheMs` (≤ 500 ms), so revoking a token or disabling an agent
// reaches every gateway process within that. Expiry is checked against the clock on every request, cached
// or not. The cache is keyed by the hash, never by the token itself.
//
// SCRAM (the PostgreSQL door without TLS) never sees the token: `scramCredential(prefix)` finds the verifier to
// run the exchange against, and once the proof holds, `verifyId(tokenId)` applies the same checks as `verify`
// to a freshly read row (no cache: a revocation made while the exchange ran still counts).

interface TokenRow {
  readonly id: string;
  readonly prefix: string;
  readonly hash: string;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly agent: { readonly id: string; readonly name: string; readonly groups: string[]; readonly disabled: boolean; readonly lastSeenAt: Date | null };
}

const tokenSelect = {
  id: true,
  prefix: true,
  hash: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  agent: { select: { id: true, name: true, groups: true, disabled: true, lastSeenAt: true } },
} as const;

/** The token a SCRAM exchange is run against, or why there is none (the door then runs a mock exchange). */
export type ScramCredential =
  | { readonly found: true; readonly tokenId: string; readonly verifier: ScramVerifier; readonly others: number }
  | { readonly found: false; readonly reason: "unknown_prefix" | "no_verifier" };

const PREFIX = /^alk_[A-Za-z0-9]{8}$/;
/** Rows read for one prefix: prefixes are random (47 bits), so more than one is already a coincidence. */
const MAX_SHARED_PREFIX = 20;

export class AgentTokenVerifier {
  readonly #store: Store;
  readonly #cache: ShortCache<TokenRow>;
  readonly #now: () => Date;
  readonly #usage: UsageRecorder;

  constructor(store: Store, options: { cacheMs: number; now: () => Date; usage: UsageRecorder }) {
    this.#store = store;
    this.#cache = new ShortCache(options.cacheMs, { staleIfErrorMs: STORE_OUTAGE_GRACE_MS });
    this.#now = options.now;
    this.#usage = options.usage;
  }

  /** `token` must already have the agent-token shape (see readCredential). Store errors are thrown. */
  async verify(token: string): Promise<AuthResult> {
    const hash = hashAgentToken(token);
    // The index matched on equality already; the constant-time re-check guards against a store or collation that
    // compares loosely (case, trailing blanks).
    const matching = (found: TokenRow | null) => (found && sameHash(found.hash, hash) ? found : undefined);
    const row = matching(await this.#cache.load(hash, () => this.#store.agentToken.findUnique({ where: { hash }, select: tokenSelect }), matching));
    if (!row) return failure("unknown_token", "This agent token is not recognised.");
    return this.#admit(row);
  }

  /**
   * The SCRAM verifier for a token's public prefix. Prefixes are not unique: of the tokens sharing one, the newest
   * usable one (not revoked or expired, agent enabled, with a verifier) is taken; when none is usable, the newest
   * with a verifier (its holder then learns, after a correct proof, why it is refused). Only its holder can
   * complete the exchange either way, so a shared prefix never lets one token stand for another.
   */
  async scramCredential(prefix: string): Promise<ScramCredential> {
    if (!PREFIX.test(prefix)) return { found: false, reason: "unknown_prefix" };
    const rows = await this.#store.agentToken.findMany({
      where: { prefix },
      select: { ...tokenSelect, scramVerifier: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: MAX_SHARED_PREFIX,
    });
    // exact comparison: the store's collation must not stretch what "the same prefix" means
    const candidates = rows
      .filter((row) => row.prefix === prefix)
      .map((row) => ({ row, verifier: row.scramVerifier === null ? null : parseScramVerifier(row.scramVerifier) }));
    if (candidates.length === 0) return { found: false, reason: "unknown_prefix" };
    const chosen = candidates.find((c) => c.verifier !== null && this.#refusal(c.row) === null) ?? candidates.find((c) => c.verifier !== null);
    if (!chosen?.verifier) return { found: false, reason: "no_verifier" };
    return { found: true, tokenId: chosen.row.id, verifier: chosen.verifier, others: candidates.length - 1 };
  }

  /**
   * The mysql_native_password verifiers (SHA1(SHA1(token))) stored for a public prefix, usable tokens first; the
   * MySQL door checks a client's scramble against each (a prefix is shared by at most a handful of tokens).
   */
  async mysqlNativeCredentials(prefix: string): Promise<{ tokenId: string; verifier: Buffer }[]> {
    if (!PREFIX.test(prefix)) return [];
    const rows = await this.#store.agentToken.findMany({
      where: { prefix },
      select: { ...tokenSelect, mysqlNativeVerifier: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: MAX_SHARED_PREFIX,
    });
    return rows
      .filter((row) => row.prefix === prefix && row.mysqlNativeVerifier !== null && /^[0-9a-f]{40}$/.test(row.mysqlNativeVerifier))
      .sort((a, b) => Number(this.#refusal(a) !== null) - Number(this.#refusal(b) !== null))
      .map((row) => ({ tokenId: row.id, verifier: Buffer.from(row.mysqlNativeVerifier!, "hex") }));
  }

  /** After a SCRAM proof held: the token row read afresh, then the same checks as `verify`. */
  async verifyId(tokenId: string): Promise<AuthResult> {
    const row = await this.#store.agentToken.findUnique({ where: { id: tokenId }, select: tokenSelect });
    if (!row) return failure("unknown_token", "This agent token is not recognised.");
    return this.#admit(row);
  }

  /** Why this token may not be used now (revoked, expired, agent disabled), or null. */
  #refusal(row: TokenRow): AuthResult | null {
    if (row.revokedAt) return failure("revoked_token", "This agent token has been revoked; ask an Airlock admin for a new one.");
    if (row.expiresAt && row.expiresAt.getTime() <= this.#now().getTime()) {
      return failure("expired_token", "This agent token has expired; ask an Airlock admin for a new one.");
    }
    if (row.agent.disabled) return failure("agent_disabled", "This agent is disabled in Airlock.");
    return null;
  }

  #admit(row: TokenRow): AuthResult {
    const refused = this.#refusal(row);
    if (refused) return refused;
    this.#usage.tokenUsed(row.id, row.lastUsedAt);
    this.#usage.agentSeen(row.agent.id, row.agent.lastSeenAt);
    return {
      ok: true,
      agent: { agentId: row.agent.id, agentName: row.agent.name, groups: [...row.agent.groups], via: "token", tokenId: row.id, tokenPrefix: row.prefix },
    };
  }
}
