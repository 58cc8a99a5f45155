import { Badge } from "@/components/ui/badge";
import type { FieldChange, PolicyDiff } from "@/lib/policy/revision-diff";

// A revision diff in words: the policy's own fields, then each added, removed, changed or moved rule with its
// fields before → after.

const CHANGE_TONE = { added: "good", removed: "bad", changed: "warn" } as const;

export function RevisionDiffView({ diff }: { diff: PolicyDiff }) {
  if (diff.identical) return <p className="text-sm text-slate-500">No differences.</p>;
  return (
    <div className="space-y-4">
      {diff.policy.length > 0 ? (
        <div>
          <h3 className="text-sm font-medium text-slate-900">Policy</h3>
          <Fields fields={diff.policy} />
        </div>
      ) : null}
      {diff.rules.map((rule) => (
        <div key={`${rule.change}-${rule.ruleId}`} data-rule-change={rule.change} data-rule-id={rule.ruleId}>
          <h3 className="flex flex-wrap items-center gap-2 text-sm font-medium text-slate-900">
            <Badge tone={CHANGE_TONE[rule.change]}>rule {rule.change}</Badge>
            {rule.ruleName} <span className="font-mono text-xs text-slate-500">{rule.ruleId}</span>
            {rule.moved ? <span className="text-xs font-normal text-slate-500">moved from position {rule.moved.from + 1} to {rule.moved.to + 1}</span> : null}
          </h3>
          {rule.fields.length > 0 ? <Fields fields={rule.fields} /> : null}
        </div>
      ))}
    </div>
  );
}

function Fields({ fields }: { fields: readonly FieldChange[] }) {
  return (
    <table className="mt-1 min-w-full text-left text-sm">
      <thead className="sr-only">
        <tr>
          <th>Field</th>
          <th>Before</th>
          <th>After</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {fields.map((field) => (
          <tr key={field.path}>
            <td className="w-1/4 py-1 pr-3 align-top font-mono text-xs text-slate-600">{field.path}</td>
            <td className="w-3/8 py-1 pr-3 align-top">
              {field.before === undefined ? <span className="text-slate-400">—</span> : <del className="rounded bg-red-50 px-1 font-mono text-xs break-all text-red-800 no-underline">{field.before}</del>}
            </td>
            <td className="w-3/8 py-1 align-top">
              {field.after === undefined ? <span className="text-slate-400">—</span> : <ins className="rounded bg-emerald-50 px-1 font-mono text-xs break-all text-emerald-800 no-underline">{field.after}</ins>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
