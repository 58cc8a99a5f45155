import type { BlockDecision, MatchedRule } from "../../lib/policy";
import { EngineError, type EngineErrorCode } from "./errors";
import type { ApprovalTicket, Outcome } from "./types";

// The one refusal model: whatever stops a statement or a session — a policy block, a reviewer's rejection, an
// expired or abandoned approval, an engine failure, a missing grant — becomes one value with a stable code, the
// SQLSTATE and MySQL error number it is sent as, a message and the hints a model can act on. The doors only
// render it in their own protocol (HTTP problem+json, MCP tool error, PostgreSQL ErrorResponse, MySQL ERR packet);
// none words a refusal itself. Texts are safe to show an agent: never a secret, a parameter or a row value.

export type RefusalCode = EngineErrorCode | "blocked" | "approval_rejected" | "approval_expired" | "approval_waiting";

export interface Refusal {
  readonly code: RefusalCode;
  /** A short title: what happened (an engine failure's title is its message). */
  readonly title: string;
  /** The specific explanation (the policy's message, the reviewer's reason, the engine's message). */
  readonly message: string;
  /** More about where it came from (the rule, the approval request); for protocols with a detail field. */
  readonly detail?: string;
  /** What to change; never empty for a policy block. */
  readonly hints: readonly string[];
  readonly sqlState: string;
  readonly mysqlErrno: number;
  /** A block: the rule that blocked, the decision's reason code, every reason. */
  readonly block?: {
    readonly rule?: Pick<MatchedRule, "policyId" | "ruleId" | "ruleName">;
    readonly reason: string;
    readonly statementIndex: number;
    readonly reasons: readonly { readonly code: string; readonly message: string; readonly statementIndex: number }[];
  };
  readonly approval?: ApprovalTicket;
  /** The statement of a several-statement text that failed, and the target's own SQLSTATE when it failed there. */
  readonly statementIndex?: number;
  /** A syntax error: the 1-based character position in the text it points at. */
  readonly position?: number;
}

// MySQL's error numbers for the same conditions (ER_SPECIFIC_ACCESS_DENIED_ERROR, ER_QUERY_INTERRUPTED, …).
const MYSQL = {
  accessDenied: 1227,
  dbAccessDenied: 1044,
  badDb: 1049,
  interrupted: 1317,
  tooBig: 1153,
  wrongArguments: 1210,
  notSupported: 1235,
  serverGone: 2013,
  timeout: 3024,
  serverShutdown: 1053,
  unknown: 1105,
  syntax: 1064,
} as const;

const ENGINE: Record<EngineErrorCode, { sqlState: string; mysqlErrno: number }> = {
  sql_too_large: { sqlState: "54000", mysqlErrno: MYSQL.tooBig },
  bad_params: { sqlState: "22023", mysqlErrno: MYSQL.wrongArguments },
  syntax_error: { sqlState: "42601", mysqlErrno: MYSQL.syntax },
  transaction_control: { sqlState: "0A000", mysqlErrno: MYSQL.notSupported },
  recording_unavailable: { sqlState: "58000", mysqlErrno: MYSQL.unknown },
  approvals_unavailable: { sqlState: "57P03", mysqlErrno: MYSQL.unknown },
  reason_required: { sqlState: "42501", mysqlErrno: MYSQL.accessDenied },
  target_unavailable: { sqlState: "08006", mysqlErrno: MYSQL.serverGone },
  target_timeout: { sqlState: "57014", mysqlErrno: MYSQL.timeout },
  target_error: { sqlState: "XX000", mysqlErrno: MYSQL.unknown },
  cancelled: { sqlState: "57014", mysqlErrno: MYSQL.interrupted },
  masking_mismatch: { sqlState: "42501", mysqlErrno: MYSQL.accessDenied },
  approval_not_found: { sqlState: "42501", mysqlErrno: MYSQL.accessDenied },
  approval_not_yours: { sqlState: "42501", mysqlErrno: MYSQL.accessDenied },
  approval_used: { sqlState: "42501", mysqlErrno: MYSQL.accessDenied },
  approval_mismatch: { sqlState: "42501", mysqlErrno: MYSQL.accessDenied },
  unknown_connection: { sqlState: "3D000", mysqlErrno: MYSQL.badDb },
  no_grant: { sqlState: "42501", mysqlErrno: MYSQL.dbAccessDenied },
  unsupported_door: { sqlState: "0A000", mysqlErrno: MYSQL.notSupported },
  shutting_down: { sqlState: "57P01", mysqlErrno: MYSQL.serverShutdown },
};

