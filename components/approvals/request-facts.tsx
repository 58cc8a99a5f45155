import type { ReactNode } from "react";
import { ROLE_LABELS, type Role } from "@/lib/auth/permissions";
import type { ApprovalView } from "./view";
import { When } from "./when";

/** The approval page's side card: when, how many approvals of how many, who may decide, the id. */
export function RequestFacts({ view, approverGroups, connectionApprovers, now }: { view: ApprovalView; approverGroups: readonly string[]; connectionApprovers: readonly string[]; now: string }) {
  const roles = view.approverRoles.map((role) => ROLE_LABELS[role as Role] ?? role).join(", ");
  const rows: [string, ReactNode][] = [
    ["Requested", <When key="r" at={view.requestedAt} now={now} />],
    view.status === "pending" || view.status === "expired" || !view.decidedAt
      ? [view.status === "pending" ? "Expires" : "Expired", <When key="e" at={view.expiresAt} now={now} />]
      : ["Decided", <When key="d" at={view.decidedAt} now={now} />],
    ["Approvals", `${view.approvals} of ${view.minApprovals}`],
    ["Approver roles", roles || "Nobody"],
  ];
  if (view.readOnly) rows.push(["Runs", "read-only (asked with the agent's query tool)"]);
  if (approverGroups.length) rows.push(["In one of the groups", approverGroups.join(", ")]);
  if (connectionApprovers.length) rows.push(["Only these people", connectionApprovers.join(", ")]);
  rows.push(["Id", <span key="i" className="font-mono text-xs break-all">{view.id}</span>]);
  return (
    <section aria-label="Request details" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
      <h2 className="text-sm font-semibold text-slate-900">Request</h2>
      <dl className="mt-3 space-y-2 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="flex justify-between gap-4">
            <dt className="text-slate-500">{label}</dt>
            <dd className="text-right text-slate-800">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
