import { describe, expect, it } from "vitest";
import type { MaskStrategy } from "@/lib/policy/strategy";
import { compileStrategy, maskCardText, maskEmailText, maskPartialText, maskValue } from "./strategies";
import { MaskingError, REDACTED } from "./types";

const KEY = "test-key-0123456789abcdef";
const opts = { hashKey: KEY };
const ALL: MaskStrategy[] = [
  { kind: "redact" },
  { kind: "partial", keepFirst: 1, keepLast: 2 },
  { kind: "hash" },
  { kind: "null" },
  { kind: "email" },
  { kind: "card" },
];

describe("every strategy", () => {
  it.each(ALL)("keeps SQL NULL as null ($kind)", (strategy) => {
    const mask = compileStrategy(strategy, opts);
    expect(mask(null)).toBeNull();
    expect(mask(undefined)).toBeNull();
  });

  const values: [string, unknown][] = [
    ["string", "hello world"],
    ["number", 1234567.5],
    ["bigint", 12345678901234567890n],
    ["boolean", true],
    ["Date", new Date("2024-01-02T03:04:05Z")],
    ["Buffer", Buffer.from("bytes value")],
    ["Uint8Array", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])],
    ["object", { a: 1, b: "secret" }],
    ["array", ["x", 1, null]],
    ["json with bigint", { n: 1n }],
  ];
  for (const strategy of ALL) {
    it.each(values)(`${strategy.kind} returns text or null for a %s`, (_name, value) => {
      const out = maskValue(value, strategy, opts);
      if (strategy.kind === "null") expect(out).toBeNull();
      else expect(typeof out).toBe("string");
      if (typeof out === "string" && strategy.kind !== "partial") {
        expect(out).not.toContain("secret");
        expect(out).not.toContain("hello");
      }
    });
  }

  it("redacts a value with no text form (circular JSON) rather than throwing", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const strategy of ALL.filter((s) => s.kind !== "null")) expect(maskValue(circular, strategy, opts)).toBe(REDACTED);
  });
});

describe("redact", () => {
  it("never reveals the length", () => {
    expect(maskValue("a", { kind: "redact" })).toBe("****");
    expect(maskValue("a much longer value", { kind: "redact" })).toBe("****");
    expect(maskValue(42, { kind: "redact" })).toBe("****");
    expect(maskValue({ a: 1 }, { kind: "redact" })).toBe("****");
  });
});

describe("partial", () => {
  it("keeps first and last characters around a fixed mask", () => {
    expect(maskPartialText("4111111111111111", 0, 4)).toBe("****1111");
    expect(maskPartialText("Alice Smith", 2, 2)).toBe("Al****th");
    expect(maskPartialText("abcdef", 3, 0)).toBe("abc****");
  });
  it("masks everything when the kept parts would cover the value", () => {
    expect(maskPartialText("1234", 0, 4)).toBe(REDACTED);
    expect(maskPartialText("123", 2, 2)).toBe(REDACTED);
    expect(maskPartialText("", 0, 0)).toBe(REDACTED);
    expect(maskPartialText("12345", 0, 4)).toBe("****2345");
  });
  it("never splits a surrogate pair", () => {
    expect(maskPartialText("😀abcdef😀", 1, 1)).toBe("****");
    expect(maskPartialText("x😀abcdef😀y", 2, 2)).toBe("x****y");
  });
  it("masks numbers, dates and JSON by their text form", () => {
    const p: MaskStrategy = { kind: "partial", keepFirst: 0, keepLast: 4 };
    expect(maskValue(5551234567, p)).toBe("****4567");
    expect(maskValue(12345678901234567890n, p)).toBe("****7890");
    expect(maskValue(new Date("2024-01-02T03:04:05Z"), { kind: "partial", keepFirst: 4, keepLast: 0 })).toBe("2024****");
    expect(maskValue(true, p)).toBe(REDACTED);
    expect(maskValue(Buffer.from("abcdefgh"), p)).toBe("****efgh");
  });
  it("treats negative or fractional keep counts safely", () => {
    const mask = compileStrategy({ kind: "partial", keepFirst: -3, keepLast: 1.9 } as MaskStrategy);
    expect(mask("abcdef")).toBe("****f");
  });
});