/** The hints an engine failure carries, so a model knows what to do next. */
const ENGINE_HINTS: Partial<Record<EngineErrorCode, string>> = {
  sql_too_large: "Send a smaller statement, or split it.",
  syntax_error: "Fix the statement's syntax and send it again; nothing was run or sent for approval.",
  transaction_control: "Send the statements together in one text (it runs all or nothing), or use the PostgreSQL door for a session.",
  recording_unavailable: "Nothing was run. Try again shortly; an operator can see the recording's state on /readyz.",
  approvals_unavailable: "Nothing was run or sent for approval. Statements that need no approval still run; send this one again once the store is back.",
  reason_required:
    "Say why, then send it again: `reason` in the HTTP body or the MCP tool's arguments, `SET airlock.reason = '…'` on a wire door, or a leading `/* reason: … */` comment on any door.",
  target_unavailable: "Nothing was run. Try again shortly.",
  target_timeout: "Narrow the statement (a WHERE clause, a LIMIT) so that it finishes within the connection's time limit.",
  masking_mismatch: "Select the columns by name.",
  approval_used: "Send the statement again to ask for a new approval.",
  approval_mismatch: "An approval runs exactly the statement, parameters, connection and agent it was asked for.",
  unknown_connection: "List the connections you may use (GET /v1/connections or the list_connections tool).",
  no_grant: "Ask an Airlock admin for a grant to this connection.",
};

/** An engine failure as a refusal. The target's own SQLSTATE, when it failed there, is kept. */
export function refusalOfError(error: EngineError): Refusal {
  const known = ENGINE[error.code];
  const hint = ENGINE_HINTS[error.code];
  return {
    code: error.code,
    title: error.message,
    message: error.message,
    hints: hint ? [hint] : [],
    sqlState: error.detail.sqlState ?? known.sqlState,
    mysqlErrno: error.detail.mysqlErrno ?? known.mysqlErrno,
    ...(error.detail.statementIndex !== undefined ? { statementIndex: error.detail.statementIndex } : {}),
    ...(error.detail.position !== undefined ? { position: error.detail.position } : {}),
  };
}

/** Anything a door caught that is not an EngineError: said without its text, which is not known to be safe. */
export function refusalOfUnexpected(): Refusal {
  return { code: "target_error", title: "Airlock could not run this statement", message: "Airlock could not run this statement", hints: [], sqlState: "XX000", mysqlErrno: MYSQL.unknown };
}

export function refusalOf(error: unknown): Refusal {
  return error instanceof EngineError ? refusalOfError(error) : refusalOfUnexpected();
}

/** Every outcome but a result, as a refusal (a pending one: the wait ended with nobody's answer, the request stays). */
export function refusalOfOutcome(outcome: Exclude<Outcome, { kind: "result" }>): Refusal {
  switch (outcome.kind) {
    case "blocked":
      return blockRefusal(outcome.decision);
    case "pending":
      return {
        code: "approval_waiting",
        title: "The statement still waits for approval",
        message: `The approval request ${outcome.approval.id} stays open at ${outcome.approval.url}`,
        detail: `Approval request ${outcome.approval.id}`,
        hints: ["Wait for the approval again; once approved, the statement runs once."],
        sqlState: "57014",
        mysqlErrno: MYSQL.interrupted,
        approval: outcome.approval,
      };
    case "rejected":
      return {
        code: "approval_rejected",
        title: "A reviewer rejected this statement",
        message: outcome.reason,
        detail: `Approval request ${outcome.approval.id}`,
        hints: ["Change the statement as the reviewer asked, or send it again with a reason."],
        sqlState: "42501",
        mysqlErrno: MYSQL.accessDenied,
        approval: outcome.approval,
      };
    case "expired":
      return {
        code: "approval_expired",
        title: "The approval request expired before anyone approved it",
        message: "Send the statement again to ask for a new approval.",
        detail: `Approval request ${outcome.approval.id}`,
        hints: ["Send the statement again to ask for a new approval."],
        sqlState: "42501",
        mysqlErrno: MYSQL.accessDenied,
        approval: outcome.approval,
      };
  }
}

/** A policy block: the rule that blocked the statement the decision names, the policy's message and hints. */
export function blockRefusal(decision: BlockDecision): Refusal {
  const rule =
    decision.matched.find((match) => match.action === "block" && match.statementIndex === decision.statementIndex) ??
    decision.matched.find((match) => match.action === "block") ??
    decision.matched[0];
  return {
    code: "blocked",
    title: "Statement blocked by policy",
    message: decision.message,
    detail: rule ? `Policy "${rule.policyId}", rule "${rule.ruleId}"${rule.ruleName ? ` (${rule.ruleName})` : ""}: ${decision.code}` : `Reason: ${decision.code}`,
    hints: decision.hints,
    sqlState: "42501",
    mysqlErrno: MYSQL.accessDenied,
    block: {
      ...(rule ? { rule: { policyId: rule.policyId, ruleId: rule.ruleId, ruleName: rule.ruleName } } : {}),
      reason: decision.code,
      statementIndex: decision.statementIndex,
      reasons: decision.reasons.map(({ code, message, statementIndex }) => ({ code, message, statementIndex })),
    },
    statementIndex: decision.statementIndex,
  };
}
