import type { ServerResponse } from "node:http";
import { EngineError, httpStatusOf } from "../engine/errors";
import type { Outcome, StatementResult } from "../engine/types";
import { sendJson, sendProblem } from "./problem";

// The engine's answers in HTTP: 200 with the (masked) result, 202 with the approval to wait on,
// 403 problem+json when blocked or rejected, and the engine's failures with their own statuses.

export function resultBody(result: StatementResult) {
  return {
    command: result.command,
    columns: result.columns.map(({ name, type }) => ({ name, type })),
    rows: result.rows,
    rowCount: result.rowCount,
    truncated: result.truncated,
    masked: result.columns.filter((column) => column.masked).map((column) => ({ column: column.name, ...column.masked })),
    durationMs: Math.round(result.durationMs * 100) / 100,
  };
}

export function sendOutcome(response: ServerResponse, outcome: Outcome): void {
  switch (outcome.kind) {
    case "result": {
      const last = outcome.results[outcome.results.length - 1];
      return sendJson(response, 200, {
        ...(last ? resultBody(last) : { columns: [], rows: [], rowCount: 0, truncated: false, masked: [] }),
        ...(outcome.results.length > 1 ? { results: outcome.results.map(resultBody) } : {}),
        hints: outcome.hints,
        sessionId: outcome.sessionId,
        eventId: outcome.eventId,
      });
    }
    case "blocked": {
      const { decision } = outcome;
      const rule = decision.matched.find((match) => match.action === "block" && match.statementIndex === decision.statementIndex) ?? decision.matched[0];
      return sendProblem(response, {
        status: 403,
        code: "blocked",
        title: "Statement blocked by policy",
        detail: decision.message,
        reason: decision.code,
        policy: rule?.policyId,
        rule: rule?.ruleId,
        ruleName: rule?.ruleName,
        statementIndex: decision.statementIndex,
        reasons: decision.reasons.map(({ code, message, statementIndex }) => ({ code, message, statementIndex })),
        hints: decision.hints,
        sessionId: outcome.sessionId,
        eventId: outcome.eventId,
      });
    }
    case "pending":
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
    case "rejected":
      return sendProblem(response, {
        status: 403,
        code: "approval_rejected",
        title: "A reviewer rejected this statement",
        detail: outcome.reason,
        reason: outcome.reason,
        approval: ticketBody(outcome.approval),
        sessionId: outcome.sessionId,
      });
    case "expired":
      return sendProblem(response, {
        status: 410,
        code: "approval_expired",
        title: "The approval request expired before anyone approved it",
        detail: "Send the statement again to ask for a new approval.",
        approval: ticketBody(outcome.approval),
        sessionId: outcome.sessionId,
      });
  }
}

export function sendEngineError(response: ServerResponse, error: EngineError): void {
  sendProblem(response, { status: httpStatusOf[error.code], code: error.code, title: error.message, ...error.detail });
}

function ticketBody(ticket: Outcome extends infer O ? (O extends { approval: infer T } ? T : never) : never) {
  return { id: ticket.id, status: ticket.status, expiresAt: ticket.expiresAt.toISOString(), url: ticket.url, ...(ticket.message ? { message: ticket.message } : {}) };
}
