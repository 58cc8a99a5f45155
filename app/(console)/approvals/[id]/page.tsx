import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { notFound } from "next/navigation";
import { StatusBadge, WhatItTouches, WhyItNeedsApproval } from "@/components/approvals/approval-facts";
import { AutoRefresh } from "@/components/approvals/auto-refresh";
import { DecisionForm } from "@/components/approvals/decision-form";
import { absoluteTime, relativeTime } from "@/components/approvals/relative-time";
import { SqlCode } from "@/components/approvals/sql-code";
import { ENGINE_LABELS, type ApprovalView } from "@/components/approvals/view";
import { can, ROLE_LABELS, type Role } from "@/lib/auth/permissions";
import { requirePermission, type CurrentUser } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { approvalDetail, type ApprovalDetail, type DecisionEntry } from "../queries";
import { decideAction } from "./actions";

// The page the gateway links agents and their people to: ${publicUrl}/approvals/<id>.

export const metadata: Metadata = { title: "Approval request" };

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("approvals.view");
  const { id } = await params;
  const now = new Date();
  const detail = await approvalDetail(store(), id, now);
  if (!detail) notFound();
  const { view, decisions } = detail;
  const nowIso = now.toISOString();

  return (
    <div className="mx-auto max-w-5xl">
      {view.status === "pending" ? <AutoRefresh everyMs={5000} /> : null}
      <Link href="/approvals" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Approvals
      </Link>
      <div className="mt-3 flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Statement from {view.agent.name}</h1>
          <p className="mt-1 text-sm text-slate-500">
            On <span className="font-medium text-slate-700">{view.connection.name}</span> ({ENGINE_LABELS[view.connection.engine] ?? view.connection.engine})
            {" · "}
            {view.agent.owner ? (
              <>
                agent owned by <span className="font-medium text-slate-700">{view.agent.owner}</span>
              </>
            ) : (
              "agent has no owner"
            )}
          </p>
        </div>
        <StatusBadge status={view.status} />
      </div>

      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <section aria-label="Statement" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
            <SqlCode sql={view.sql} />
            <div className="mt-5 grid gap-5 sm:grid-cols-2">
              <WhyItNeedsApproval why={view} />
              <WhatItTouches tables={view.tables} maskedColumns={view.maskedColumns} />
            </div>
          </section>
          <DecisionHistory decisions={decisions} now={nowIso} />
        </div>

        <div className="space-y-6">
          <section aria-labelledby="decide-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
            <h2 id="decide-heading" className="text-sm font-semibold text-slate-900">
              {view.status === "pending" ? "Your decision" : "Outcome"}
            </h2>
            <div className="mt-3">
              <DecisionPanel detail={detail} user={user} now={nowIso} />
            </div>
          </section>
          <Facts view={view} now={nowIso} />
        </div>
      </div>
    </div>
  );
}

function DecisionPanel({ detail, user, now }: { detail: ApprovalDetail; user: CurrentUser; now: string }) {
  const { view, decisions } = detail;
  const rejection = decisions.find((decision) => decision.verdict === "reject");
  const approvers = decisions.filter((decision) => decision.verdict === "approve").map((decision) => decision.user.name || decision.user.email);
  const decidedWhen = view.decidedAt ? <When at={view.decidedAt} now={now} /> : null;

  switch (view.status) {
    case "approved":
    case "consumed":
      return (
        <Outcome tone="emerald" title="Approved">
          Approved by {approvers.join(", ") || "an approver"} {decidedWhen}.{" "}
          {view.status === "consumed" ? "The agent has run the statement." : "The statement runs once, when the agent collects it."}
        </Outcome>
      );
    case "rejected":
      return (
        <Outcome tone="red" title="Rejected">
          Rejected by {rejection ? rejection.user.name || rejection.user.email : "a reviewer"} {decidedWhen}
          {rejection?.reason ? <>: &ldquo;{rejection.reason}&rdquo;</> : "."}
        </Outcome>
      );
    case "expired":
      return (
        <Outcome tone="slate" title="Expired">
          {approvers.length >= view.minApprovals ? (
            <>
              Approved by {approvers.join(", ")} {decidedWhen}, but the agent did not run it before it expired <When at={view.expiresAt} now={now} />.
            </>
          ) : (
            <>
              Nobody decided before it expired <When at={view.expiresAt} now={now} />.
            </>
          )}{" "}
          The agent has to send the statement again.
        </Outcome>
      );
    case "pending": {
      const blocker = whyUserCannotDecide(detail, user);
      if (blocker) return <p className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-600">{blocker}</p>;
      return <DecisionForm requestId={view.id} decide={decideAction} />;
    }
  }
}

