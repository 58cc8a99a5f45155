import { describe, expect, it } from "vitest";
import type { StatementAnalysis } from "../sql/types";
import { compilePolicy } from "./compile";
import type { Catalog, Decision, MaskingPlan } from "./decision";
import { defaultPolicy } from "./defaults";
import { evaluate } from "./evaluate";
import { analysis, context, CUSTOMERS, demoMasking, expr, out, policy, stmt } from "./fixtures";
import type { RuleInput } from "./model";

const compiled = compilePolicy([defaultPolicy(), demoMasking()]);
const withCatalog = compilePolicy([defaultPolicy(), demoMasking()], CUSTOMERS);

function decide(s: StatementAnalysis | StatementAnalysis[], c = compiled, catalog?: Catalog): Decision {
  const list = Array.isArray(s) ? s : [s];
  return evaluate(c, analysis(...list), context(catalog ? { catalog } : {}));
}
function plan(d: Decision): MaskingPlan {
  if (d.action === "block") throw new Error(`blocked: ${d.message}`);
  return d.masking;
}
const kinds = (d: Decision) => plan(d).columns.map((c) => c.strategy?.kind ?? "none");
const select = (...outputColumns: StatementAnalysis["outputColumns"]) =>
  stmt({ kind: "select", tablesRead: ["customers"], outputColumns, hasLimit: true, limit: 10 });

describe("masking: direct columns", () => {
  it("applies the rule's strategy to the column itself, under any alias", () => {
    const d = decide(select(out("id", "customers.id"), out("cc", "customers.card_number"), out("email", "customers.email"), out("ssn", "customers.ssn")));
    expect(d.action).toBe("allow");
    expect(kinds(d)).toEqual(["none", "card", "email", "redact"]);
    expect(plan(d).columns[1]).toEqual({
      index: 1, name: "cc", strategy: { kind: "card" }, detectors: false,
      because: { rule: { policyId: "demo-masking", ruleId: "mask-card", ruleName: "Card numbers" }, source: "customers.card_number", via: "direct" },
    });
    expect(plan(d).touchesMasked).toBe(true);
    expect(d.hints).toContain("`customers.card_number` is masked: `customers.card_last4` is available");
    expect(d.matched.filter((m) => m.action === "mask").map((m) => m.ruleId)).toEqual(["mask-card", "mask-email", "mask-ssn"]);
  });

  it("marks a statement reading or writing a table with masked columns, even when nothing it returns or tests is masked", () => {
    const unmasked = plan(decide(select(out("id", "customers.id"))));
    expect(unmasked.touchesMasked).toBe(false);
    expect(unmasked.readsMaskedTable).toBe(true);
    const orders = plan(decide(stmt({ kind: "select", tablesRead: ["orders"], outputColumns: [out("id", "orders.id")], hasLimit: true, limit: 10 })));
    expect(orders.readsMaskedTable).toBe(false);
    expect(plan(decide(select(out("cc", "customers.card_number")))).readsMaskedTable).toBe(true);
  });

  it("matches masked tables in any schema", () => {
    expect(kinds(decide(stmt({ kind: "select", outputColumns: [out("c", "public.customers.card_number")] })))).toEqual(["card"]);
  });

  it("picks the stronger strategy when two rules mask the same column", () => {
    const extra = policy([{ id: "hash-cards", name: "h", action: { type: "mask", columns: ["*.card_*"], strategy: { kind: "hash" } } }]);
    const c = compilePolicy([defaultPolicy(), demoMasking(), extra]);
    expect(kinds(decide(select(out("c", "customers.card_number")), c))).toEqual(["hash"]);
  });
});

describe("masking: expressions over masked columns", () => {
  it.each([
    ["upper(email)", expr("upper", "customers.email")],
    ["email || ''", expr("?column?", "customers.email")],
    ["substring(card_number, 1, 12)", expr("substring", "customers.card_number")],
    ["card_number::text", expr("card_number", "customers.card_number")],
    ["string_agg(ssn, ',')", expr("string_agg", "customers.ssn")],
    ["json_agg(card_number)", expr("json_agg", "customers.card_number")],
    ["jsonb_build_object('c', card_number)", expr("jsonb_build_object", "customers.card_number")],
    ["concat(name, ssn)", expr("concat", "customers.name", "customers.ssn")],
    ["CASE over card_number", expr("case", "customers.id", "customers.card_number")],
  ])("%s is redacted whole, never partially", (_, col) => {
    const d = decide(select(col));
    expect(kinds(d)).toEqual(["redact"]);
    expect(plan(d).columns[0].because?.via).toBe("derived");
  });

  it("uses null or blocks when the rule says so", () => {
    const rule = (derived: "null" | "block"): RuleInput => ({ id: "m", name: "m", action: { type: "mask", columns: ["customers.card_number"], strategy: { kind: "card" }, derived } });
    expect(kinds(decide(select(expr("upper", "customers.card_number")), compilePolicy([defaultPolicy(), policy([rule("null")])])))).toEqual(["null"]);
    const d = decide(select(expr("upper", "customers.card_number")), compilePolicy([defaultPolicy(), policy([rule("block")])]));
    expect(d).toMatchObject({ action: "block", code: "masked_derived" });
  });

  it("an expression over unmasked columns only is not masked", () => {
    expect(kinds(decide(select(expr("upper", "customers.name"))))).toEqual(["none"]);
  });
});

