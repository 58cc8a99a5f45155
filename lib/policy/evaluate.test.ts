import { describe, expect, it } from "vitest";
import type { StatementAnalysis } from "../sql/types";
import { compilePolicy } from "./compile";
import type { Decision, PolicyTracer } from "./decision";
import { defaultPolicy } from "./defaults";
import { evaluate } from "./evaluate";
import { analysis, context, demoMasking, out, policy, stmt } from "./fixtures";
import type { RuleInput } from "./model";

const block = (id: string, match: RuleInput["match"], scope?: RuleInput["scope"]): RuleInput => ({
  id, name: id, match, ...(scope ? { scope } : {}), action: { type: "block", message: `${id} says no` },
});
const read = stmt({ kind: "select", tablesRead: ["public.orders"], outputColumns: [out("id", "public.orders.id")], hasLimit: true, limit: 1 });

describe("scope", () => {
  const p = policy([block("prod-only", {}, { connections: ["prod-*"], agentGroups: ["contractors", "temp-*"], agents: ["agent-?"] })], { settings: { defaultAction: "allow", detectors: "unknown" } });
  const c = compilePolicy(p);
  it.each([
    [{}, "block"],
    [{ connection: "staging-db" }, "allow"],
    [{ agentGroups: ["staff"] }, "allow"],
    [{ agentGroups: ["staff", "temp-2025"] }, "block"],
    [{ agentGroups: [] }, "allow"],
    [{ agentId: "agent-12" }, "allow"],
    [{ agentGroups: ["contractors"], agentId: "agent-9", connection: "PROD-eu" }, "block"],
    [{ agentId: "0f6c1f3e-uuid", agentName: "agent-7" }, "block"],
    [{ agentId: "0f6c1f3e-uuid", agentName: "claude-bot" }, "allow"],
  ] as const)("%o → %s", (ctx, expected) => {
    expect(evaluate(c, analysis(read), context({ agentGroups: ["contractors"], ...ctx })).action).toBe(expected);
  });
});

