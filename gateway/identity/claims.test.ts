import { describe, expect, it } from "vitest";
import { MAX_GROUPS, groupsFrom, readClaim, sameGroups, subjectFrom } from "./claims";

describe("readClaim", () => {
  const payload = {
    sub: "agent-1",
    groups: ["a"],
    "https://corp.example/groups": ["namespaced"],
    realm_access: { roles: ["r1", "r2"] },
    deep: { a: { b: "c" } },
    list: [{ x: 1 }],
  };
  it("reads top-level names, namespaced names with dots, and dotted paths", () => {
    expect(readClaim(payload, "sub")).toBe("agent-1");
    expect(readClaim(payload, "https://corp.example/groups")).toEqual(["namespaced"]);
    expect(readClaim(payload, "realm_access.roles")).toEqual(["r1", "r2"]);
    expect(readClaim(payload, "deep.a.b")).toBe("c");
  });
  it("is undefined for missing paths, arrays on the way, and inherited properties", () => {
    expect(readClaim(payload, "realm_access.nope")).toBeUndefined();
    expect(readClaim(payload, "list.0.x")).toBeUndefined();
    expect(readClaim(payload, "sub.length")).toBeUndefined();
    expect(readClaim(payload, "constructor")).toBeUndefined();
    expect(readClaim(payload, "deep.__proto__")).toBeUndefined();
  });
});

describe("groupsFrom", () => {
  it("takes arrays of strings or one string; drops the rest", () => {
    expect(groupsFrom(["a", " b ", "", 3, null, "a", "x".repeat(500), "nul\u0000", "lone\ud800", "pair\ud83d\ude00"])).toEqual(["a", "b", "pair\ud83d\ude00"]);
    expect(groupsFrom("solo")).toEqual(["solo"]);
    expect(groupsFrom(undefined)).toEqual([]);
    expect(groupsFrom({ a: 1 })).toEqual([]);
    expect(groupsFrom(Array.from({ length: 1000 }, (_, i) => `g${i}`))).toHaveLength(MAX_GROUPS);
  });
});

describe("subjectFrom", () => {
  it("accepts strings and finite numbers; refuses blanks, control characters, huge values and objects", () => {
    expect(subjectFrom(" bot ")).toBe("bot");
    expect(subjectFrom(42)).toBe("42");
    expect(subjectFrom("bot-\ud83d\ude00")).toBe("bot-\ud83d\ude00");
    for (const bad of ["", "  ", "a\nb", "a\u0000", "x\udc00", "x".repeat(201), {}, [], null, undefined, Number.NaN]) expect(subjectFrom(bad)).toBeNull();
  });
});

describe("sameGroups", () => {
  it("ignores order", () => {
    expect(sameGroups(["a", "b"], ["b", "a"])).toBe(true);
    expect(sameGroups(["a"], ["a", "b"])).toBe(false);
    expect(sameGroups(["a", "c"], ["a", "b"])).toBe(false);
  });
});
