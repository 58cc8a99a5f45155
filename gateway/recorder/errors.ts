// The recorder's errors: a stable code the engine acts on, a message safe to show an agent. Never a payload,
// a statement, a parameter or the store's own error text (which can quote the values it was given).

export type RecorderErrorCode =
  /** The store did not take the write (down, refused, timed out, failed): the statement must not run. */
  | "store_unavailable"
  /** No AgentSession with that id. */
  | "session_not_found"
  /** The session has ended (its disconnect event is recorded); nothing more is appended to it. */
  | "session_closed"
  /** The recorder was closed; nothing more is accepted. */
  | "recorder_closed"
  /** The event itself is unusable (a payload that is not a JSON object, an unknown type). */
  | "invalid_event"
  /** Journal mode: the journal is at AIRLOCK_JOURNAL_MAX_BYTES (the store is behind): the statement must not run. */
  | "journal_full"
  /** Journal mode: the journal cannot be written (its directory is unwritable, a sync failed): nothing can run. */
  | "journal_unavailable";

const messages: Record<RecorderErrorCode, string> = {
  store_unavailable: "the recording store is unavailable, so the statement was not run",
  session_not_found: "the session does not exist",
  session_closed: "the session has ended",
  recorder_closed: "the recorder is shut down",
  invalid_event: "the event cannot be recorded",
  journal_full: "the recording journal is full, so the statement was not run",
  journal_unavailable: "the recording journal cannot be written, so the statement was not run",
};

export class RecorderError extends Error {
  override readonly name = "RecorderError";
  readonly code: RecorderErrorCode;
  /** The store's error code (SQLSTATE, Prisma P-code or a socket errno), when the store failed; never its message. */
  readonly storeCode: string | undefined;

  constructor(code: RecorderErrorCode, detail?: string, storeCode?: string) {
    super(detail ? `${messages[code]}: ${detail}` : messages[code]);
    this.code = code;
    this.storeCode = storeCode;
  }
}

export function isRecorderError(error: unknown): error is RecorderError {
  return error instanceof RecorderError;
}

/** The code of a store failure, for logs and RecorderError#storeCode — the error's text stays out. */
export function storeErrorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const record = current as { code?: unknown; cause?: unknown; name?: unknown; originalCode?: unknown };
    if (typeof record.originalCode === "string") return record.originalCode;
    if (typeof record.code === "string" && record.code) return record.code;
    current = record.cause;
  }
  return error instanceof Error ? error.name : "unknown";
}
