import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, redactDetectedValue } from "./detect-value";

describe("redactDetectedValue", () => {
  it("redacts spans inside strings", () => {
    expect(redactDetectedValue("mail alice@example.com")).toBe("mail ****@example.com");
  });
  it("keeps numbers unless they hold a card", () => {
    expect(redactDetectedValue(42)).toBe(42);
    expect(redactDetectedValue(4155552671)).toBe(4155552671);
    expect(redactDetectedValue(4242424242424242)).toBe("**** **** **** 4242");
    expect(redactDetectedValue(4242424242424242n)).toBe("**** **** **** 4242");
    expect(redactDetectedValue(1700000000000)).toBe(1700000000000);
  });
  it("passes booleans, dates, null and class instances through", () => {
    const date = new Date();
    const map = new Map([["a", "alice@example.com"]]);
    expect(redactDetectedValue(true)).toBe(true);
    expect(redactDetectedValue(date)).toBe(date);
    expect(redactDetectedValue(null)).toBe(null);
    expect(redactDetectedValue(undefined)).toBe(undefined);
    expect(redactDetectedValue(map)).toBe(map);
  });
  it("keeps bytes unless their UTF-8 text holds something", () => {
    const clean = Buffer.from("hello");
    expect(redactDetectedValue(clean)).toBe(clean);
    expect(redactDetectedValue(Buffer.from("ssn 123-45-6789"))).toBe("ssn ****");
  });
  it("walks JSON, copying only what changed", () => {
    const clean = { a: [1, "x"], b: { c: "y" } };
    expect(redactDetectedValue(clean)).toBe(clean);
    const shared = { keep: "me" };
    const value = { user: { email: "bob@example.com", tags: ["vip"] }, other: shared, list: ["4242424242424242", shared] };
    const out = redactDetectedValue(value) as typeof value;
    expect(out).toEqual({
      user: { email: "****@example.com", tags: ["vip"] },
      other: { keep: "me" },
      list: ["**** **** **** 4242", { keep: "me" }],
    });
    expect(out.other).toBe(shared);
    expect(out.user.tags).toBe(value.user.tags);
    expect(value.user.email).toBe("bob@example.com"); // input untouched
  });
  it("redacts keys too, and keeps __proto__ a plain key", () => {
    const value = JSON.parse('{"alice@example.com": 1, "__proto__": "carol@example.com"}') as Record<string, unknown>;
    const out = redactDetectedValue(value) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(["****@example.com", "__proto__"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
  it("redacts JSON nested beyond the depth limit rather than recursing without bound", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const out = redactDetectedValue(deep);
    let node = out;
    let depth = 0;
    while (Array.isArray(node)) {
      node = node[0];
      depth++;
    }
    expect(depth).toBe(MAX_JSON_DEPTH);
    expect(node).toBe("****");
  });
});
