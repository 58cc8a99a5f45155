// A least-recently-used map of analyses keyed by dialect and text. A Map keeps insertion order, so the
// first key is the least recently used one; a hit re-inserts its entry at the end.

export class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    readonly capacity: number,
    /** Entries whose key is longer than this are not kept (a cache of huge texts would hold memory). */
    readonly maxKeyLength: number = 16 * 1024,
  ) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    if (key.length > this.maxKeyLength || this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
