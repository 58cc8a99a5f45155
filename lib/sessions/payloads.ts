import { z } from "zod";

// What the replay shows of each recorded event, read from its payload (gateway/engine/summaries.ts writes them).
// Payloads are parsed leniently: a field missing or of the wrong shape becomes empty rather than failing the
// page, since an old or tampered recording must still be shown (the chain check says whether it can be trusted).
// Pure: no I/O. Everything here is masked already; this only reshapes it for display.

const strings = z.array(z.string()).catch([]);
const text = z.string().catch("");
const optionalText = z.string().optional().catch(undefined);

const statementPayload = z.object({
  statements: z.array(z.object({ kind: text, tablesRead: strings, tablesWritten: strings, error: optionalText })).catch([]),
  params: strings,
});

const decisionPayload = z.object({
  action: text,
  message: optionalText,
  code: optionalText,
  matched: z.array(z.object({ policy: text, rule: text, action: text, what: optionalText })).catch([]),
  reasons: z.array(z.object({ code: text, message: text })).catch([]),
  hints: strings,
  masked: z.array(z.object({ column: text, strategy: optionalText, source: optionalText })).catch([]),
  afterApproval: optionalText,
});

const resultPayload = z.object({
  statements: z
    .array(
      z.object({
        command: text,
        rowCount: z.number().catch(0),
        truncated: z.boolean().catch(false),
        durationMs: z.number().optional().catch(undefined),
        columns: strings,
        maskedColumns: strings,
        sample: z.array(z.array(z.unknown())).catch([]),
      }),
    )
    .catch([]),
});

const approvalWaitPayload = z.object({ approvalId: text, expiresAt: optionalText });
const approvalOutcomePayload = z.object({ approvalId: text, status: text, reason: optionalText });
const errorPayload = z.object({ code: text, message: text });
const endPayload = z.object({ reason: optionalText });

export type StatementDetail = { readonly kind: "statement" } & z.infer<typeof statementPayload>;
export type DecisionDetail = { readonly kind: "decision" } & z.infer<typeof decisionPayload>;
export interface ResultDetail {
  readonly kind: "result";
  readonly statements: readonly {
    readonly command: string;
    readonly rowCount: number;
    readonly truncated: boolean;
    readonly durationMs?: number;
    readonly columns: readonly string[];
    readonly maskedColumns: readonly string[];
    /** Sample rows, each value as display text (NULL for null). */
    readonly sample: readonly (readonly string[])[];
  }[];
}
export type ApprovalWaitDetail = { readonly kind: "approval_wait" } & z.infer<typeof approvalWaitPayload>;
export type ApprovalOutcomeDetail = { readonly kind: "approval_outcome" } & z.infer<typeof approvalOutcomePayload>;
export type ErrorDetail = { readonly kind: "error" } & z.infer<typeof errorPayload>;
export type EndDetail = { readonly kind: "connect" | "disconnect" } & z.infer<typeof endPayload>;
/** Anything else: the payload's top-level fields as display text. */
export interface OtherDetail {
  readonly kind: "other";
  readonly fields: readonly (readonly [string, string])[];
}

export type EventDetail = StatementDetail | DecisionDetail | ResultDetail | ApprovalWaitDetail | ApprovalOutcomeDetail | ErrorDetail | EndDetail | OtherDetail;

export function eventDetail(type: string, payload: unknown): EventDetail {
  const object = payload !== null && typeof payload === "object" && !Array.isArray(payload) ? payload : {};
  switch (type) {
    case "statement":
      return { kind: "statement", ...statementPayload.parse(object) };
    case "decision":
      return { kind: "decision", ...decisionPayload.parse(object) };
    case "result": {
      const parsed = resultPayload.parse(object);
      return { kind: "result", statements: parsed.statements.map((statement) => ({ ...statement, sample: statement.sample.map((row) => row.map(displayValue)) })) };
    }
    case "approval_wait":
      return { kind: "approval_wait", ...approvalWaitPayload.parse(object) };
    case "approval_outcome":
      return { kind: "approval_outcome", ...approvalOutcomePayload.parse(object) };
    case "error":
      return { kind: "error", ...errorPayload.parse(object) };
    case "connect":
    case "disconnect":
      return { kind: type, ...endPayload.parse(object) };
    default:
      return { kind: "other", fields: Object.entries(object).map(([key, value]) => [key, displayValue(value)] as const) };
  }
}

/** A sample value as text: NULL for null, strings as they are, anything else as JSON. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

/** The approval a wait or outcome event is about. */
export function approvalIdOf(detail: EventDetail): string | null {
  return (detail.kind === "approval_wait" || detail.kind === "approval_outcome") && /^[0-9a-f-]{36}$/i.test(detail.approvalId) ? detail.approvalId : null;
}
