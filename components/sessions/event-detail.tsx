import { Badge } from "@/components/ui/badge";
import { SqlCode } from "@/components/approvals/sql-code";
import type { ApprovalTrail, ReplayEvent } from "@/lib/sessions/replay";
import { decisionLabel, eventTypeLabel, offsetLabel, utcTime } from "./labels";
import { ResultSample } from "./result-sample";

// What one recorded event says, in words and tables (never a raw JSON box).

export function EventDetail({
  event,
  approvals,
  unverified,
  afterStatementMs,
}: {
  event: ReplayEvent;
  approvals: Readonly<Record<string, ApprovalTrail>>;
  unverified: boolean;
  /** For the events that follow a statement: how long after it they came. */
  afterStatementMs?: number;
}) {
  const { detail } = event;
  return (
    <article data-seq={event.seq} data-type={event.type} className="rounded-lg border border-slate-200 bg-white p-4">
      <header className="mb-3 flex flex-wrap items-center gap-2 text-sm">
        <span className="font-semibold text-slate-900">
          #{event.seq} {eventTypeLabel(event.type)}
        </span>
        {event.decision ? <Badge tone={decisionLabel(event.decision).tone}>{decisionLabel(event.decision).label}</Badge> : null}
        {unverified ? <Badge tone="bad">unverified</Badge> : null}
        <span className="text-slate-500">
          <time dateTime={event.at}>{utcTime(event.at)}</time> · {offsetLabel(event.offsetMs)}
          {afterStatementMs !== undefined ? ` · ${offsetLabel(afterStatementMs).slice(1)} after the statement` : ""}
        </span>
      </header>

      {event.sql ? <SqlCode sql={event.sql} className="mb-3 text-xs" /> : null}

      {detail.kind === "statement" ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {detail.statements.map((statement, index) => (
            <Facts key={index} kind={statement.kind} read={statement.tablesRead} written={statement.tablesWritten} error={statement.error} />
          ))}
          {detail.params.length ? (
            <>
              <dt className="text-slate-500">Parameters</dt>
              <dd>
                {detail.params.length} ({detail.params.join(", ")}) — values are not recorded
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}

      {detail.kind === "decision" ? (
        <div className="space-y-2 text-sm">
          <p>
            <Badge tone={decisionLabel(detail.action).tone}>{decisionLabel(detail.action).label}</Badge>
            {detail.afterApproval ? <span className="ml-2 text-slate-500">decided again after the approval</span> : null}
          </p>
          {detail.message ? <p className="text-slate-800">{detail.message}</p> : null}
          {detail.matched.length ? (
            <p className="text-slate-600">
              Rules:{" "}
              {detail.matched.map((rule, index) => (
                <span key={index} className="mr-2 font-mono text-xs">
                  {rule.policy}/{rule.rule} ({rule.action})
                </span>
              ))}
            </p>
          ) : null}
          {detail.masked.length ? <p className="text-slate-600">Masked columns: {detail.masked.map((column) => `${column.column}${column.strategy ? ` (${column.strategy})` : ""}`).join(", ")}</p> : null}
          {detail.reasons.length ? (
            <ul className="list-disc pl-5 text-slate-600">
              {detail.reasons.map((reason, index) => (
                <li key={index}>{reason.message || reason.code}</li>
              ))}
            </ul>
          ) : null}
          {detail.hints.length ? <p className="text-slate-600">Hints to the agent: {detail.hints.join(" · ")}</p> : null}
        </div>
      ) : null}

      {detail.kind === "approval_wait" || detail.kind === "approval_outcome" ? (
        <Approval detail={detail} trail={approvals[detail.approvalId]} />
      ) : null}

      {detail.kind === "result" ? <ResultSample detail={detail} /> : null}

      {detail.kind === "error" ? (
        <p className="text-sm text-red-700">
          <span className="font-mono text-xs">{detail.code}</span> {detail.message}
        </p>
      ) : null}

      {detail.kind === "connect" || detail.kind === "disconnect" ? <p className="text-sm text-slate-600">{detail.reason ? `Reason: ${detail.reason}` : event.type === "connect" ? "The agent opened the session." : "The session ended."}</p> : null}

      {detail.kind === "other" ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {detail.fields.map(([key, value]) => (
            <div key={key} className="contents">
              <dt className="text-slate-500">{key}</dt>
              <dd className="font-mono text-xs break-all">{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}

      <p className="mt-3 truncate font-mono text-[11px] text-slate-400" title={event.hash}>
        hash {event.hash}
      </p>
    </article>
  );
}

function Facts({ kind, read, written, error }: { kind: string; read: readonly string[]; written: readonly string[]; error?: string }) {
  return (
    <>
      <dt className="text-slate-500">Kind</dt>
      <dd className="font-medium uppercase">{kind || "unknown"}</dd>
      {read.length ? (
        <>
          <dt className="text-slate-500">Reads</dt>
          <dd>{read.join(", ")}</dd>
        </>
      ) : null}
      {written.length ? (
        <>
          <dt className="text-slate-500">Writes</dt>
          <dd>{written.join(", ")}</dd>
        </>
      ) : null}
      {error ? (
        <>
          <dt className="text-slate-500">Parse error</dt>
          <dd>{error}</dd>
        </>
      ) : null}
    </>
  );
}

function Approval({ detail, trail }: { detail: { kind: string; approvalId: string; status?: string; reason?: string; expiresAt?: string }; trail: ApprovalTrail | undefined }) {
  return (
    <div className="space-y-2 text-sm" data-approval-trail={detail.approvalId}>
      {detail.kind === "approval_wait" ? (
        <p className="text-slate-700">Paused until a reviewer decides{detail.expiresAt ? `, at the latest ${utcTime(detail.expiresAt)}` : ""}.</p>
      ) : (
        <p>
          Outcome: <Badge tone={decisionLabel(detail.status).tone}>{decisionLabel(detail.status).label}</Badge>
          {detail.reason ? <span className="ml-2">“{detail.reason}”</span> : null}
        </p>
      )}
      {trail ? (
        <div>
          {detail.kind === "approval_wait" ? (
            <p className="text-slate-700" data-agent-reason>
              {trail.agentReason ? <>The agent&apos;s reason: “{trail.agentReason}”</> : "The agent gave no reason."}
            </p>
          ) : null}
          {detail.kind === "approval_wait" && trail.preview ? (
            <p className="text-slate-700" data-preview>
              Dry run: {trail.preview}
            </p>
          ) : null}
          <p className="text-slate-500">
            Request {trail.status} · asked {utcTime(trail.requestedAt)}
            {trail.decidedAt ? ` · decided ${utcTime(trail.decidedAt)}` : ""} · needs {trail.minApprovals} approval{trail.minApprovals === 1 ? "" : "s"}
          </p>
          {trail.votes.length ? (
            <ol className="mt-1 space-y-1">
              {trail.votes.map((vote, index) => (
                <li key={index}>
                  <span className="font-medium">{vote.by}</span> {vote.verdict === "approve" ? "approved" : "rejected"}
                  {vote.via === "slack" ? " in Slack" : ""} at {utcTime(vote.at)}
                  {vote.reason ? <span className="text-slate-600"> — “{vote.reason}”</span> : null}
                </li>
              ))}
            </ol>
          ) : (
            <p className="text-slate-500">Nobody voted.</p>
          )}
        </div>
      ) : (
        <p className="text-slate-500">The approval request is no longer in the store.</p>
      )}
    </div>
  );
}
