import type { Metadata } from "next";
import Link from "next/link";
import { StatusBadge } from "@/components/approvals/approval-facts";
import { ApprovalsTabs } from "@/components/approvals/approvals-tabs";
import { absoluteTime, relativeTime } from "@/components/approvals/relative-time";
import { SqlCode } from "@/components/approvals/sql-code";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { section } from "../../sections";
import { approvalHistory, type HistoryRow } from "../queries";

export const metadata: Metadata = { title: "Approval history" };

export default async function ApprovalHistoryPage({ searchParams }: { searchParams: Promise<{ before?: string | string[] }> }) {
  await requirePermission("approvals.view");
  const { label } = section("/approvals");
  const { before } = await searchParams;
  const cursor = typeof before === "string" ? before : null;
  const now = new Date();
  const page = await approvalHistory(store(), now, cursor);
  const nowIso = now.toISOString();

  return (
    <div className="mx-auto max-w-5xl">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{label}</h1>
      <p className="mt-1 text-sm text-slate-500">Decided and expired requests, newest first.</p>
      <ApprovalsTabs current="history" />

      {page.rows.length ? (
        <ul className="mt-6 divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-xs">
          {page.rows.map((row) => (
            <HistoryItem key={row.view.id} row={row} now={nowIso} />
          ))}
        </ul>
      ) : (
        <div className="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
          <p className="font-medium text-slate-900">{cursor ? "No older requests" : "No decided requests yet"}</p>
          <p className="mt-1 text-sm text-slate-500">Approved, rejected and expired requests are kept here.</p>
        </div>
      )}

      {cursor || page.next ? (
        <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
          {cursor ? (
            <Link href="/approvals/history" className="font-medium text-brand-600 hover:text-brand-700">
              ← Newest
            </Link>
          ) : (
            <span />
          )}
          {page.next ? (
            <Link href={`/approvals/history?before=${encodeURIComponent(page.next)}`} className="font-medium text-brand-600 hover:text-brand-700">
              Older →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}

function HistoryItem({ row, now }: { row: HistoryRow; now: string }) {
  const { view, deciders } = row;
  const rejection = deciders.find((decider) => decider.verdict === "reject");
  const approvers = deciders.filter((decider) => decider.verdict === "approve").map((decider) => decider.name);
  let outcome = "";
  if (rejection) outcome = `Rejected by ${rejection.name}${rejection.reason ? `: “${rejection.reason}”` : ""}`;
  else if (view.status === "expired" && approvers.length >= view.minApprovals) outcome = `Approved by ${approvers.join(", ")}; expired before the agent ran it`;
  else if (view.status === "expired") outcome = approvers.length ? `Expired with ${approvers.length} of ${view.minApprovals} approvals` : "Expired without a decision";
  else if (approvers.length) outcome = `Approved by ${approvers.join(", ")}${view.status === "consumed" ? "; the agent ran it" : ""}`;

  return (
    <li data-approval-id={view.id} className="px-5 py-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm">
          <Link href={`/approvals/${view.id}`} className="font-semibold text-slate-900 hover:text-brand-700">
            {view.agent.name}
          </Link>
          <span className="text-slate-500"> on {view.connection.name} · requested </span>
          <time dateTime={view.requestedAt} title={absoluteTime(view.requestedAt)} className="text-slate-500">
            {relativeTime(view.requestedAt, now)}
          </time>
        </p>
        <StatusBadge status={view.status} />
      </div>
      <SqlCode sql={view.sql} className="mt-2 max-h-24 py-2 text-xs" />
      {outcome ? <p className="mt-2 text-sm break-words text-slate-600">{outcome}</p> : null}
    </li>
  );
}
