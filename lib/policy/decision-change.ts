import type { Decision } from "./decision";

// What "the decision would change" means for the simulator's replay of recorded statements: the action differs,
// or the result's masking differs (a column masked, unmasked, or masked another way). Pure.

export interface DecisionGist {
  readonly action: Decision["action"];
  /** One entry per masked output column: "name ← customers.name (redact)". Sorted. */
  readonly masked: readonly string[];
  /** The rules that decided it ("shop-demo/allow-reads"), in order. */
  readonly rules: readonly string[];
  /** The first reason's message. */
  readonly why: string;
}

export function decisionGist(decision: Decision): DecisionGist {
  const masked: string[] = [];
  if (decision.action !== "block") {
    for (const plan of decision.maskingByStatement)
      for (const column of plan.columns)
        if (column.strategy !== null) {
          const source = column.because ? ` ← ${column.because.source}` : "";
          masked.push(`${plan.statementIndex > 0 ? `#${plan.statementIndex + 1} ` : ""}${column.name}${source} (${column.strategy.kind})`);
        }
  }
  masked.sort();
  const rules = [...new Set(decision.matched.map((rule) => `${rule.policyId}/${rule.ruleId}`))];
  const why = decision.action === "block" ? decision.message : (decision.reasons[0]?.message ?? "");
  return { action: decision.action, masked, rules, why };
}

export function gistChanged(before: DecisionGist, after: DecisionGist): boolean {
  return before.action !== after.action || before.masked.join("\n") !== after.masked.join("\n");
}
