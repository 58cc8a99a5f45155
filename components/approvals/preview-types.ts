// The dry run of a write that waits for approval, as the gateway stores it in `ApprovalRequest.preview`. A copy of
// the shape in gateway/approvals/preview/types.ts (the app never imports gateway/): keep the two in step. Every row
// value in it was masked for the requesting agent before it was stored.

/** Why a statement was not run for its preview (or what the approver should know about one that was). */
export type PreviewFlagCode =
  | "ddl"
  | "sequence"
  | "volatile_function"
  | "notification"
  | "non_transactional"
  | "several_statements"
  | "not_a_write"
  | "unsupported";

export const PREVIEW_FLAG_CODES = [
  "ddl",
  "sequence",
  "volatile_function",
  "notification",
  "non_transactional",
  "several_statements",
  "not_a_write",
  "unsupported",
] as const satisfies readonly PreviewFlagCode[];

export interface PreviewFlag {
  readonly code: PreviewFlagCode;
  /** Safe to show: names functions or tables, never a value. */
  readonly detail: string;
}

export interface PreviewSample {
  readonly table: string;
  readonly columns: readonly string[];
  /** Rows as they were before (null where there was none, e.g. an INSERT). Masked. */
  readonly before: readonly (readonly unknown[] | null)[];
  /** The same rows after (null where the row is gone, e.g. a DELETE). Masked. */
  readonly after: readonly (readonly unknown[] | null)[];
  readonly maskedColumns: readonly string[];
}

export type PreviewStatus = "ran" | "explained" | "failed" | "off";

export interface WritePreview {
  readonly status: PreviewStatus;
  readonly engine: "postgres" | "mysql";
  readonly flags: readonly PreviewFlag[];
  readonly rowsAffected?: number;
  readonly estimatedRows?: number;
  readonly estimatedCost?: number;
  readonly sample?: PreviewSample;
  readonly error?: { readonly message: string; readonly sqlState?: string };
  readonly durationMs: number;
}
