import { describe, expect, test } from "vitest";
import { defaultPolicy } from "./defaults";
import { diffPolicies, renderValue } from "./revision-diff";

const base = {
  version: 1,
  id: "shop",
  name: "Shop",
  settings: { defaultAction: "require_approval", detectors: "unknown" },
  rules: [
    { id: "mask-ssn", name: "SSNs", enabled: true, scope: { connections: ["shop"], agents: [], agentGroups: [] }, match: {}, action: { type: "mask", columns: ["customers.ssn"], strategy: { kind: "redact" } } },
    { id: "block-drop", name: "No drop", enabled: true, scope: { connections: [], agents: [], agentGroups: [] }, match: { kinds: ["ddl"], ddl: ["drop"] }, action: { type: "block", message: "no" } },
  ],
};

describe("diffPolicies", () => {
  test("the same document is identical", () => {
    expect(diffPolicies(base, structuredClone(base))).toEqual({ policy: [], rules: [], identical: true });
    expect(diffPolicies(defaultPolicy(), defaultPolicy()).identical).toBe(true);
  });

  test("a changed setting and a changed strategy read as field changes", () => {
    const after = structuredClone(base);
    after.settings.defaultAction = "block";
    after.rules[0]!.action.strategy = { kind: "hash" };
    const diff = diffPolicies(base, after);
    expect(diff.identical).toBe(false);
    expect(diff.policy).toEqual([{ path: "settings.defaultAction", before: "require_approval", after: "block" }]);
    expect(diff.rules).toEqual([
      { ruleId: "mask-ssn", ruleName: "SSNs", change: "changed", fields: [{ path: "action.strategy.kind", before: "redact", after: "hash" }] },
    ]);
  });

  test("an added rule lists its fields; a removed one too; lists of names are one value", () => {
    const after = structuredClone(base) as typeof base;
    after.rules = [
      after.rules[0]!,
      { id: "mask-name", name: "Names", enabled: true, scope: { connections: ["shop"], agents: [], agentGroups: [] }, match: {}, action: { type: "mask", columns: ["customers.name", "customers.city"], strategy: { kind: "redact" } } },
    ];
    const diff = diffPolicies(base, after);
    const added = diff.rules.find((rule) => rule.change === "added")!;
    expect(added.ruleId).toBe("mask-name");
    expect(added.fields).toContainEqual({ path: "action.columns", after: "[customers.name, customers.city]" });
    expect(added.fields).toContainEqual({ path: "match", after: "{}" });
    const removed = diff.rules.find((rule) => rule.change === "removed")!;
    expect(removed.ruleId).toBe("block-drop");
    expect(removed.fields).toContainEqual({ path: "match.kinds", before: "[ddl]" });
    // Adding a rule after mask-ssn did not move it.
    expect(diff.rules.find((rule) => rule.ruleId === "mask-ssn")).toBeUndefined();
  });

  test("swapping two rules reads as moves, not as every field changing", () => {
    const after = structuredClone(base);
    after.rules.reverse();
    const diff = diffPolicies(base, after);
    expect(diff.rules.map((rule) => [rule.ruleId, rule.change, rule.moved, rule.fields.length])).toEqual([
      ["block-drop", "changed", { from: 1, to: 0 }, 0],
      ["mask-ssn", "changed", { from: 0, to: 1 }, 0],
    ]);
  });

  test("garbage and duplicate ids never throw", () => {
    expect(diffPolicies(null, "x").identical).toBe(true);
    const dup = { rules: [{ id: "a", name: "one" }, { id: "a", name: "two" }] };
    const diff = diffPolicies({ rules: [] }, dup);
    expect(diff.rules.map((rule) => rule.ruleId)).toEqual(["a", "a#2"]);
    expect(diffPolicies({ rules: [{ match: { regex: { pattern: "x" } } }] }, { rules: [{}] }).rules[0]!.fields).toEqual([{ path: "match.regex.pattern", before: "x" }]);
  });

  test("renderValue", () => {
    expect(renderValue(["a", 1, true])).toBe("[a, 1, true]");
    expect(renderValue({ kind: "partial" })).toBe('{"kind":"partial"}');
    expect(renderValue(null)).toBe("null");
  });
});
