import type { BlockDecision } from "../../lib/policy";
import { EngineError } from "../engine/errors";
import type { ApprovalTicket, Outcome } from "../engine/types";
import { engineSqlState, SQLSTATE } from "./errors";
import { errorResponse, noticeResponse } from "../protocols/postgres/serializer";

// What Airlock itself answers on the wire when the engine did not run a statement: a block, an approval's
// notice and outcomes, an engine failure. Texts come from the policy and the engine (safe to show an agent).

/** Blocked: 42501 with the policy's message, the rule in DETAIL and the policy's hints in HINT. */
export function blockedError(decision: BlockDecision): Buffer {
  const rule = decision.matched.find((matched) => matched.action === "block") ?? decision.matched[0];
  return errorResponse({
    severity: "ERROR",
    code: SQLSTATE.insufficientPrivilege,
    message: `Airlock blocked this statement: ${decision.message}`,
    detail: rule ? `Policy "${rule.policyId}", rule "${rule.ruleId}"${rule.ruleName ? ` (${rule.ruleName})` : ""}: ${decision.code}` : `Reason: ${decision.code}`,
    ...(decision.hints.length > 0 ? { hint: decision.hints.join("\n") } : {}),
  });
}

/** Any outcome but a result, as the error the client gets. */
export function refusalOf(outcome: Exclude<Outcome, { kind: "result" }>): Buffer {
  switch (outcome.kind) {
    case "blocked":
      return blockedError(outcome.decision);
    case "pending":
      // the wait was cancelled (CancelRequest, or the client left): the request itself stays open
      return errorResponse({ severity: "ERROR", code: SQLSTATE.queryCanceled, message: "canceling statement due to user request", detail: `The approval request ${outcome.approval.id} stays open at ${outcome.approval.url}` });
    case "rejected":
      return errorResponse({ severity: "ERROR", code: SQLSTATE.insufficientPrivilege, message: `A reviewer rejected this statement: ${outcome.reason}`, detail: `Approval request ${outcome.approval.id}` });
    case "expired":
      return errorResponse({
        severity: "ERROR",
        code: SQLSTATE.insufficientPrivilege,
        message: "The approval request expired before anyone approved it",
        detail: `Approval request ${outcome.approval.id}`,
        hint: "Send the statement again to ask for a new approval.",
      });
  }
}

/** An engine failure (or anything else, without its text) as an ErrorResponse. */
export function failureError(error: unknown): Buffer {
  if (error instanceof EngineError) return errorResponse({ severity: "ERROR", code: error.detail.sqlState ?? engineSqlState[error.code], message: error.message });
  return errorResponse({ severity: "ERROR", code: SQLSTATE.internal, message: "Airlock could not run this statement" });
}

/** The NoticeResponse sent when a statement starts waiting for a person. */
export function pendingNotice(ticket: ApprovalTicket): Buffer {
  return noticeResponse({
    severity: "NOTICE",
    code: "00000",
    message: `Airlock: this statement waits for approval ${ticket.id}${ticket.message ? ` (${ticket.message})` : ""}`,
    detail: `Approve or reject it at ${ticket.url}; it expires at ${ticket.expiresAt.toISOString()}.`,
    hint: "The statement runs as soon as it is approved. Cancel (Ctrl-C) to stop waiting.",
  });
}