describe("match conditions", () => {
  const decideWith = (rules: RuleInput[], s: StatementAnalysis) =>
    evaluate(compilePolicy(policy(rules, { settings: { defaultAction: "allow", detectors: "unknown" } })), analysis(s), context({ dialect: s.dialect }));

  it("tables: a pattern without schema matches any schema; with a schema, only that one (or unqualified)", () => {
    expect(decideWith([block("b", { tables: ["orders"] })], read).action).toBe("block");
    expect(decideWith([block("b", { tables: ["sales.orders"] })], read).action).toBe("allow");
    expect(decideWith([block("b", { tables: ["public.ord*"] })], read).action).toBe("block");
    expect(decideWith([block("b", { tables: ["public.orders"] })], stmt({ kind: "select", tablesRead: ["orders"] })).action).toBe("block");
  });

  it("tables: access read / write", () => {
    const ins = stmt({ kind: "insert", tablesRead: ["src"], tablesWritten: ["dst"] });
    expect(decideWith([block("b", { tables: ["src"], tableAccess: "write" })], ins).action).toBe("allow");
    expect(decideWith([block("b", { tables: ["dst"], tableAccess: "write" })], ins).action).toBe("block");
    expect(decideWith([block("b", { tables: ["dst"], tableAccess: "read" })], ins).action).toBe("allow");
    const cte = stmt({ kind: "select", writes: [{ kind: "delete", table: "audit", hasWhere: true }] });
    expect(decideWith([block("b", { tables: ["audit"], tableAccess: "write" })], cte).action).toBe("block");
  });

  it("columns: table.column globs over outputs and predicates", () => {
    const s = stmt({ kind: "select", outputColumns: [out("x", "hr.salaries.amount")], predicateColumns: [{ table: "hr.people", column: "ssn" }] });
    expect(decideWith([block("b", { columns: ["salaries.amount"] })], s).action).toBe("block");
    expect(decideWith([block("b", { columns: ["*.ssn"] })], s).action).toBe("block");
    expect(decideWith([block("b", { columns: ["ssn"] })], s).action).toBe("block");
    expect(decideWith([block("b", { columns: ["people.amount"] })], s).action).toBe("allow");
    const star = stmt({ kind: "select", outputColumns: [{ name: "*", sources: [{ table: "salaries", column: "*" }], direct: true }] });
    expect(decideWith([block("b", { columns: ["salaries.amount"] })], star).action).toBe("block");
  });

  it("kinds include writes in data-modifying CTEs", () => {
    const cte = stmt({ kind: "select", writes: [{ kind: "delete", table: "t", hasWhere: true }] });
    expect(decideWith([block("b", { kinds: ["delete"] })], cte).action).toBe("block");
    expect(decideWith([block("b", { kinds: ["insert"] })], cte).action).toBe("allow");
  });

  it("dialects, multiStatement, noLimit, settings, regex", () => {
    const my = stmt({ dialect: "mysql", kind: "select" });
    expect(decideWith([block("b", { dialects: ["postgres"] })], my).action).toBe("allow");
    expect(decideWith([block("b", { dialects: ["mysql"] })], my).action).toBe("block");
    expect(decideWith([block("b", { noLimit: true })], stmt({ kind: "select" })).action).toBe("block");
    expect(decideWith([block("b", { noLimit: true })], read).action).toBe("allow");
    expect(decideWith([block("b", { settings: ["search_*"] })], stmt({ kind: "session", setting: "search_path" })).action).toBe("block");
    expect(decideWith([block("b", { settings: ["search_*"] })], stmt({ kind: "session" })).action).toBe("block"); // unknown setting: fail closed
    const rx = block("b", { regex: { pattern: "\\bpg_catalog\\b", flags: "i" } });
    expect(decideWith([rx], stmt({ kind: "select", normalized: "SELECT * FROM PG_CATALOG.pg_class" })).action).toBe("block");
    expect(decideWith([rx], stmt({ kind: "select", normalized: "SELECT 1" })).action).toBe("allow");
    const multi = compilePolicy(policy([block("b", { multiStatement: true })], { settings: { defaultAction: "allow", detectors: "unknown" } }));
    expect(evaluate(multi, analysis(read, read), context()).action).toBe("block");
    expect(evaluate(multi, analysis(read), context()).action).toBe("allow");
    expect(evaluate(multi, analysis(read, read), context()).hints).toContain("send one statement at a time");
  });

  it("an allow rule must be earned: uncertain facts do not match it", () => {
    const ddl = stmt({ kind: "ddl" }); // action unknown
    const allowCreate: RuleInput = { id: "a", name: "a", match: { kinds: ["ddl"], ddl: ["create"] }, action: { type: "allow" } };
    const c = compilePolicy(policy([allowCreate]));
    expect(evaluate(c, analysis(ddl), context()).action).toBe("require_approval");
    expect(decideWith([block("b", { ddl: ["drop"] })], ddl).action).toBe("block");
  });

  it("maskedPredicate / maskedWholeRow as conditions of ordinary rules", () => {
    const mask = demoMasking().rules.map((r) => (r.action.type === "mask" ? { ...r, action: { ...r.action, predicates: "allow" as const } } : r));
    const approve: RuleInput = { id: "probe", name: "probe", match: { maskedPredicate: true }, action: { type: "require_approval" } };
    const c = compilePolicy([policy([...mask, approve], { settings: { defaultAction: "allow", detectors: "unknown" } })]);
    const s = stmt({ kind: "select", outputColumns: [out("id", "customers.id")], predicateColumns: [{ table: "customers", column: "email" }] });
    const d = evaluate(c, analysis(s), context());
    expect(d.action).toBe("require_approval");
    expect(d.matched[0].what).toBe("masked column customers.email in a predicate");
    const wr: RuleInput = { id: "wr", name: "wr", match: { maskedWholeRow: true }, action: { type: "block", message: "no rows" } };
    const c2 = compilePolicy([demoMasking(), policy([wr])], { customers: ["id", "ssn"] });
    const star = stmt({ kind: "select", outputColumns: [{ name: "*", sources: [{ table: "customers", column: "*" }], direct: true }] });
    expect(evaluate(c2, analysis(star), context())).toMatchObject({ action: "block", message: "no rows" });
  });
});

