import type { ServerResponse } from "node:http";
import { refusalOf, refusalOfOutcome, type Refusal, type RefusalCode } from "../engine/refusal";
import type { ApprovalTicket, Outcome, StatementResult } from "../engine/types";
import { sendJson, sendProblem, sendText } from "../protocols/http/problem";
import { resultsBody } from "../protocols/http/result-body";
import { answerText, compactResults } from "../results/compact";
import { csvOf } from "../results/csv";
import type { ResultLabels } from "../results/untrusted";

// The engine's answers in HTTP: 200 with the (masked) result, 202 with the approval to wait on, and every refusal
// (engine/refusal.ts) as problem+json with the status below. A result comes as JSON (the default), CSV (the last
// statement's rows, RFC 4180) or the compact table an agent's context affords (results/compact.ts); pending
// approvals and refusals are JSON whatever the format.

export { RESULT_FORMATS, type ResultFormat } from "./schemas";
import type { ResultFormat } from "./schemas";

export interface ResultView {
  readonly format: ResultFormat;
  /** Per result: columns policy calls untrusted, and paging facts for the table's next-page hint. */
  readonly labels?: (results: readonly StatementResult[]) => ResultLabels;
}

const STATUS: Record<RefusalCode, number> = {
  blocked: 403,
  approval_rejected: 403,
  approval_expired: 410,
  approval_waiting: 202,
  sql_too_large: 413,
  bad_params: 400,
  syntax_error: 400,
  transaction_control: 422,
  recording_unavailable: 503,
  approvals_unavailable: 503,
  reason_required: 422,
  target_unavailable: 502,
  target_timeout: 504,
  target_error: 422,
  cancelled: 499,
  masking_mismatch: 422,
  approval_not_found: 404,
  approval_not_yours: 404,
  approval_used: 409,
  approval_mismatch: 409,
  unknown_connection: 404,
  no_grant: 403,
  unsupported_door: 400,
  shutting_down: 503,
};

export function sendOutcome(response: ServerResponse, outcome: Outcome, view: ResultView = { format: "json" }): void {
  if (outcome.kind === "result") {
    const labels = view.labels?.(outcome.results);
    if (view.format !== "json") return sendResultText(response, outcome, view.format, labels);
    return sendJson(response, 200, {
      ...resultsBody(outcome.results, labels?.untrusted),
      hints: outcome.hints,
      ...(outcome.approval ? { approval: ticketBody(outcome.approval) } : {}),
      sessionId: outcome.sessionId,
      eventId: outcome.eventId,
    });
  }
  if (outcome.kind === "pending") {
    return sendJson(
      response,
      202,
      {
        status: "pending",
        approval: ticketBody(outcome.approval),
        poll: `/v1/approvals/${outcome.approval.id}?wait=30`,
        hint: "A person must approve this statement. Poll the approval with ?wait=N (seconds); once approved it runs once and returns its result.",
        sessionId: outcome.sessionId,
      },
      { location: `/v1/approvals/${outcome.approval.id}` },
    );
  }
  sendRefusal(response, refusalOfOutcome(outcome), { sessionId: outcome.sessionId, ...("eventId" in outcome ? { eventId: outcome.eventId } : {}) });
}

/** An engine failure (or anything else, without its text). */
export function sendFailure(response: ServerResponse, error: unknown): void {
  sendRefusal(response, refusalOf(error));
}

export function sendRefusal(response: ServerResponse, refusal: Refusal, ids: { sessionId?: string; eventId?: string } = {}): void {
  const { block, approval } = refusal;
  sendProblem(response, {
    status: STATUS[refusal.code],
    code: refusal.code,
    title: refusal.title,
    ...(refusal.message !== refusal.title ? { detail: refusal.message } : {}),
    ...(block
      ? { reason: block.reason, policy: block.rule?.policyId, rule: block.rule?.ruleId, ruleName: block.rule?.ruleName, statementIndex: block.statementIndex, reasons: block.reasons }
      : {}),
    ...(refusal.code === "approval_rejected" ? { reason: refusal.message } : {}),
    ...(approval ? { approval: ticketBody(approval) } : {}),
    ...(refusal.code === "target_error" && refusal.sqlState !== "XX000" ? { sqlState: refusal.sqlState } : {}),
    ...(!block && refusal.statementIndex !== undefined ? { statementIndex: refusal.statementIndex } : {}),
    ...(refusal.code === "syntax_error" ? { sqlState: refusal.sqlState, ...(refusal.position !== undefined ? { position: refusal.position } : {}) } : {}),
    hints: refusal.hints,
    ...ids,
  });
}

type ResultOutcome = Extract<Outcome, { kind: "result" }>;

/** CSV or the compact table, with what JSON would say beside the rows in `x-airlock-*` headers. */
function sendResultText(response: ServerResponse, outcome: ResultOutcome, format: "csv" | "table", labels: ResultLabels | undefined): void {
  const { results } = outcome;
  const last = results[results.length - 1];
  const untrusted = labels?.untrusted[results.length - 1];
  const names = (pick: (index: number) => boolean) => (last?.columns ?? []).filter((_, i) => pick(i)).map((column) => encodeURIComponent(column.name)).join(",");
  const headers: Record<string, string> = {
    "x-airlock-session-id": outcome.sessionId,
    "x-airlock-event-id": outcome.eventId,
    "x-airlock-statements": String(results.length),
    "x-airlock-row-count": String(last?.rowCount ?? 0),
    "x-airlock-truncated": String(last?.truncated ?? false),
    "x-airlock-masked-columns": names((i) => last?.columns[i]?.masked !== undefined),
    "x-airlock-untrusted-columns": names((i) => untrusted?.[i] === true),
    ...(outcome.hints.length > 0 ? { "x-airlock-hints": asciiJson(outcome.hints) } : {}),
    ...(outcome.approval ? { "x-airlock-approval-id": outcome.approval.id } : {}),
  };
  if (format === "csv") return sendText(response, 200, "text/csv; charset=utf-8; header=present", last ? csvOf(last) : "", headers);
  const compact = compactResults(results, { maxBytes: Infinity, untrusted: labels?.untrusted, paging: labels?.paging });
  sendText(response, 200, "text/plain; charset=utf-8", `${answerText(compact, outcome.hints, outcome.approval)}\n`, headers);
}

/** JSON that a header can carry: every character past ASCII escaped. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function ticketBody(ticket: ApprovalTicket) {
  return {
    id: ticket.id,
    status: ticket.status,
    expiresAt: ticket.expiresAt.toISOString(),
    url: ticket.url,
    ...(ticket.message ? { message: ticket.message } : {}),
    ...(ticket.comments && ticket.comments.length > 0 ? { comments: ticket.comments } : {}),
  };
}
