import { Badge, decisionTone } from "@/components/ui/badge";
import type { Rule } from "@/lib/policy/model";

// A rule in words, for the policy's page: where it applies, what it matches, what it does.

const ACTION_WORD = { allow: "allow", block: "block", require_approval: "approval", mask: "mask" } as const;

export function scopeText(rule: Rule): string {
  const parts: string[] = [];
  if (rule.scope.connections.length) parts.push(`connections ${rule.scope.connections.join(", ")}`);
  if (rule.scope.agents.length) parts.push(`agents ${rule.scope.agents.join(", ")}`);
  if (rule.scope.agentGroups.length) parts.push(`agent groups ${rule.scope.agentGroups.join(", ")}`);
  return parts.length ? parts.join("; ") : "everywhere";
}

export function matchText(rule: Rule): string[] {
  const m = rule.match;
  const out: string[] = [];
  if (m.kinds) out.push(`kinds: ${m.kinds.join(", ")}`);
  if (m.ddl) out.push(`DDL: ${m.ddl.join(", ")}`);
  if (m.dialects) out.push(`dialects: ${m.dialects.join(", ")}`);
  if (m.tables) out.push(`tables${m.tableAccess && m.tableAccess !== "any" ? ` (${m.tableAccess})` : ""}: ${m.tables.join(", ")}`);
  if (m.columns) out.push(`columns: ${m.columns.join(", ")}`);
  if (m.functions) out.push(`functions: ${m.functions.join(", ")}`);
  if (m.settings) out.push(`settings: ${m.settings.join(", ")}`);
  if (m.copy) out.push(`COPY ${[...(m.copy.direction ?? []), ...(m.copy.target ?? [])].join(", ")}`);
  if (m.regex) out.push(`text matches /${m.regex.pattern}/${m.regex.flags}`);
  const flags: [keyof typeof m, string][] = [
    ["noWhere", "no WHERE"], ["writes", "writes rows"], ["noLimit", "no LIMIT"], ["multiStatement", "multi-statement"], ["unknown", "not analysable"],
    ["fileAccess", "server file access"], ["maskedWholeRow", "whole row of a masked table"], ["maskedPredicate", "masked column in a predicate"],
  ];
  for (const [key, label] of flags) if (m[key] === true) out.push(label);
  return out;
}

export function actionText(rule: Rule): string {
  const a = rule.action;
  switch (a.type) {
    case "allow":
      return "Allow";
    case "block":
      return `Block: “${a.message}”`;
    case "require_approval":
      return `Needs ${a.minApprovals} approval${a.minApprovals === 1 ? "" : "s"} from ${a.approverRoles.join(" or ")}${a.approverGroups?.length ? ` in ${a.approverGroups.join(" or ")}` : ""}, within ${Math.round(a.expirySeconds / 60)} min${a.requireReason ? ", with the agent's reason" : ""}${a.message ? `: “${a.message}”` : ""}`;
    case "mask": {
      const strategy = a.strategy.kind === "partial" ? `partial (keep first ${a.strategy.keepFirst}, last ${a.strategy.keepLast})` : a.strategy.kind;
      return `Mask ${a.columns.join(", ")} with ${strategy}; computed values: ${a.derived}; in predicates: ${a.predicates}${a.alternative ? `; tells the agent: ${a.alternative}` : ""}`;
    }
  }
}

export function RuleSummary({ rule, index }: { rule: Rule; index: number }) {
  const matches = matchText(rule);
  return (
    <li data-rule={rule.id} className="py-3 first:pt-0 last:pb-0">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-xs text-slate-400">{index + 1}.</span>
        <Badge tone={decisionTone(rule.action.type)}>{ACTION_WORD[rule.action.type]}</Badge>
        <span className="font-medium text-slate-900">{rule.name}</span>
        <span className="font-mono text-xs text-slate-500">{rule.id}</span>
        {rule.enabled ? null : <Badge>disabled</Badge>}
      </div>
      <p className="mt-1 text-sm text-slate-700">{actionText(rule)}</p>
      <p className="text-xs text-slate-500">
        In {scopeText(rule)}
        {rule.action.type === "mask" ? "" : matches.length ? ` · when ${matches.join(" · ")}` : " · every statement"}
      </p>
    </li>
  );
}
