import type { BlockDecision } from "../../lib/policy";
import { blockRefusal, refusalOf, refusalOfOutcome, type Refusal } from "../engine/refusal";
import type { ApprovalTicket, Outcome } from "../engine/types";
import { errorResponse, noticeResponse } from "../protocols/postgres/serializer";

// What Airlock itself answers on the wire when the engine did not run a statement: the engine's refusals
// (engine/refusal.ts) as ErrorResponses, and the notice of a statement waiting for approval.

/** A refusal as an ErrorResponse: its SQLSTATE, its message, the rule or request in DETAIL, its hints in HINT. */
export function refusalError(refusal: Refusal): Buffer {
  const message =
    refusal.code === "blocked"
      ? `Airlock blocked this statement: ${refusal.message}`
      : refusal.code === "approval_waiting"
        ? "canceling statement due to user request" // the wait was cancelled (CancelRequest, or the client left)
        : refusal.title === refusal.message
          ? refusal.message
          : `${refusal.title}: ${refusal.message}`;
  return errorResponse({
    severity: "ERROR",
    code: refusal.sqlState,
    message,
    ...(refusal.code === "approval_waiting" ? { detail: refusal.message } : refusal.detail ? { detail: refusal.detail } : {}),
    ...(refusal.hints.length > 0 ? { hint: refusal.hints.join("\n") } : {}),
    ...(refusal.position !== undefined ? { position: refusal.position } : {}),
  });
}

/** Blocked: 42501 with the policy's message, the rule in DETAIL and the policy's hints in HINT. */
export function blockedError(decision: BlockDecision): Buffer {
  return refusalError(blockRefusal(decision));
}

/** Any outcome but a result, as the error the client gets. */
export function outcomeError(outcome: Exclude<Outcome, { kind: "result" }>): Buffer {
  return refusalError(refusalOfOutcome(outcome));
}

/** An engine failure (or anything else, without its text) as an ErrorResponse. */
export function failureError(error: unknown): Buffer {
  return refusalError(refusalOf(error));
}

/** The NoticeResponse that carries the approvers' comments to the client, before the approved statement's result. */
export function approvedNotice(ticket: ApprovalTicket): Buffer {
  return noticeResponse({
    severity: "NOTICE",
    code: "00000",
    message: `Airlock: approval ${ticket.id} granted`,
    detail: (ticket.comments ?? []).map((entry) => `${entry.by}: ${entry.comment}`).join("\n"),
  });
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
