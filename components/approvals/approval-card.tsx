import Link from "next/link";
import { AgentReason } from "./agent-reason";
import { ApprovalProgress, RequestTimes, WhatItTouches, WhyItNeedsApproval } from "./approval-facts";
import { SqlCode } from "./sql-code";
import { ENGINE_LABELS, type ApprovalView } from "./view";

/** One pending request in the inbox. */
export function ApprovalCard({ approval, now }: { approval: ApprovalView; now: string }) {
  const href = `/approvals/${approval.id}`;
  return (
    <article aria-labelledby={`approval-${approval.id}`} data-approval-id={approval.id} className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={`approval-${approval.id}`} className="text-sm font-semibold text-slate-900">
            {approval.agent.name}
            <span className="font-normal text-slate-500"> on </span>
            {approval.connection.name}
            <span className="font-normal text-slate-500"> ({ENGINE_LABELS[approval.connection.engine] ?? approval.connection.engine})</span>
          </h2>
          <p className="mt-0.5 text-xs text-slate-500">{approval.agent.owner ? `Agent owned by ${approval.agent.owner}` : "Agent has no owner"}</p>
        </div>
        <ApprovalProgress approvals={approval.approvals} minApprovals={approval.minApprovals} />
      </div>
      <div className="mt-4">
        <AgentReason reason={approval.reason} compact />
      </div>
      <SqlCode sql={approval.sql} className="mt-3 max-h-64" />
      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <WhyItNeedsApproval why={approval} />
        <WhatItTouches tables={approval.tables} maskedColumns={approval.maskedColumns} />
      </div>
      <div className="mt-4 flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 pt-4">
        <RequestTimes requestedAt={approval.requestedAt} expiresAt={approval.expiresAt} now={now} status={approval.status} />
        <Link href={href} className="rounded-lg bg-brand-600 px-3 py-1.5 text-sm font-medium text-white shadow-xs hover:bg-brand-700">
          Review<span className="sr-only"> the statement from {approval.agent.name}</span>
        </Link>
      </div>
    </article>
  );
}
