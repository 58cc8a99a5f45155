import { Prisma } from "../../lib/store/generated/client";
import type { Store } from "../../lib/store/client";
import { sameGroups } from "./claims";
import { ShortCache, STORE_OUTAGE_GRACE_MS } from "./short-cache";
import type { UsageRecorder } from "./usage";

// The Agent row behind an OIDC subject: `oidc:<subject>`, created on first sight. The token's groups are
// authoritative for the request; they are also written to the row (only when they change) so the dashboards
// can show them. The row's `disabled` flag is read through a cache of at most `cacheMs`, like tokens.
//
// The `oidc:` name prefix is reserved for these agents: the dashboards must not let people create an agent
// with such a name, or its tokens and an identity-provider subject would share one agent.

export const OIDC_AGENT_PREFIX = "oidc:";

export interface OidcAgentRow {
  readonly id: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly disabled: boolean;
  readonly lastSeenAt: Date | null;
}

const agentSelect = { id: true, name: true, groups: true, disabled: true, lastSeenAt: true } as const;

export class OidcAgentDirectory {
  readonly #store: Store;
  readonly #cache: ShortCache<OidcAgentRow>;
  readonly #usage: UsageRecorder;

  constructor(store: Store, options: { cacheMs: number; usage: UsageRecorder }) {
    this.#store = store;
    this.#cache = new ShortCache(options.cacheMs, { staleIfErrorMs: STORE_OUTAGE_GRACE_MS });
    this.#usage = options.usage;
  }

  /** The agent row for `subject`, created if new, its stored groups brought up to date. Store errors throw. */
  async resolve(subject: string, groups: readonly string[]): Promise<OidcAgentRow> {
    const name = `${OIDC_AGENT_PREFIX}${subject}`;
    let row = this.#cache.get(name) ?? (await this.#findOrCreate(name, groups));
    if (!sameGroups(row.groups, groups)) {
      row = await this.#store.agent.update({ where: { id: row.id }, data: { groups: [...groups] }, select: agentSelect });
    }
    this.#cache.set(name, row);
    if (!row.disabled) this.#usage.agentSeen(row.id, row.lastSeenAt);
    return row;
  }

  async #findOrCreate(name: string, groups: readonly string[]): Promise<OidcAgentRow> {
    const found = await this.#store.agent.findUnique({ where: { name }, select: agentSelect });
    if (found) return found;
    try {
      return await this.#store.agent.create({
        data: { name, groups: [...groups], description: "Signs in through the identity provider (created on first use)." },
        select: agentSelect,
      });
    } catch (error) {
      // Another request or gateway process created it first.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        const winner = await this.#store.agent.findUnique({ where: { name }, select: agentSelect });
        if (winner) return winner;
      }
      throw error;
    }
  }
}
