import type { Decision } from "@/lib/policy/decision";
import type { DecisionGist } from "@/lib/policy/decision-change";

// A Decision as the simulator shows it: plain, serialisable fields only (no Date, no functions), so a server
// action can return it to the browser.

export interface ColumnView {
  readonly index: number;
  readonly name: string;
  /** "redact", "partial (first 0, last 4)" …; null when the value passes unchanged. */
  readonly strategy: string | null;
  readonly source?: string;
  readonly via?: string;
  readonly rule?: string;
  readonly detectors: boolean;
}

export interface PlanView {
  readonly statementIndex: number;
  readonly columns: readonly ColumnView[];
  readonly otherDetectors: boolean;
}

export interface DecisionView {
  readonly action: Decision["action"];
  readonly message?: string;
  readonly reasons: readonly { readonly code: string; readonly message: string; readonly rule?: string }[];
  readonly matched: readonly { readonly rule: string; readonly name: string; readonly action: string; readonly what: string }[];
  readonly hints: readonly string[];
  readonly plans: readonly PlanView[];
  readonly maxRows?: number;
  readonly approval?: { readonly roles: readonly string[]; readonly minApprovals: number; readonly expirySeconds: number };
}

export function decisionView(decision: Decision): DecisionView {
  return {
    action: decision.action,
    ...(decision.action === "block" ? { message: decision.message } : {}),
    reasons: decision.reasons.map((r) => ({ code: r.code, message: r.message, ...(r.rule ? { rule: `${r.rule.policyId}/${r.rule.ruleId}` } : {}) })),
    matched: decision.matched.map((m) => ({ rule: `${m.policyId}/${m.ruleId}`, name: m.ruleName, action: m.action, what: m.what })),
    hints: [...decision.hints],
    plans:
      decision.action === "block"
        ? []
        : decision.maskingByStatement.map((plan) => ({
            statementIndex: plan.statementIndex,
            otherDetectors: plan.otherColumns.detectors,
            columns: plan.columns.map((c) => ({
              index: c.index,
              name: c.name,
              strategy: c.strategy === null ? null : c.strategy.kind === "partial" ? `partial (first ${c.strategy.keepFirst}, last ${c.strategy.keepLast})` : c.strategy.kind,
              detectors: c.detectors,
              ...(c.because ? { source: c.because.source, via: c.because.via, rule: `${c.because.rule.policyId}/${c.because.rule.ruleId}` } : {}),
            })),
          })),
    ...(decision.maxRows !== undefined ? { maxRows: decision.maxRows } : {}),
    ...(decision.action === "require_approval"
      ? { approval: { roles: [...decision.approval.approverRoles], minApprovals: decision.approval.minApprovals, expirySeconds: decision.approval.expirySeconds } }
      : {}),
  };
}

export interface ChangedStatement {
  readonly eventId: string;
  readonly at: string;
  readonly agent: string;
  readonly connection: string;
  /** As recorded, or its shape (constants as `?`) for viewers without sessions.view; null when it has no shape. */
  readonly sql: string | null;
  readonly before: DecisionGist;
  readonly after: DecisionGist;
}
