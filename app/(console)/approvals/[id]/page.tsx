import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AgentReason } from "@/components/approvals/agent-reason";
import { StatusBadge, WhatItTouches, WhyItNeedsApproval } from "@/components/approvals/approval-facts";
import { AutoRefresh } from "@/components/approvals/auto-refresh";
import { DecisionForm } from "@/components/approvals/decision-form";
import { DecisionHistory } from "@/components/approvals/decision-history";
import { Outcome } from "@/components/approvals/outcome";
import { RequestFacts } from "@/components/approvals/request-facts";
import { SqlCode } from "@/components/approvals/sql-code";
import { ENGINE_LABELS } from "@/components/approvals/view";
import { When } from "@/components/approvals/when";
import { whyUserCannotDecide, type Viewer } from "@/components/approvals/why-cannot-decide";
import { WritePreview } from "@/components/approvals/write-preview";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { approvalDetail, deciderFacts, type ApprovalDetail } from "../queries";
import { decideAction } from "./actions";

// The page the gateway links agents and their people to: ${publicUrl}/approvals/<id>.

export const metadata: Metadata = { title: "Approval request" };

export default async function ApprovalPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("approvals.view");
  const { id } = await params;
  const now = new Date();
  const db = store();
  const [detail, decider] = await Promise.all([approvalDetail(db, id, now), deciderFacts(db, user.id)]);
  if (!detail) notFound();
  const { view, decisions } = detail;
  const viewer: Viewer = { id: user.id, roles: user.roles, oidcSubject: decider.oidcSubject, groups: decider.groups };
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
          <AgentReason reason={view.reason} />
          <section aria-label="Statement" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
            <SqlCode sql={view.sql} />
            <div className="mt-5 grid gap-5 sm:grid-cols-2">
              <WhyItNeedsApproval why={view} />
              <WhatItTouches tables={view.tables} maskedColumns={view.maskedColumns} />
            </div>
          </section>
          <WritePreview preview={detail.preview} previewsOn={detail.previewsOn} />
          <DecisionHistory votes={decisions} approvals={view.approvals} minApprovals={view.minApprovals} now={nowIso} />
        </div>

        <div className="space-y-6">
          <section aria-labelledby="decide-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
            <h2 id="decide-heading" className="text-sm font-semibold text-slate-900">
              {view.status === "pending" ? "Your decision" : "Outcome"}
            </h2>
            <div className="mt-3">
              <DecisionPanel detail={detail} viewer={viewer} now={nowIso} />
            </div>
          </section>
          <RequestFacts view={view} approverGroups={detail.approverGroups} connectionApprovers={detail.connectionApproverNames} now={nowIso} />
        </div>
      </div>
    </div>
  );
}

function DecisionPanel({ detail, viewer, now }: { detail: ApprovalDetail; viewer: Viewer; now: string }) {
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
      const blocker = whyUserCannotDecide(
        {
          approverRoles: view.approverRoles,
          approverGroups: detail.approverGroups,
          approvals: view.approvals,
          minApprovals: view.minApprovals,
          agent: detail.agent,
          connectionApproverIds: detail.connectionApproverIds,
          connectionApproverNames: detail.connectionApproverNames,
          votes: decisions,
        },
        viewer,
      );
      if (blocker) return <p className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-600">{blocker}</p>;
      return <DecisionForm requestId={view.id} decide={decideAction} />;
    }
  }
}
