import { hashAgentToken, sameHash } from "../../lib/crypto/agent-token";
import type { Store } from "../../lib/store/client";
import { ShortCache } from "./short-cache";
import { failure, type AuthResult } from "./types";
import type { UsageRecorder } from "./usage";

// Agent tokens: the token's SHA-256 is looked up in `AgentToken.hash` (unique index). The row — with its
// agent's state — is cached for at most `cacheMs` (≤ 500 ms), so revoking a token or disabling an agent
// reaches every gateway process within that. Expiry is checked against the clock on every request, cached
// or not. The cache is keyed by the hash, never by the token itself.

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

export class AgentTokenVerifier {
  readonly #store: Store;
  readonly #cache: ShortCache<TokenRow>;
  readonly #now: () => Date;
  readonly #usage: UsageRecorder;

  constructor(store: Store, options: { cacheMs: number; now: () => Date; usage: UsageRecorder }) {
    this.#store = store;
    this.#cache = new ShortCache(options.cacheMs);
    this.#now = options.now;
    this.#usage = options.usage;
  }

  /** `token` must already have the agent-token shape (see readCredential). Store errors are thrown. */
  async verify(token: string): Promise<AuthResult> {
    const hash = hashAgentToken(token);
    let row = this.#cache.get(hash);
    if (!row) {
      const found = await this.#store.agentToken.findUnique({ where: { hash }, select: tokenSelect });
      // The index matched on equality already; the constant-time re-check guards against a store or
      // collation that compares loosely (case, trailing blanks).
      if (!found || !sameHash(found.hash, hash)) return failure("unknown_token", "This agent token is not recognised.");
      row = found;
      this.#cache.set(hash, row);
    }
    const now = this.#now();
    if (row.revokedAt) return failure("revoked_token", "This agent token has been revoked; ask an Airlock admin for a new one.");
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
      return failure("expired_token", "This agent token has expired; ask an Airlock admin for a new one.");
    }
    if (row.agent.disabled) return failure("agent_disabled", "This agent is disabled in Airlock.");
    this.#usage.tokenUsed(row.id, row.lastUsedAt);
    this.#usage.agentSeen(row.agent.id, row.agent.lastSeenAt);
    return {
      ok: true,
      agent: { agentId: row.agent.id, agentName: row.agent.name, groups: [...row.agent.groups], via: "token", tokenId: row.id, tokenPrefix: row.prefix },
    };
  }
}
