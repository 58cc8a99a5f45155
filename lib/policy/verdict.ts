import type { Analysis } from "../sql/types";
import type { CompiledPolicy } from "./compile";
import type {
  ApprovalRequirement,
  Decision,
  EvaluationContext,
  MaskingPlan,
  MatchedRule,
  PolicyTracer,
  Reason,
  RuleRef,
} from "./decision";
import type { ApprovalAction, Role } from "./model";

// Turns per-statement findings into one Decision for the whole text: any block blocks everything, else any
// approval needs approval of the whole text, else allow. Approvals from several rules combine to the strictest:
// the most approvals, the shortest expiry, and only roles every rule accepts.

export interface Finding {
  readonly matched?: MatchedRule;
  readonly reason: Reason;
  readonly hint?: string;
}

export interface ApprovalFinding extends Finding {
  readonly requirement?: ApprovalAction;
}

export interface StatementOutcome {
  readonly index: number;
  readonly blocks: Finding[];
  readonly approvals: ApprovalFinding[];
  readonly allows: Finding[];
  readonly hints: string[];
  /** Mask rules that masked a result column of this statement. */
  readonly masked: RuleRef[];
}

export const DEFAULT_APPROVAL: Omit<ApprovalAction, "type"> = {
  approverRoles: ["approver", "admin"],
  minApprovals: 1,
  expirySeconds: 900,
  requireReason: false,
};

export function assembleDecision(
  compiled: CompiledPolicy,
  analysis: Analysis,
  ctx: EvaluationContext,
  outcomes: readonly StatementOutcome[],
  plans: readonly MaskingPlan[],
  tracer: PolicyTracer | undefined,
): Decision {
  // Statements no rule decided get the default action.
  for (const o of outcomes) {
    if (o.blocks.length > 0 || o.approvals.length > 0 || o.allows.length > 0) continue;
    const reason: Reason = {
      code: "default_action",
      message: `no rule decides this statement; policy ${compiled.defaultActionPolicy || "(none)"} defaults to ${compiled.defaultAction}`,
      statementIndex: o.index,
    };
    if (compiled.defaultAction === "block") o.blocks.push({ reason });
    else if (compiled.defaultAction === "require_approval") o.approvals.push({ reason });
    else o.allows.push({ reason });
  }

  const matched: MatchedRule[] = [];
  const reasons: Reason[] = [];
  const blocks: Finding[] = [];
  const approvals: ApprovalFinding[] = [];
  const maskHints: string[] = [];
  for (const o of outcomes) {
    collect(o.blocks, matched, reasons);
    collect(o.approvals, matched, reasons);
    collect(o.allows, matched, reasons);
    for (let i = 0; i < o.masked.length; i++) {
      const ref = o.masked[i];
      if (o.masked.indexOf(ref) !== i) continue; // refs are shared objects: identity dedupes
      matched.push({ ...ref, action: "mask", statementIndex: o.index, what: "masks result columns" });
    }
    blocks.push(...o.blocks);
    approvals.push(...o.approvals);
    maskHints.push(...o.hints);
  }

  const base = { matched, reasons, ...(compiled.maxRows !== undefined ? { maxRows: compiled.maxRows } : {}) };
  if (blocks.length > 0) {
    const first = blocks[0];
    const hints = unique([...blocks.map((b) => b.hint), ...maskHints]);
    // Every refusal says what to do next, even for a rule whose author gave no hint.
    if (hints.length === 0) hints.push(fallbackHint(first));
    tracer?.decision?.("block", first.reason.message);
    return { action: "block", ...base, hints, message: first.reason.message, code: first.reason.code, statementIndex: first.reason.statementIndex };
  }

  const results = {
    masking: lastResult(analysis, plans),
    maskingByStatement: plans,
  };
  const limitHints = limitHint(compiled, analysis);
  if (approvals.length > 0) {
    const hints = unique([...approvals.map((a) => a.hint), ...maskHints, ...limitHints]);
    const approval = combineApprovals(approvals, ctx.now);
    tracer?.decision?.("require_approval", approvals[0].reason.message);
    return { action: "require_approval", ...base, hints, approval, ...results };
  }
  tracer?.decision?.("allow", reasons.length > 0 ? reasons[0].message : "nothing to execute");
  return { action: "allow", ...base, hints: unique([...maskHints, ...limitHints]), ...results };
}