describe("precedence and combination", () => {
  it("block > require_approval > allow > default", () => {
    const rules: RuleInput[] = [
      { id: "allow", name: "allow", match: {}, action: { type: "allow" } },
      { id: "approve", name: "approve", match: { tables: ["orders"] }, action: { type: "require_approval" } },
      block("block", { tables: ["secrets"] }),
    ];
    const c = compilePolicy(policy(rules));
    expect(evaluate(c, analysis(stmt({ kind: "select", tablesRead: ["x"] })), context()).action).toBe("allow");
    expect(evaluate(c, analysis(stmt({ kind: "select", tablesRead: ["orders"] })), context()).action).toBe("require_approval");
    const d = evaluate(c, analysis(stmt({ kind: "select", tablesRead: ["orders", "secrets"] })), context());
    expect(d.action).toBe("block");
    expect(d.matched.map((m) => m.ruleId)).toEqual(["block", "approve", "allow"]);
  });

  it("the strictest default action of the compiled policies applies when no rule decides", () => {
    const lax = policy([], { id: "lax", settings: { defaultAction: "allow", detectors: "off" } });
    const strict = policy([], { id: "strict", settings: { defaultAction: "block", detectors: "off" } });
    const d = evaluate(compilePolicy([lax, strict]), analysis(read), context());
    expect(d).toMatchObject({ action: "block", code: "default_action" });
    expect(evaluate(compilePolicy([]), analysis(read), context()).action).toBe("require_approval");
  });

  it("combines approvals to the strictest requirement", () => {
    const rules: RuleInput[] = [
      { id: "a1", name: "a1", match: { kinds: ["insert"] }, action: { type: "require_approval", approverRoles: ["approver", "admin"], minApprovals: 1, expirySeconds: 3600 } },
      { id: "a2", name: "a2", match: { tables: ["payments"] }, action: { type: "require_approval", approverRoles: ["admin", "policy_author"], minApprovals: 2, expirySeconds: 600, message: "payments change" } },
    ];
    const d = evaluate(compilePolicy(policy(rules)), analysis(stmt({ kind: "insert", tablesWritten: ["payments"] })), context());
    expect(d.action).toBe("require_approval");
    if (d.action !== "require_approval") return;
    expect(d.approval).toEqual({ approverRoles: ["admin"], minApprovals: 2, expirySeconds: 600, expiresAt: new Date("2025-01-02T03:14:05.000Z"), message: "payments change", requireReason: false, ruleIds: ["a1", "a2"] });
  });

  it("any rule asking for a reason makes it required; the shortest reminder wins", () => {
    const rules: RuleInput[] = [
      { id: "r1", name: "r1", match: { kinds: ["update"] }, action: { type: "require_approval", requireReason: true, remindAfterSeconds: 600 } },
      { id: "r2", name: "r2", match: { tables: ["payments"] }, action: { type: "require_approval", remindAfterSeconds: 120 } },
      { id: "r3", name: "r3", match: { tables: ["other"] }, action: { type: "require_approval", remindAfterSeconds: 60 } },
    ];
    const d = evaluate(compilePolicy(policy(rules)), analysis(stmt({ kind: "update", tablesWritten: ["payments"], hasWhere: true })), context());
    if (d.action !== "require_approval") throw new Error(`expected approval, got ${d.action}`);
    expect(d.approval).toMatchObject({ requireReason: true, remindAfterSeconds: 120, ruleIds: ["r1", "r2"] });
  });

  it("approver groups narrow to the groups every rule accepts; none in common falls back to admins", () => {
    const write = analysis(stmt({ kind: "update", tablesWritten: ["payments"], hasWhere: true }));
    const two = (a: string[], b: string[]): RuleInput[] => [
      { id: "g1", name: "g1", match: { kinds: ["update"] }, action: { type: "require_approval", approverGroups: a } },
      { id: "g2", name: "g2", match: { tables: ["payments"] }, action: { type: "require_approval", approverGroups: b } },
    ];
    const narrowed = evaluate(compilePolicy(policy(two(["dba", "payments-leads"], ["payments-leads", "finance"]))), write, context());
    if (narrowed.action !== "require_approval") throw new Error("expected approval");
    expect(narrowed.approval).toMatchObject({ approverRoles: ["approver", "admin"], approverGroups: ["payments-leads"] });
    const disjoint = evaluate(compilePolicy(policy(two(["dba"], ["finance"]))), write, context());
    if (disjoint.action !== "require_approval") throw new Error("expected approval");
    expect(disjoint.approval.approverRoles).toEqual(["admin"]);
    expect(disjoint.approval.approverGroups).toBeUndefined();
  });

  it("disabled rules do nothing", () => {
    const p = policy([{ ...block("b", {}), enabled: false }], { settings: { defaultAction: "allow", detectors: "off" } });
    expect(evaluate(compilePolicy(p), analysis(read), context()).action).toBe("allow");
  });

  it("fails closed on an empty analysis and on a dialect mismatch", () => {
    const c = compilePolicy(defaultPolicy());
    expect(evaluate(c, { dialect: "postgres", statements: [], multiStatement: false }, context())).toMatchObject({ action: "block", code: "nothing_analysed" });
    expect(evaluate(c, analysis(read), context({ dialect: "mysql" }))).toMatchObject({ action: "block", code: "dialect_mismatch" });
  });
});