/** Why this user gets no buttons on a pending request, or null when they may decide it. */
function whyUserCannotDecide({ view, agentOwnerId, decisions }: ApprovalDetail, user: CurrentUser): string | null {
  if (!can(user.roles, "approvals.decide")) return "You can see this request, but your roles don't include deciding approvals.";
  if (!view.approverRoles.some((role) => user.roles.includes(role as Role))) {
    const roles = view.approverRoles.map((role) => ROLE_LABELS[role as Role] ?? role).join(" or ");
    return `This request's policy asks ${roles || "nobody"} to decide it; your roles are not among them.`;
  }
  if (agentOwnerId === user.id) return "You own this agent, so someone else must approve its statements.";
  const mine = decisions.find((decision) => decision.user.id === user.id);
  if (mine) {
    const more = view.minApprovals - view.approvals;
    return `You approved this. It needs ${more} more ${more === 1 ? "approval" : "approvals"} from other approvers.`;
  }
  return null;
}

function Outcome({ tone, title, children }: { tone: "emerald" | "red" | "slate"; title: string; children: ReactNode }) {
  const tones = {
    emerald: "bg-emerald-50 text-emerald-900 ring-emerald-200",
    red: "bg-red-50 text-red-900 ring-red-200",
    slate: "bg-slate-50 text-slate-700 ring-slate-200",
  } as const;
  return (
    <div role="status" className={`rounded-lg px-4 py-3 text-sm ring-1 ring-inset ${tones[tone]}`}>
      <p className="font-semibold">{title}</p>
      <p className="mt-1">{children}</p>
    </div>
  );
}

function When({ at, now }: { at: string; now: string }) {
  return (
    <time dateTime={at} title={absoluteTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}

function Facts({ view, now }: { view: ApprovalView; now: string }) {
  const roles = view.approverRoles.map((role) => ROLE_LABELS[role as Role] ?? role).join(", ");
  const rows: [string, ReactNode][] = [
    ["Requested", <When key="r" at={view.requestedAt} now={now} />],
    view.status === "pending" || view.status === "expired" || !view.decidedAt
      ? [view.status === "pending" ? "Expires" : "Expired", <When key="e" at={view.expiresAt} now={now} />]
      : ["Decided", <When key="d" at={view.decidedAt} now={now} />],
    ["Approvals", `${view.approvals} of ${view.minApprovals}`],
    ["Approvers", roles || "Nobody"],
    ["Id", <span key="i" className="font-mono text-xs break-all">{view.id}</span>],
  ];
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

function DecisionHistory({ decisions, now }: { decisions: readonly DecisionEntry[]; now: string }) {
  return (
    <section aria-labelledby="history-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
      <h2 id="history-heading" className="text-sm font-semibold text-slate-900">
        Decisions
      </h2>
      {decisions.length ? (
        <ol className="mt-3 divide-y divide-slate-100">
          {decisions.map((decision) => (
            <li key={decision.id} className="flex gap-3 py-3 first:pt-0 last:pb-0">
              <span
                aria-hidden="true"
                className={`mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-bold ${
                  decision.verdict === "approve" ? "bg-emerald-100 text-emerald-700" : "bg-red-100 text-red-700"
                }`}
              >
                {decision.verdict === "approve" ? "✓" : "✕"}
              </span>
              <div className="min-w-0 text-sm">
                <p className="text-slate-900">
                  <span className="font-medium" title={decision.user.email}>
                    {decision.user.name || decision.user.email}
                  </span>{" "}
                  {decision.verdict === "approve" ? "approved" : "rejected"}{" "}
                  <span className="text-slate-500">
                    <When at={decision.at} now={now} />
                  </span>
                </p>
                {decision.reason ? <p className="mt-0.5 break-words text-slate-600">&ldquo;{decision.reason}&rdquo;</p> : null}
              </div>
            </li>
          ))}
        </ol>
      ) : (
        <p className="mt-2 text-sm text-slate-500">Nobody has voted yet.</p>
      )}
    </section>
  );
}
