import { describe, expect, it } from "vitest";
import { ShortCache } from "./short-cache";

describe("ShortCache", () => {
  it("keeps an entry for at most ttl of its clock", () => {
    let t = 1000;
    const cache = new ShortCache<number>(500, { clock: () => t });
    cache.set("a", 1);
    t += 499;
    expect(cache.get("a")).toBe(1);
    t += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("caches nothing at ttl 0", () => {
    const cache = new ShortCache<number>(0);
    cache.set("a", 1);
    expect(cache.get("a")).toBeUndefined();
  });

  it("refuses a ttl above 500 ms or a negative one", () => {
    expect(() => new ShortCache(501)).toThrow(RangeError);
    expect(() => new ShortCache(-1)).toThrow(RangeError);
    expect(() => new ShortCache(Number.NaN)).toThrow(RangeError);
  });

  it("stays bounded, dropping the oldest", () => {
    const cache = new ShortCache<number>(500, { maxEntries: 2, clock: () => 0 });
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")).toBe(3);
  });

  it("load: callers missing together share one lookup; what keep refuses is not cached", async () => {
    const cache = new ShortCache<string>(500, { clock: () => 0 });
    let lookups = 0;
    const lookup = async () => {
      lookups++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return lookups === 1 ? "refused" : "granted";
    };
    const keep = (answer: string) => (answer === "granted" ? answer : undefined);
    expect(await Promise.all([1, 2, 3].map(() => cache.load("k", lookup, keep)))).toEqual(["refused", "refused", "refused"]);
    expect(lookups).toBe(1);
    expect(cache.get("k")).toBeUndefined();
    expect(await Promise.all([1, 2].map(() => cache.load("k", lookup, keep)))).toEqual(["granted", "granted"]);
    expect(await cache.load("k", lookup, keep)).toBe("granted");
    expect(lookups).toBe(2);
  });

  it("load: a failed lookup fails every caller sharing it, and the next caller looks up again", async () => {
    const cache = new ShortCache<number>(500, { clock: () => 0 });
    let lookups = 0;
    const failing = async (): Promise<number> => {
      lookups++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error("store down");
    };
    const results = await Promise.allSettled([cache.load("k", failing, (n) => n), cache.load("k", failing, (n) => n)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(lookups).toBe(1);
    expect(await cache.load("k", async () => 7, (n) => n)).toBe(7);
  });

  it("load at ttl 0 shares nothing: every caller looks up", async () => {
    const cache = new ShortCache<number>(0);
    let lookups = 0;
    await Promise.all([1, 2].map(() => cache.load("k", async () => ++lookups, (n) => n)));
    expect(lookups).toBe(2);
  });
});
