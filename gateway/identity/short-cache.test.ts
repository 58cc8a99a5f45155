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
});
