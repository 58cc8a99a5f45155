import { describe, expect, it } from "vitest";
import { exportPolicy, parsePolicyDocument, type PolicyDocumentResult } from "./document";
import { defaultPolicy } from "./defaults";
import { demoMasking } from "./fixtures";

function errors(r: PolicyDocumentResult) {
  if (r.ok) throw new Error("expected errors");
  return r.errors;
}

const VALID_YAML = `
id: prod-guard
name: Production guard
settings:
  maxRows: 500
rules:
  - id: block-dblink
    name: No dblink
    match:
      functions: ["dblink*"]
    action:
      type: block
      message: dblink is not allowed
  - id: approve-orders
    name: Orders writes
    scope:
      connections: ["prod-*"]
      agentGroups: [etl]
    match:
      kinds: [insert, update]
      tables: [public.orders]
    action:
      type: require_approval
      approverRoles: [approver]
      minApprovals: 2
  - id: mask-card
    name: Cards
    action:
      type: mask
      columns: ["customers.card_number", "*.ssn"]
      strategy: { kind: partial, keepLast: 4 }
      alternative: customers.card_last4 is available
`;

describe("parsePolicyDocument", () => {
  it("parses YAML and fills defaults", () => {
    const r = parsePolicyDocument(VALID_YAML);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = r.policy;
    expect(p.version).toBe(1);
    expect(p.settings).toEqual({ defaultAction: "require_approval", maxRows: 500, detectors: "all" });
    expect(p.rules[0].enabled).toBe(true);
    expect(p.rules[0].scope).toEqual({ connections: [], agentGroups: [], agents: [] });
    expect(p.rules[1].action).toEqual({ type: "require_approval", approverRoles: ["approver"], minApprovals: 2, expirySeconds: 900, requireReason: false });
    expect(p.rules[2].action).toMatchObject({ strategy: { kind: "partial", keepFirst: 0, keepLast: 4 }, derived: "redact", predicates: "block" });
  });

  it("detects JSON and parses it", () => {
    const r = parsePolicyDocument(JSON.stringify({ id: "p", name: "P", rules: [] }));
    expect(r.ok).toBe(true);
  });

  it.each(["yaml", "json"] as const)("round-trips %s: import → export → import is equal", (format) => {
    for (const source of [parsePolicyDocument(VALID_YAML), { ok: true as const, policy: defaultPolicy() }, { ok: true as const, policy: demoMasking() }]) {
      if (!source.ok) throw new Error("fixture invalid");
      const text = exportPolicy(source.policy, format);
      const again = parsePolicyDocument(text, format);
      expect(again).toEqual({ ok: true, policy: source.policy });
      expect(exportPolicy(again.ok ? again.policy : source.policy, format)).toBe(text);
    }
  });

  it("YAML and JSON exports describe the same policy", () => {
    const p = defaultPolicy();
    expect(parsePolicyDocument(exportPolicy(p, "yaml"))).toEqual(parsePolicyDocument(exportPolicy(p, "json")));
  });

  it("reports every error with its path", () => {
    const doc = {
      id: "Bad Id",
      name: "x",
      rules: [
        { id: "ok", name: "fine", action: { type: "allow" } },
        { id: "r2", name: "typo", match: { tabels: ["x"] }, action: { type: "allow" } },
        { id: "r3", name: "bad glob", match: { tables: ["ok", "has space"] }, action: { type: "block", message: "m" } },
        { id: "r4", name: "bad approval", action: { type: "require_approval", minApprovals: 0, approverRoles: ["root"] } },
        { id: "r5", name: "bad strategy", action: { type: "mask", columns: ["t.c"], strategy: { kind: "scramble" } } },
        { id: "r6", name: "bad regex", match: { regex: { pattern: "(a+)+$" } }, action: { type: "block", message: "m" } },
        { id: "ok", name: "duplicate", action: { type: "allow" } },
        { id: "r8", name: "mask with match", match: { kinds: ["select"] }, action: { type: "mask", columns: ["t.c"], strategy: { kind: "redact" } } },
        { id: "r9", name: "no action" },
        { id: "r10", name: "empty kinds", match: { kinds: [] }, action: { type: "allow" } },
      ],
    };
    const errs = errors(parsePolicyDocument(JSON.stringify(doc), "json"));
    const paths = errs.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "id",
        "rules[1].match.tabels",
        "rules[2].match.tables[1]",
        "rules[3].action.minApprovals",
        "rules[3].action.approverRoles[0]",
        "rules[4].action.strategy.kind",
        "rules[5].match.regex.pattern",
        "rules[7].match",
        "rules[8].action",
        "rules[9].match.kinds",
      ]),
    );
    expect(errs.find((e) => e.path === "rules[1].match.tabels")?.message).toBe('unknown key "tabels"');
    expect(errs.find((e) => e.path === "rules[5].match.regex.pattern")?.message).toMatch(/catastrophic/);
  });

  it("reports duplicate rule ids at the second occurrence", () => {
    const errs = errors(
      parsePolicyDocument(JSON.stringify({ id: "p", name: "P", rules: [
        { id: "a", name: "A", action: { type: "allow" } },
        { id: "a", name: "B", action: { type: "allow" } },
      ] })),
    );
    expect(errs).toEqual([{ path: "rules[1].id", message: "duplicate rule id (also rules[0])" }]);
  });

  it("rejects syntax errors, repeated YAML keys and oversized documents", () => {
    expect(errors(parsePolicyDocument("{ nope", "json"))[0]).toMatchObject({ path: "", message: expect.stringMatching(/invalid JSON/) });
    expect(errors(parsePolicyDocument("id: a\nid: b\nname: x\nrules: []\n", "yaml"))[0].message).toMatch(/invalid YAML/);
    expect(errors(parsePolicyDocument("x".repeat(1_000_001)))[0].message).toMatch(/larger than/);
  });

  it("rejects YAML alias bombs", () => {
    const bomb = ["a: &a [x,x,x,x,x,x,x,x,x,x]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]", "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]", "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]"].join("\n");
    const r = parsePolicyDocument(bomb, "yaml");
    expect(r.ok).toBe(false);
  });

  it("rejects a document that is not an object", () => {
    expect(errors(parsePolicyDocument("- 1\n- 2\n"))[0].path).toBe("");
    expect(errors(parsePolicyDocument("null", "json"))[0].path).toBe("");
  });
});