function collect(findings: readonly Finding[], matched: MatchedRule[], reasons: Reason[]): void {
  for (const f of findings) {
    if (f.matched !== undefined) matched.push(f.matched);
    reasons.push(f.reason);
  }
}

function combineApprovals(approvals: readonly ApprovalFinding[], now: Date): ApprovalRequirement {
  let roles: Role[] | undefined;
  let groups: string[] | undefined;
  let minApprovals = 1;
  let expirySeconds = Number.POSITIVE_INFINITY;
  let message: string | undefined;
  let requireReason = false;
  let remindAfterSeconds: number | undefined;
  const ruleIds = new Set<string>();
  for (const a of approvals) {
    const r = a.requirement ?? DEFAULT_APPROVAL;
    roles = roles === undefined ? [...r.approverRoles] : roles.filter((x) => r.approverRoles.includes(x));
    if (r.approverGroups?.length) groups = groups === undefined ? [...r.approverGroups] : groups.filter((x) => r.approverGroups!.includes(x));
    minApprovals = Math.max(minApprovals, r.minApprovals);
    expirySeconds = Math.min(expirySeconds, r.expirySeconds);
    message ??= a.requirement?.message;
    requireReason ||= r.requireReason === true;
    if (r.remindAfterSeconds !== undefined) remindAfterSeconds = Math.min(remindAfterSeconds ?? Infinity, r.remindAfterSeconds);
    if (a.matched) ruleIds.add(a.matched.ruleId);
  }
  // Rules that name no common role or group fall back to admins (who need no group): strict, and still decidable.
  const unsatisfiable = (roles !== undefined && roles.length === 0) || (groups !== undefined && groups.length === 0);
  const approverRoles: readonly Role[] = unsatisfiable ? ["admin"] : roles!;
  return {
    approverRoles,
    ...(!unsatisfiable && groups !== undefined ? { approverGroups: groups } : {}),
    minApprovals,
    expirySeconds,
    expiresAt: new Date(now.getTime() + expirySeconds * 1000),
    ...(message !== undefined ? { message } : {}),
    requireReason,
    ...(remindAfterSeconds !== undefined ? { remindAfterSeconds } : {}),
    ruleIds: [...ruleIds],
  };
}

function lastResult(analysis: Analysis, plans: readonly MaskingPlan[]): MaskingPlan {
  for (let i = plans.length - 1; i >= 0; i--) {
    const s = analysis.statements[plans[i].statementIndex];
    if (s.outputColumns.length > 0 || s.kind === "unknown") return plans[i];
  }
  return plans[plans.length - 1];
}

function limitHint(compiled: CompiledPolicy, analysis: Analysis): string[] {
  const max = compiled.maxRows;
  if (max === undefined) return [];
  for (const s of analysis.statements)
    if (s.kind === "select" && s.tablesRead.length > 0 && s.outputColumns.length > 0 && (!s.hasLimit || (s.limit !== undefined && s.limit > max)))
      return [`use LIMIT ≤ ${max}`];
  return [];
}

function unique(items: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const i of items) if (i !== undefined && i !== "" && !out.includes(i)) out.push(i);
  return out;
}

/** What an agent can do about a block nobody wrote a hint for. */
function fallbackHint(block: Finding): string {
  const rule = block.reason.rule;
  return rule
    ? `Change the statement so that the rule "${rule.ruleName}" (policy ${rule.policyId}) does not apply to it; if it should be allowed, a policy author can change that rule.`
    : "Change the statement; if it should be allowed, a policy author can add a rule for it.";
}
