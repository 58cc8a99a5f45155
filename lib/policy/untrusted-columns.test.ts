import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile";
import { defaultPolicy } from "./defaults";
import { validatePolicy } from "./document";
import { analysis, context, out, policy, stmt } from "./fixtures";
import { evaluate } from "./evaluate";

// settings.untrustedColumns: free-text columns the doors flag as untrusted content. A label only: it changes no
// decision and no mask.

describe("settings.untrustedColumns", () => {
  it("validates like the other column globs", () => {
    const ok = validatePolicy({ id: "reviews", name: "Reviews", settings: { untrustedColumns: ["reviews.body", "*.comment", "support.tickets.subject"] }, rules: [] });
    expect(ok.ok).toBe(true);
    const bad = validatePolicy({ id: "reviews", name: "Reviews", settings: { untrustedColumns: ["reviews.body; drop"] }, rules: [] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((error) => error.path)).toContainEqual(expect.stringMatching(/settings\.untrustedColumns/));
  });

  it("compiles every policy's list into one set: by table and column, by column name, by table", () => {
    const compiled = compilePolicy([
      policy([], { id: "a", settings: { defaultAction: "allow", detectors: "all", untrustedColumns: ["reviews.body"] } }),
      policy([], { id: "b", settings: { defaultAction: "allow", detectors: "all", untrustedColumns: ["*.comment", "support.tickets.subj*"] } }),
    ]);
    const set = compiled.untrustedColumns;
    expect(set.size).toBe(3);
    expect(set.has("reviews", "body")).toBe(true);
    expect(set.has("public.reviews", "BODY")).toBe(true);
    expect(set.has("orders", "body")).toBe(false);
    expect(set.has("orders", "comment")).toBe(true);
    expect(set.has("support.tickets", "subject")).toBe(true);
    expect(set.has("tickets", "subject")).toBe(true);
    expect(set.named("body")).toBe(true);
    expect(set.named("id")).toBe(false);
    expect(set.inTable("reviews")).toBe(true);
    expect(set.inTable("anything")).toBe(true); // `*.comment` may be in any table
  });

  it("is empty by default and changes no decision", () => {
    expect(compilePolicy([defaultPolicy()]).untrustedColumns.size).toBe(0);
    const marked = compilePolicy([defaultPolicy(), policy([], { settings: { defaultAction: "require_approval", detectors: "all", untrustedColumns: ["reviews.body"] } })]);
    const plain = compilePolicy([defaultPolicy(), policy([], { settings: { defaultAction: "require_approval", detectors: "all" } })]);
    const read = analysis(stmt({ kind: "select", tablesRead: ["reviews"], outputColumns: [out("body", "reviews.body")], hasLimit: true }));
    expect(evaluate(marked, read, context())).toEqual(evaluate(plain, read, context()));
  });
});