describe("masking: whole rows", () => {
  const star = (table = "customers") => ({ name: "*", sources: [{ table, column: "*" }], direct: true });

  it("blocks `*` of a masked table when no catalog says where the masked columns are", () => {
    const d = decide(select(star()));
    expect(d).toMatchObject({ action: "block", code: "masked_whole_row" });
    expect(d.hints).toContain("select named columns from customers instead of `*`");
  });

  it("expands `*` from the catalog and masks the right positions", () => {
    const d = decide(select(star()), withCatalog);
    expect(plan(d).columns.map((c) => [c.name, c.strategy?.kind ?? "none"])).toEqual([
      ["id", "none"], ["name", "none"], ["email", "email"], ["card_number", "card"], ["card_last4", "none"], ["ssn", "redact"],
    ]);
  });

  it("expands t.* in place, catalog order, then the following columns", () => {
    const d = decide(select(star(), out("id", "orders.id")), compiled, CUSTOMERS);
    expect(plan(d).columns.map((c) => c.name)).toEqual(["id", "name", "email", "card_number", "card_last4", "ssn", "id"]);
    expect(plan(d).columns[6]).toMatchObject({ index: 6, strategy: null });
  });

  it("resolves catalog keys with or without schema, and refuses ambiguous ones", () => {
    expect(decide(select(star("public.customers")), compiled, CUSTOMERS).action).toBe("allow");
    expect(decide(select(star()), compiled, { "public.customers": CUSTOMERS.customers }).action).toBe("allow");
    expect(decide(select(star()), compiled, { "a.customers": ["id"], "b.customers": ["id", "ssn"] }).action).toBe("block");
  });

  it("passes `*` of a table without masked columns, even unexpanded", () => {
    const d = decide(select(star("orders")));
    expect(d.action).toBe("allow");
    expect(plan(d).columns).toEqual([]);
  });

  it.each([
    ["row_to_json(c)", expr("row_to_json", "customers.*", "customers.c")],
    ["to_jsonb(c)", expr("to_jsonb", "customers.*", "customers.c")],
    ["c::text", expr("c", "customers.*", "customers.c")],
    ["json_agg(c)", expr("json_agg", "customers.*", "customers.c")],
  ])("hides %s whole", (_, col) => {
    for (const c of [compiled, withCatalog]) {
      const d = decide(select(col), c);
      expect(kinds(d)).toEqual(["redact"]);
      expect(plan(d).columns[0].because?.via).toBe("whole-row");
    }
  });

  it("blocks a row value when the rule blocks derived values", () => {
    const p = policy([{ id: "m", name: "m", action: { type: "mask", columns: ["customers.ssn"], strategy: { kind: "redact" }, derived: "block" } }]);
    const d = decide(select(expr("row_to_json", "customers.*")), compilePolicy([defaultPolicy(), p], CUSTOMERS));
    expect(d).toMatchObject({ action: "block", code: "masked_whole_row" });
  });

  it("a wildcard table pattern makes every unexpanded `*` fail closed until a catalog says otherwise", () => {
    const p = policy([{ id: "m", name: "m", action: { type: "mask", columns: ["*.ssn"], strategy: { kind: "redact" } } }]);
    const c = compilePolicy([defaultPolicy(), p]);
    expect(decide(select(star("orders")), c).action).toBe("block");
    expect(decide(select(star("orders")), c, { orders: ["id", "total"] }).action).toBe("allow");
    expect(kinds(decide(select(star("people")), c, { people: ["id", "ssn"] }))).toEqual(["none", "redact"]);
  });
});