describe("hash", () => {
  it("is stable for the same input and key, 16 hex chars by default", () => {
    const a = maskValue("alice@example.com", { kind: "hash" }, opts);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(maskValue("alice@example.com", { kind: "hash" }, opts)).toBe(a);
    expect(maskValue("bob@example.com", { kind: "hash" }, opts)).not.toBe(a);
  });
  it("depends on the key", () => {
    const a = maskValue("alice", { kind: "hash" }, { hashKey: KEY });
    const b = maskValue("alice", { kind: "hash" }, { hashKey: KEY + "x" });
    expect(a).not.toBe(b);
  });
  it("hashes a value's text form, so 42 and '42' join; bytes hash as their UTF-8", () => {
    const mask = compileStrategy({ kind: "hash" }, opts);
    expect(mask(42)).toBe(mask("42"));
    expect(mask(42n)).toBe(mask("42"));
    expect(mask(Buffer.from("héllo"))).toBe(mask("héllo"));
    expect(mask(new Uint8Array(Buffer.from("abc")))).toBe(mask("abc"));
  });
  it("honours hashLength and accepts a byte key", () => {
    const out = maskValue("x", { kind: "hash" }, { hashKey: new Uint8Array(32).fill(7), hashLength: 64 });
    expect(out).toMatch(/^[0-9a-f]{64}$/);
  });
  it("fails closed at compile time without a usable key", () => {
    expect(() => compileStrategy({ kind: "hash" })).toThrow(MaskingError);
    expect(() => compileStrategy({ kind: "hash" }, { hashKey: "short" })).toThrow(/at least 16 bytes/);
    expect(() => compileStrategy({ kind: "hash" }, { hashKey: KEY, hashLength: 7 })).toThrow(MaskingError);
    try {
      compileStrategy({ kind: "hash" }, { hashKey: "" });
    } catch (e) {
      expect((e as MaskingError).code).toBe("hash_key_missing");
    }
  });
  it("does not depend on later changes to the caller's key bytes", () => {
    const key = new Uint8Array(16).fill(1);
    const mask = compileStrategy({ kind: "hash" }, { hashKey: key });
    const before = mask("v");
    key.fill(2);
    expect(mask("v")).toBe(before);
  });
});

describe("null", () => {
  it("turns every value into null", () => {
    const mask = compileStrategy({ kind: "null" });
    for (const v of ["x", 1, true, new Date(), { a: 1 }]) expect(mask(v)).toBeNull();
  });
});

describe("email", () => {
  it("keeps the domain", () => {
    expect(maskEmailText("alice@example.com")).toBe("****@example.com");
    expect(maskEmailText("  A.B+tag@Mail.Example.ORG ")).toBe("****@Mail.Example.ORG");
    expect(maskEmailText("root@localhost")).toBe("****@localhost");
  });
  it("redacts anything that is not one address", () => {
    for (const v of ["alice", "@example.com", "alice@", "a@b@c.com", "Alice <a@b.com>", "a b@c.com", "a@.com", "a@b_c.com"]) {
      expect(maskEmailText(v)).toBe(REDACTED);
    }
    expect(maskValue(12345, { kind: "email" })).toBe(REDACTED);
    expect(maskValue({ email: "a@b.com" }, { kind: "email" })).toBe(REDACTED);
  });
});

describe("card", () => {
  it("keeps the last four digits in a fixed shape", () => {
    expect(maskCardText("4242424242424242")).toBe("**** **** **** 4242");
    expect(maskCardText("4111-1111-1111-1111")).toBe("**** **** **** 1111");
    expect(maskCardText("3782 822463 10005")).toBe("**** **** **** 0005");
    expect(maskValue(4242424242424242, { kind: "card" })).toBe("**** **** **** 4242");
    expect(maskValue(4000056655665556n, { kind: "card" })).toBe("**** **** **** 5556");
  });
  it("redacts values that are not card-shaped", () => {
    for (const v of ["4242", "424242424242", "42424242424242424242", "4242x4242424242424242", "n/a", ""]) {
      expect(maskCardText(v)).toBe(REDACTED);
    }
    expect(maskValue(new Date(), { kind: "card" })).toBe(REDACTED);
  });
});

describe("unknown strategy", () => {
  it("throws a MaskingError", () => {
    expect(() => compileStrategy({ kind: "scramble" } as unknown as MaskStrategy)).toThrow(MaskingError);
  });
});
