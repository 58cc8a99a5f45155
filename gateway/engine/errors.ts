// The engine's failures, as values with stable codes. Messages are safe to show an agent: never a secret,
// a parameter or a row value.

export type EngineErrorCode =
  | "sql_too_large" // the statement text is over the size limit
  | "bad_params" // parameters that cannot be sent with this statement
  | "syntax_error" // the database's grammar rejects the statement: answered at once, never sent for approval
  | "transaction_control" // BEGIN/COMMIT/… through a door without a session of its own
  | "recording_unavailable" // the statement cannot be recorded (journal full or unwritable; strict: store down): not run
  | "approvals_unavailable" // the statement needs approval, and approvals live in the store, which cannot be reached
  | "reason_required" // the statement needs approval, and its rule asks for the agent's reason, which was not given
  | "target_unavailable" // the target database cannot be reached
  | "target_timeout" // the statement ran past the connection's timeout
  | "target_error" // the database refused the statement
  | "cancelled"
  | "masking_mismatch" // the result's columns are not the ones policy planned masking for: nothing is returned
  | "approval_not_found"
  | "approval_not_yours"
  | "approval_used" // an approval is single use
  | "approval_mismatch" // an approval replayed for another statement, parameters, connection or agent
  | "unknown_connection" // no Airlock connection has that name
  | "no_grant" // the agent has no grant to the connection
  | "unsupported_door" // the connection cannot be reached through this door (a MySQL database on the PostgreSQL door)
  | "shutting_down";

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly detail: { sqlState?: string; mysqlErrno?: number; statementIndex?: number; position?: number } = {},
  ) {
    super(message);
    this.name = "EngineError";
  }
}