describe("masking: probing through predicates", () => {
  it("blocks a masked column in WHERE/JOIN/ORDER BY", () => {
    const s = stmt({ kind: "select", outputColumns: [out("id", "customers.id")], predicateColumns: [{ table: "customers", column: "card_number" }] });
    const d = decide(s);
    expect(d).toMatchObject({ action: "block", code: "masked_predicate" });
    expect(d.hints).toContain("`customers.card_number` is masked and cannot be used in WHERE, JOIN, ORDER BY or GROUP BY");
  });

  it("blocks a row value in a predicate (WHERE c::text LIKE ...)", () => {
    const s = stmt({ kind: "select", outputColumns: [out("id", "customers.id")], predicateColumns: [{ table: "customers", column: "*" }] });
    expect(decide(s)).toMatchObject({ action: "block", code: "masked_predicate" });
  });

  it("blocks probing inside EXPLAIN and EXPLAIN ANALYZE", () => {
    const inner = stmt({ kind: "select", outputColumns: [out("id", "customers.id")], predicateColumns: [{ table: "customers", column: "ssn" }] });
    expect(decide(stmt({ kind: "explain", explain: { analyze: true, inner } })).action).toBe("block");
    expect(decide(stmt({ kind: "explain", explain: { analyze: false, inner } })).action).toBe("block");
  });

  it("allows it when the rule says so", () => {
    const p = policy([{ id: "m", name: "m", action: { type: "mask", columns: ["customers.email"], strategy: { kind: "email" }, predicates: "allow" } }]);
    const s = stmt({ kind: "select", outputColumns: [out("id", "customers.id")], predicateColumns: [{ table: "customers", column: "email" }] });
    const d = decide(s, compilePolicy([defaultPolicy(), p]));
    expect(d.action).toBe("allow");
    expect(plan(d).touchesMasked).toBe(true);
  });
});

describe("masking: other routes", () => {
  it("blocks COPY of a masked table", () => {
    const s = stmt({ kind: "copy", copy: { direction: "to", target: "stdio" }, tablesRead: ["customers"], outputColumns: [{ name: "*", sources: [{ table: "customers", column: "*" }], direct: true }] });
    expect(decide(s)).toMatchObject({ action: "block", code: "masked_copy" });
    expect(decide(s, withCatalog)).toMatchObject({ action: "block", code: "masked_copy" });
    const bare = stmt({ kind: "copy", copy: { direction: "to", target: "stdio" }, tablesRead: ["customers"] });
    expect(decide(bare)).toMatchObject({ action: "block", code: "masked_copy" });
  });

  it("allows COPY of unmasked columns of a masked table, and COPY of a query computing over a masked one is blocked", () => {
    const ok = stmt({ kind: "copy", copy: { direction: "to", target: "stdio" }, tablesRead: ["customers"], outputColumns: [out("id", "customers.id"), out("name", "customers.name")] });
    const d = decide(ok);
    expect(d.action).toBe("allow");
    expect(plan(d)).toMatchObject({ columns: [], otherColumns: { detectors: true } });
    const bad = stmt({ kind: "copy", copy: { direction: "to", target: "stdio" }, tablesRead: ["customers"], outputColumns: [expr("upper", "customers.ssn")] });
    expect(decide(bad)).toMatchObject({ action: "block", code: "masked_copy", message: "COPY would return masked columns of customers unmasked" });
  });

  it("blocks a write that copies rows out of a masked table (an unmasked copy would be readable)", () => {
    const s = stmt({ kind: "select", tablesRead: ["customers"], tablesWritten: ["loot"], writes: [{ kind: "insert", table: "loot", hasWhere: true }] });
    const d = decide(s, compilePolicy([demoMasking()]));
    expect(d.action).toBe("block");
    expect(d.reasons.map((r) => r.code)).toContain("masked_copy_write");
  });

  it("blocks storing values of a masked table in variables (MySQL @v, SET)", () => {
    const my = (p: Parameters<typeof stmt>[0]) => stmt({ dialect: "mysql", ...p });
    const c = compilePolicy([defaultPolicy(), demoMasking()]);
    const run = (s: StatementAnalysis) => evaluate(c, analysis(s), context({ dialect: s.dialect }));
    expect(run(my({ kind: "select", normalized: "select @x := ssn from customers", tablesRead: ["customers"], outputColumns: [expr("?column?", "customers.ssn")] }))).toMatchObject({ action: "block", code: "masked_variable" });
    expect(run(my({ kind: "select", normalized: "select ssn into @x from customers", tablesRead: ["customers"], outputColumns: [out("ssn", "customers.ssn")] }))).toMatchObject({ action: "block", code: "masked_variable" });
    expect(run(my({ kind: "session", setting: "x", normalized: "set @x = (select ssn from customers)", tablesRead: ["customers"] }))).toMatchObject({ action: "block", code: "masked_variable" });
    expect(run(my({ kind: "select", normalized: "select id into @x from orders", tablesRead: ["orders"], outputColumns: [out("id", "orders.id")] })).action).toBe("allow");
  });

  it("masks RETURNING of a write", () => {
    const s = stmt({ kind: "update", tablesWritten: ["customers"], outputColumns: [out("card_number", "customers.card_number")] });
    const d = decide(s);
    expect(d.action).toBe("require_approval");
    expect(kinds(d)).toEqual(["card"]);
  });

  it("plans every result of a multi-statement text", () => {
    const d = decide([select(out("ssn", "customers.ssn")), select(out("id", "customers.id"))]);
    if (d.action === "block") throw new Error("blocked");
    expect(d.maskingByStatement.map((p) => p.columns.map((c) => c.strategy?.kind ?? "none"))).toEqual([["redact"], ["none"]]);
    expect(d.masking.statementIndex).toBe(1);
  });

  it("the masking plan comes with an approval too", () => {
    const d = decide(stmt({ kind: "unknown", error: "x" }));
    expect(d.action).toBe("require_approval");
    expect(plan(d)).toEqual({ statementIndex: 0, columns: [], otherColumns: { detectors: true }, touchesMasked: true, readsMaskedTable: true });
  });
});

