import type { ServerResponse } from "node:http";
import { refusalOf, refusalOfOutcome, type Refusal, type RefusalCode } from "../engine/refusal";
import type { ApprovalTicket, Outcome } from "../engine/types";
import { sendJson, sendProblem } from "../protocols/http/problem";
import { resultsBody } from "../protocols/http/result-body";

// The engine's answers in HTTP: 200 with the (masked) result, 202 with the approval to wait on, and every refusal
// (engine/refusal.ts) as problem+json with the status below.

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

export function sendOutcome(response: ServerResponse, outcome: Outcome): void {
  if (outcome.kind === "result") {
    return sendJson(response, 200, {
      ...resultsBody(outcome.results),
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
