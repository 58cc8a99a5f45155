import type { ApprovalVote } from "./view";
import { When } from "./when";

// Every vote on a request, oldest first: who, approve or reject, their comment, when, and where they cast it
// (the dashboard or a Slack button), under "n of m approvals".

const VIA_LABELS: Record<ApprovalVote["via"], string> = { dashboard: "in the dashboard", slack: "in Slack" };

export function DecisionHistory({ votes, approvals, minApprovals, now }: { votes: readonly ApprovalVote[]; approvals: number; minApprovals: number; now: string }) {
  return (
    <section aria-labelledby="history-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="history-heading" className="text-sm font-semibold text-slate-900">
          Decisions
        </h2>
        <p className="text-xs font-medium text-slate-600" data-testid="approval-count">
          {approvals} of {minApprovals} {minApprovals === 1 ? "approval" : "approvals"}
          {minApprovals > 1 ? <span className="font-normal text-slate-500"> · each by a different person</span> : null}
        </p>
      </div>
      {votes.length ? (
        <ol className="mt-3 divide-y divide-slate-100">
          {votes.map((vote) => (
            <li key={vote.id} className="flex gap-3 py-3 first:pt-0 last:pb-0" data-vote={vote.verdict}>
              <span
                aria-hidden="true"
                className={`mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-bold ${
                  vote.verdict === "approve" ? "bg-emerald-100 text-emerald-700" : "bg-red-100 text-red-700"
                }`}
              >
                {vote.verdict === "approve" ? "✓" : "✕"}
              </span>
              <div className="min-w-0 text-sm">
                <p className="text-slate-900">
                  <span className="font-medium" title={vote.user.email}>
                    {vote.user.name || vote.user.email}
                  </span>{" "}
                  {vote.verdict === "approve" ? "approved" : "rejected"}{" "}
                  <span className="text-slate-500">
                    {VIA_LABELS[vote.via]} · <When at={vote.at} now={now} />
                  </span>
                </p>
                {vote.reason ? (
                  <p className="mt-0.5 break-words whitespace-pre-wrap text-slate-600">&ldquo;{vote.reason}&rdquo;</p>
                ) : (
                  <p className="mt-0.5 text-xs text-slate-400">No comment.</p>
                )}
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