describe("masking: detectors", () => {
  it("run on every column no strategy masks, by default (a known column can hold free text)", () => {
    const s = select(out("id", "customers.id"), { name: "f", sources: [], direct: false }, out("ssn", "customers.ssn"));
    expect(plan(decide(s)).columns.map((c) => c.detectors)).toEqual([true, true, false]);
  });

  it("run on columns of unknown origin only with detectors: unknown", () => {
    const p = policy([], { settings: { defaultAction: "allow", detectors: "unknown" } });
    const s = select(out("id", "customers.id"), { name: "f", sources: [], direct: false }, out("ssn", "customers.ssn"));
    expect(plan(decide(s, compilePolicy([p]))).columns.map((c) => c.detectors)).toEqual([false, true, false]);
  });

  it("skip the columns the settings call safe, when returned as they are; a value computed from one keeps them", () => {
    const p = policy([], { settings: { defaultAction: "allow", detectors: "all", safeColumns: ["customers.id", "*.created_at"] } });
    const s = select(out("id", "customers.id"), out("created_at", "orders.created_at"), expr("id2", "customers.id"), out("name", "customers.name"));
    expect(plan(decide(s, compilePolicy([p]))).columns.map((c) => c.detectors)).toEqual([false, false, true, true]);
  });

  it("run on computed columns when the statement calls functions (a function may read anything)", () => {
    const s = stmt({ kind: "select", functions: ["my_lookup"], outputColumns: [expr("my_lookup", "customers.id")] });
    expect(plan(decide(s)).columns[0].detectors).toBe(true);
  });

  it("run everywhere with detectors: all", () => {
    const p = policy([], { settings: { defaultAction: "allow", detectors: "all" } });
    const d = decide(select(out("id", "customers.id")), compilePolicy([p]));
    expect(plan(d).columns[0].detectors).toBe(true);
    expect(plan(d).otherColumns.detectors).toBe(true);
  });
});

describe("masking: scope", () => {
  it("applies a mask rule only where its scope matches", () => {
    const p = policy([{ id: "m", name: "m", scope: { agentGroups: ["contractors"] }, action: { type: "mask", columns: ["orders.total"], strategy: { kind: "redact" } } }]);
    const c = compilePolicy([defaultPolicy(), p]);
    const s = select(out("total", "orders.total"));
    expect(kinds(evaluate(c, analysis(s), context({ agentGroups: ["contractors"] })))).toEqual(["redact"]);
    expect(kinds(evaluate(c, analysis(s), context({ agentGroups: ["staff"] })))).toEqual(["none"]);
  });
});

describe("masks by pattern: a copy in another schema or table is covered by intent", () => {
  const byPattern = compilePolicy([
    policy([
      { id: "ssn-anywhere", name: "SSNs anywhere", action: { type: "mask", columns: ["*.ssn"], strategy: { kind: "redact" } } },
      { id: "patient-cards", name: "Patients' cards in any schema", action: { type: "mask", columns: ["*.patients.card_*"], strategy: { kind: "card" } } },
    ]),
  ]);
  const masked = (...columns: StatementAnalysis["outputColumns"]) => plan(decide(select(...columns), byPattern)).columns.map((c) => c.strategy?.kind ?? "none");

  it("`*.ssn` masks an ssn column of any table in any schema", () => {
    expect(masked(out("ssn", "patients.ssn"), out("ssn", "archive.people.ssn"), out("ssn_note", "people.ssn_note"))).toEqual(["redact", "redact", "none"]);
  });

  it("`*.patients.card_*` masks card columns of a patients table in any schema, not another table's", () => {
    expect(masked(out("card_number", "patients.card_number"), out("card_last4", "copy.patients.card_last4"), out("card_number", "people.card_number"))).toEqual(["card", "card", "none"]);
  });
});
