import { Badge, decisionTone } from "@/components/ui/badge";
import type { DecisionView } from "./decision-view";

// A simulated decision: the action, why (reasons and the rules that matched), hints the agent would get, and the
// masking plan: each result column and how it leaves.

const ACTION_LABEL = { allow: "Allowed", block: "Blocked", require_approval: "Needs approval" } as const;

export function DecisionPanel({ decision }: { decision: DecisionView }) {
  return (
    <div data-decision={decision.action} className="space-y-4 text-sm">
      <p className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-900">Decision:</span>
        <Badge tone={decisionTone(decision.action)}>{ACTION_LABEL[decision.action]}</Badge>
        {decision.message ? <span className="text-slate-700">{decision.message}</span> : null}
        {decision.approval ? (
          <span className="text-slate-600">
            by {decision.approval.roles.join(" or ")}, {decision.approval.minApprovals} needed, expires after {decision.approval.expirySeconds} s
          </span>
        ) : null}
      </p>
      <div>
        <h4 className="font-medium text-slate-900">Reasons</h4>
        <ul className="mt-1 list-disc space-y-0.5 pl-5 text-slate-700">
          {decision.reasons.map((reason, i) => (
            <li key={i}>
              {reason.message} <span className="font-mono text-xs text-slate-500">({reason.code}{reason.rule ? `, ${reason.rule}` : ""})</span>
            </li>
          ))}
        </ul>
      </div>
      {decision.matched.length > 0 ? (
        <div>
          <h4 className="font-medium text-slate-900">Rules that matched</h4>
          <ul className="mt-1 space-y-0.5 text-slate-700">
            {decision.matched.map((m, i) => (
              <li key={i}>
                <Badge tone={decisionTone(m.action)}>{m.action}</Badge> <span className="font-mono text-xs">{m.rule}</span> {m.name}: {m.what}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {decision.hints.length > 0 ? (
        <div>
          <h4 className="font-medium text-slate-900">Hints the agent gets</h4>
          <ul className="mt-1 list-disc pl-5 text-slate-700">
            {decision.hints.map((hint, i) => (
              <li key={i}>{hint}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {decision.plans.map((plan) => (
        <div key={plan.statementIndex}>
          <h4 className="font-medium text-slate-900">Masking plan{decision.plans.length > 1 ? ` (statement ${plan.statementIndex + 1})` : ""}</h4>
          {plan.columns.length === 0 ? (
            <p className="mt-1 text-slate-500">No result columns known{plan.otherDetectors ? "; value detectors run on whatever comes back" : ""}.</p>
          ) : (
            <table className="mt-1 min-w-full text-left text-sm" aria-label="Masking plan">
              <thead className="text-xs text-slate-500 uppercase">
                <tr>
                  <th className="py-1 pr-4">Column</th>
                  <th className="py-1 pr-4">Leaves as</th>
                  <th className="py-1 pr-4">Because of</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {plan.columns.map((column) => (
                  <tr key={column.index} data-column={column.name} data-strategy={column.strategy ?? "none"}>
                    <td className="py-1 pr-4 font-mono">{column.name}</td>
                    <td className="py-1 pr-4">
                      {column.strategy ? <Badge tone="warn">masked: {column.strategy}</Badge> : <span className="text-slate-600">as is{column.detectors ? " (value detectors on)" : ""}</span>}
                    </td>
                    <td className="py-1 pr-4 text-slate-600">
                      {column.rule ? (
                        <>
                          <span className="font-mono text-xs">{column.rule}</span> — {column.source} ({column.via})
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
      {decision.maxRows !== undefined ? <p className="text-slate-500">At most {decision.maxRows} rows are returned.</p> : null}
    </div>
  );
}
