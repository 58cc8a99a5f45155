// A tiny time-boxed cache for positive look-ups. Entries live at most `ttlMs` of monotonic time (wall-clock
// jumps neither extend nor shorten them), the map is bounded, and a TTL of 0 turns it off. Revocation and
// disabling take effect within `ttlMs` because nothing here outlives it. `load` also lets the callers that miss at
// the same moment share one look-up (under load, every in-flight request misses together when an entry expires).
// With `staleIfErrorMs`, an entry whose look-up *fails* (the store is down) is answered from its last value for
// that much longer: a store outage does not stop agents whose access was just confirmed, and nothing that the
// store answered (a revocation, a refusal) is ever overridden, since a stale value is used only when there is no
// answer at all.

export const MAX_CACHE_TTL_MS = 500;
/** How long a confirmed answer stands in while the store cannot be reached (journal mode keeps serving). */
export const STORE_OUTAGE_GRACE_MS = 5 * 60_000;
const DEFAULT_MAX_ENTRIES = 10_000;

export type MonotonicClock = () => number;
export const monotonicMs: MonotonicClock = () => performance.now();

export class ShortCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();
  readonly #loading = new Map<string, Promise<unknown>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: MonotonicClock;
  readonly #staleIfErrorMs: number;

  constructor(ttlMs: number, options: { maxEntries?: number; clock?: MonotonicClock; staleIfErrorMs?: number } = {}) {
    if (!Number.isFinite(ttlMs) || ttlMs < 0 || ttlMs > MAX_CACHE_TTL_MS) {
      throw new RangeError(`cacheMs must be between 0 and ${MAX_CACHE_TTL_MS} (revocation must take effect within a second)`);
    }
    this.#ttlMs = ttlMs;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#clock = options.clock ?? monotonicMs;
    this.#staleIfErrorMs = Math.max(0, options.staleIfErrorMs ?? 0);
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (this.#clock() >= entry.until) {
      if (this.#clock() >= entry.until + this.#staleIfErrorMs) this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.#ttlMs === 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#evict();
    this.#entries.set(key, { value, until: this.#clock() + this.#ttlMs });
  }

  /**
   * The cached value, or else what `lookup` answers: concurrent callers of one key share a single lookup (its
   * answer or its error). `keep` picks what of the answer to cache (undefined: nothing, e.g. a refusal).
   */
  async load<R>(key: string, lookup: () => Promise<R>, keep: (answer: R) => V | undefined): Promise<R | V> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    if (this.#ttlMs === 0) return lookup();
    const running = this.#loading.get(key) as Promise<R> | undefined;
    if (running) return running;
    const started = lookup().then(
      (answer) => {
        const value = keep(answer);
        if (value !== undefined) this.set(key, value);
        else this.#entries.delete(key); // a refusal now: no stale value may stand in for it later
        return answer;
      },
      (error: unknown) => {
        const stale = this.#entries.get(key);
        if (stale && this.#clock() < stale.until + this.#staleIfErrorMs) return stale.value as unknown as R;
        throw error;
      },
    );
    this.#loading.set(key, started);
    try {
      return await started;
    } finally {
      this.#loading.delete(key);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops expired entries; if none were, the oldest insertion (Map keeps insertion order). */
  #evict(): void {
    const now = this.#clock();
    for (const [key, entry] of this.#entries) if (now >= entry.until + this.#staleIfErrorMs) this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }
}
