import { absoluteTime, relativeTime } from "./relative-time";
import type { ApprovalStatus, ApprovalTables, ApprovalWhy } from "./view";

// Small presentational pieces shared by the inbox cards, the detail page and the history list. No hooks, no
// state: they render the same on the server and in the live (client) inbox.

const LABEL = "text-xs font-medium tracking-wide text-slate-500 uppercase";

/** Why policy paused the statement: its reasons, the rules that matched and their hints. */
export function WhyItNeedsApproval({ why }: { why: ApprovalWhy }) {
  const messages = [...new Set([why.message, ...why.reasons.map((reason) => reason.message)].filter((message): message is string => Boolean(message)))];
  const rules = why.rules.filter((rule) => rule.action === "require_approval");
  return (
    <div>
      <p className={LABEL}>Why it needs approval</p>
      {messages.length ? (
        <ul className="mt-1.5 space-y-1 text-sm text-slate-800">
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : (
        <p className="mt-1.5 text-sm text-slate-500">Policy asked for a review.</p>
      )}
      {rules.length ? (
        <ul className="mt-2 flex flex-wrap gap-1.5" aria-label="Matched rules">
          {rules.map((rule) => (
            <li key={`${rule.policy}/${rule.rule}/${rule.what}`} className="rounded-md bg-slate-100 px-2 py-0.5 font-mono text-xs text-slate-700" title={`Policy ${rule.policy}`}>
              {rule.rule}
              {rule.what ? <span className="text-slate-500"> · {rule.what}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {why.hints.length ? (
        <ul className="mt-2 space-y-0.5 text-xs text-slate-500">
          {why.hints.map((hint) => (
            <li key={hint}>Hint: {hint}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Tables written and read, and result columns policy masks. */
export function WhatItTouches({ tables, maskedColumns }: { tables: ApprovalTables; maskedColumns: readonly string[] }) {
  const groups = [
    { label: "Writes", names: tables.written, tone: "bg-amber-50 text-amber-800 ring-amber-200" },
    { label: "Reads", names: tables.read, tone: "bg-slate-50 text-slate-700 ring-slate-200" },
    { label: "Masked", names: maskedColumns, tone: "bg-violet-50 text-violet-800 ring-violet-200" },
  ].filter((group) => group.names.length > 0);
  return (
    <div>
      <p className={LABEL}>What it touches</p>
      {groups.length ? (
        <dl className="mt-1.5 space-y-1.5">
          {groups.map((group) => (
            <div key={group.label} className="flex flex-wrap items-center gap-1.5">
              <dt className="w-16 shrink-0 text-sm text-slate-500">{group.label}</dt>
              {group.names.map((name) => (
                <dd key={name} className={`rounded-md px-2 py-0.5 font-mono text-xs ring-1 ring-inset ${group.tone}`}>
                  {name}
                </dd>
              ))}
            </div>
          ))}
        </dl>
      ) : (
        <p className="mt-1.5 text-sm text-slate-500">Not recorded for this statement.</p>
      )}
    </div>
  );
}

/** "Requested 2 min ago · expires in 14 min", with exact times on hover. */
export function RequestTimes({ requestedAt, expiresAt, now, status }: { requestedAt: string; expiresAt: string; now: string; status: ApprovalStatus }) {
  const left = new Date(expiresAt).getTime() - new Date(now).getTime();
  const urgent = status === "pending" && left < 2 * 60_000;
  return (
    <p className="text-sm text-slate-500">
      Requested{" "}
      <time dateTime={requestedAt} title={absoluteTime(requestedAt)}>
        {relativeTime(requestedAt, now)}
      </time>
      {status === "pending" ? (
        <>
          {" · "}
          <time dateTime={expiresAt} title={absoluteTime(expiresAt)} className={urgent ? "font-medium text-red-600" : "text-slate-700"}>
            expires {relativeTime(expiresAt, now)}
          </time>
        </>
      ) : null}
    </p>
  );
}

/** "0 of 1 approvals", as a pill. */
export function ApprovalProgress({ approvals, minApprovals }: { approvals: number; minApprovals: number }) {
  return (
    <span className="inline-flex items-center gap-1.5 rounded-full bg-amber-50 px-2.5 py-1 text-xs font-medium text-amber-800 ring-1 ring-amber-200 ring-inset">
      <span aria-hidden="true" className="h-1.5 w-1.5 rounded-full bg-amber-500" />
      {approvals} of {minApprovals} {minApprovals === 1 ? "approval" : "approvals"}
    </span>
  );
}

const STATUS: Record<ApprovalStatus, { label: string; tone: string }> = {
  pending: { label: "Pending", tone: "bg-amber-50 text-amber-800 ring-amber-200" },
  approved: { label: "Approved", tone: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  consumed: { label: "Approved · ran", tone: "bg-emerald-50 text-emerald-800 ring-emerald-200" },
  rejected: { label: "Rejected", tone: "bg-red-50 text-red-700 ring-red-200" },
  expired: { label: "Expired", tone: "bg-slate-100 text-slate-600 ring-slate-200" },
};

export function StatusBadge({ status }: { status: ApprovalStatus }) {
  const { label, tone } = STATUS[status];
  return <span className={`inline-flex rounded-full px-2.5 py-1 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${tone}`}>{label}</span>;
}