describe("tracer, determinism, speed", () => {
  const c = compilePolicy([defaultPolicy(), demoMasking()]);
  const s = stmt({ kind: "select", tablesRead: ["customers"], outputColumns: [out("id", "customers.id"), out("card_number", "customers.card_number")], hasLimit: true, limit: 5 });

  it("the tracer explains every rule and column; without it the decision is the same", () => {
    const events: string[] = [];
    const tracer: PolicyTracer = {
      rule: (r, i, matched, why) => events.push(`${r.ruleId}@${i} ${matched ? "✓" : "✗"} ${why}`),
      column: (i, col, why) => events.push(`col ${i}.${col} ${why}`),
      decision: (a, why) => events.push(`decision ${a}: ${why}`),
    };
    const traced = evaluate(c, analysis(s), context(), tracer);
    expect(traced).toEqual(evaluate(c, analysis(s), context()));
    expect(events).toContain("allow-reads@0 ✓ kind select");
    expect(events).toContain("block-drop@0 ✗ kind in [ddl] did not hold");
    expect(events).toContain("col 0.1 card_number: card (direct from customers.card_number, rule mask-card)");
    expect(events[events.length - 1]).toBe("decision allow: Reads are allowed: kind select");
  });

  it("is deterministic", () => {
    const a: Decision = evaluate(c, analysis(s, stmt({ kind: "insert", tablesWritten: ["t"] })), context());
    const b: Decision = evaluate(compilePolicy([defaultPolicy(), demoMasking()]), analysis(s, stmt({ kind: "insert", tablesWritten: ["t"] })), context());
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("takes microseconds on the common path", () => {
    const a = analysis(s);
    const ctx = context();
    for (let i = 0; i < 2000; i++) evaluate(c, a, ctx);
    const n = 20000;
    const t = performance.now();
    for (let i = 0; i < n; i++) evaluate(c, a, ctx);
    const perCall = ((performance.now() - t) / n) * 1000;
    expect(perCall).toBeLessThan(100); // µs; typically ~5-15
  });
});
