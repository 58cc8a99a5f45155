import type { Analysis, StatementAnalysis } from "../sql/types";
import type { CompiledPolicy, CompiledRule } from "./compile";
import type { StatementView } from "./conditions";
import type { Decision, EvaluationContext, MaskingPlan, MatchedRule, PolicyTracer, Reason } from "./decision";
import { assembleDecision, type StatementOutcome } from "./verdict";
import { planStatement, type MaskEnv, type StatementMasking } from "./masking-plan";
import { indexCatalog } from "./catalog";

// evaluate(): a pure function of (compiled policy, analysis, context). It reads no clock (ctx.now), does no I/O
// and is deterministic: the same inputs give a deeply equal Decision.
//
// Per statement: block rules > require_approval rules > allow rules > the policies' default action; masking
// problems (probing, unmaskable `*`, COPY) add blocks or approvals. The text is decided as a whole: one blocked
// statement blocks all, any approval makes the whole text need approval. EXPLAIN ANALYZE runs its statement,
// so the inner statement is judged as if sent itself; a plain EXPLAIN's inner statement can still be blocked.

type Role = "top" | "analyze-inner" | "plan-inner";

interface Unit {
  readonly stmt: StatementAnalysis;
  readonly index: number;
  readonly role: Role;
}

function flatten(statements: readonly StatementAnalysis[]): Unit[] {
  const units: Unit[] = [];
  statements.forEach((stmt, index) => {
    units.push({ stmt, index, role: "top" });
    let cur = stmt;
    let executes = true;
    for (let depth = 0; cur.explain !== undefined && depth < 8; depth++) {
      executes &&= cur.explain.analyze;
      cur = cur.explain.inner;
      units.push({ stmt: cur, index, role: executes ? "analyze-inner" : "plan-inner" });
    }
  });
  return units;
}

export function evaluate(
  compiled: CompiledPolicy,
  analysis: Analysis,
  ctx: EvaluationContext,
  tracer?: PolicyTracer,
): Decision {
  const active = compiled.maskScopes.map((s) => s.applies(ctx));
  const env: MaskEnv = {
    masks: compiled.masks,
    active,
    anyActive: active.includes(true),
    catalog: ctx.catalog !== undefined ? indexCatalog(ctx.catalog) : compiled.catalog,
    detectors: compiled.detectors,
    safeColumns: compiled.safeColumns,
    tableCache: new Map(),
  };
  const rules = inScope(compiled.rules, ctx, tracer);
  const multi = analysis.multiStatement || analysis.statements.length > 1;
  const outcomes: StatementOutcome[] = analysis.statements.map((_, index) => ({ index, blocks: [], approvals: [], allows: [], hints: [], masked: [] }));
  const plans: MaskingPlan[] = [];

  if (analysis.statements.length === 0) return nothingAnalysed(compiled, tracer);
  if (analysis.dialect !== ctx.dialect) {
    outcomes[0].blocks.push({
      reason: { code: "dialect_mismatch", message: `the statement was analysed as ${analysis.dialect} but the connection is ${ctx.dialect}`, statementIndex: 0 },
    });
  }

  for (const unit of flatten(analysis.statements)) {
    const out = outcomes[unit.index];
    let masking: StatementMasking | undefined;
    const mask = (): StatementMasking => (masking ??= planStatement(env, unit.stmt, unit.index, unit.role === "top", unit.role === "top" ? tracer : undefined));
    const view: StatementView = {
      stmt: unit.stmt,
      index: unit.index,
      multi,
      maskedWholeRow: () => mask().wholeRow,
      maskedPredicate: () => mask().predicate,
    };
    for (const rule of rules) {
      if (unit.role === "plan-inner" && rule.action.type !== "block") continue;
      const failed = firstFailing(rule, view);
      if (failed !== undefined) {
        if (tracer !== undefined) tracer.rule(rule.ref, unit.index, false, `${failed} did not hold${roleNote(unit.role)}`);
        continue;
      }
      const what = rule.conditions.length === 0 ? "every statement" : rule.conditions.map((c) => c.describe(view)).join(", ");
      tracer?.rule(rule.ref, unit.index, true, what + roleNote(unit.role));
      const matched: MatchedRule = { ...rule.ref, action: rule.action.type, statementIndex: unit.index, what: what + roleNote(unit.role) };
      const hint = ("hint" in rule.action ? rule.action.hint : undefined) ?? rule.conditions.find((c) => c.hint !== undefined)?.hint;
      if (rule.action.type === "block") {
        out.blocks.push({ matched, reason: { code: "rule_block", message: rule.action.message, statementIndex: unit.index, rule: rule.ref }, ...(hint ? { hint } : {}) });
      } else if (rule.action.type === "require_approval") {
        out.approvals.push({ matched, reason: { code: "rule_approval", message: rule.action.message ?? `${rule.ref.ruleName}: ${what}`, statementIndex: unit.index, rule: rule.ref }, requirement: rule.action, ...(hint ? { hint } : {}) });
      } else {
        out.allows.push({ matched, reason: { code: "rule_allow", message: `${rule.ref.ruleName}: ${what}`, statementIndex: unit.index, rule: rule.ref } });
      }
    }
    const m = mask();
    for (const p of m.problems) {
      if (unit.role === "plan-inner" && p.code !== "masked_predicate") continue;
      const reason: Reason = { code: p.code, message: p.message, statementIndex: unit.index, rule: p.rule };
      const matched: MatchedRule = { ...p.rule, action: "mask", statementIndex: unit.index, what: p.message };
      if (p.action === "block") out.blocks.push({ matched, reason, hint: p.hint });
      else out.approvals.push({ matched, reason, hint: p.hint });
    }
    out.hints.push(...m.hints);
    if (unit.role === "top") {
      plans.push(m.plan);
      for (const c of m.plan.columns) if (c.because !== undefined) out.masked.push(c.because.rule);
    }
  }
  return assembleDecision(compiled, analysis, ctx, outcomes, plans, tracer);
}

/** An analysis without statements is a fault upstream (lib/sql reports even empty text as `unknown`): fail closed. */
function nothingAnalysed(compiled: CompiledPolicy, tracer: PolicyTracer | undefined): Decision {
  const message = "the statement text produced no analysis";
  tracer?.decision?.("block", message);
  return {
    action: "block",
    matched: [],
    reasons: [{ code: "nothing_analysed", message, statementIndex: 0 }],
    hints: [],
    message,
    code: "nothing_analysed",
    statementIndex: 0,
    ...(compiled.maxRows !== undefined ? { maxRows: compiled.maxRows } : {}),
  };
}

function inScope(rules: readonly CompiledRule[], ctx: EvaluationContext, tracer: PolicyTracer | undefined): readonly CompiledRule[] {
  let out: CompiledRule[] | undefined;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.scope.everywhere || r.scope.applies(ctx)) {
      out?.push(r);
      continue;
    }
    out ??= rules.slice(0, i);
    tracer?.rule(r.ref, -1, false, `not in scope (${r.scope.describe})`);
  }
  return out ?? rules;
}

function firstFailing(rule: CompiledRule, view: StatementView): string | undefined {
  for (const c of rule.conditions) if (!c.test(view)) return c.label;
  return undefined;
}

function roleNote(role: Role): string {
  return role === "analyze-inner" ? " (inside EXPLAIN ANALYZE)" : role === "plan-inner" ? " (inside EXPLAIN)" : "";
}
