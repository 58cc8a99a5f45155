import { z } from "zod";

// What the approvals pages show of a request, and nothing more. Built on the server from the store's rows and
// sent to the browser as it is, so every field here is safe to display: the statement text, names, the rules and
// reasons policy gave, tables and masked column names. The decision JSON's other fields (sealed parameters
// above all) are never copied in: `explainDecision` picks fields by name.

export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired" | "consumed";

export interface ApprovalWhy {
  /** Rules that matched: policy id, rule id, what matched ("kind update"), and the rule's action. */
  readonly rules: readonly { readonly policy: string; readonly rule: string; readonly action: string; readonly what: string }[];
  /** Policy's reasons, e.g. "Changes to shop data need a reviewer's approval". */
  readonly reasons: readonly { readonly code: string; readonly message: string }[];
  readonly hints: readonly string[];
  /** The approval rule's own message, when it has one. */
  readonly message: string | null;
  /** Result columns policy masks ("customers.email"). */
  readonly maskedColumns: readonly string[];
  /** The agent asked through a read-only tool (MCP `query`): once approved it runs in a READ ONLY transaction. */
  readonly readOnly?: true;
}

export interface ApprovalTables {
  readonly read: readonly string[];
  readonly written: readonly string[];
}

export interface ApprovalView extends ApprovalWhy {
  readonly id: string;
  readonly sql: string;
  /** Effective status: a pending request past its expiry is shown as expired. */
  readonly status: ApprovalStatus;
  readonly agent: { readonly name: string; readonly owner: string | null };
  readonly connection: { readonly name: string; readonly engine: string };
  readonly tables: ApprovalTables;
  /** The agent's own justification for the statement, in its words; null when it gave none. */
  readonly reason: string | null;
  readonly approverRoles: readonly string[];
  readonly approvals: number;
  readonly minApprovals: number;
  /** ISO timestamps. */
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decidedAt: string | null;
}

/** One person's vote on a request. `reason` is their comment (the agent is told it). */
export interface ApprovalVote {
  readonly id: string;
  readonly verdict: "approve" | "reject";
  readonly reason: string;
  /** ISO timestamp. */
  readonly at: string;
  /** Where the vote was cast. */
  readonly via: "dashboard" | "slack";
  readonly user: { readonly id: string; readonly name: string; readonly email: string };
}

export interface PendingResponse {
  /** The server's clock when it answered (ISO), for relative times. */
  readonly now: string;
  readonly approvals: readonly ApprovalView[];
}

const text = z.string().max(2000).catch("");
const list = <T extends z.ZodType>(item: T) => z.array(z.unknown()).catch([]).transform((values) => values.flatMap((value) => {
  const parsed = item.safeParse(value);
  return parsed.success ? [parsed.data as z.output<T>] : [];
}));

const decisionShape = z.object({
  matched: list(z.object({ policy: text, rule: text, action: text, what: text })),
  reasons: list(z.object({ code: text, message: text })),
  hints: list(z.string().max(2000)),
  approval: z.object({ message: z.string().max(2000).optional().catch(undefined) }).optional().catch(undefined),
  masked: list(z.object({ column: z.string().max(500) })),
  readOnly: z.literal(true).optional().catch(undefined),
});

/** Why the statement needs approval, read from the request's decision JSON; unknown or malformed parts are dropped. */
export function explainDecision(decision: unknown): ApprovalWhy {
  const parsed = decisionShape.safeParse(decision ?? {});
  if (!parsed.success) return { rules: [], reasons: [], hints: [], message: null, maskedColumns: [] };
  const { matched, reasons, hints, approval, masked, readOnly } = parsed.data;
  return {
    rules: matched.map(({ policy, rule, action, what }) => ({ policy, rule, action, what })),
    reasons: reasons.map(({ code, message }) => ({ code, message })),
    hints: [...hints],
    message: approval?.message ?? null,
    maskedColumns: [...new Set(masked.map((entry) => entry.column))],
    ...(readOnly ? { readOnly } : {}),
  };
}

const statementShape = z.object({
  statements: list(z.object({ tablesRead: list(z.string().max(500)), tablesWritten: list(z.string().max(500)) })),
});

/** Tables the statement reads and writes, from the recorded statement event's payload; empty when unknown. */
export function tablesTouched(payload: unknown): ApprovalTables {
  const parsed = statementShape.safeParse(payload ?? {});
  if (!parsed.success) return { read: [], written: [] };
  const written = [...new Set(parsed.data.statements.flatMap((statement) => statement.tablesWritten))];
  const read = [...new Set(parsed.data.statements.flatMap((statement) => statement.tablesRead))].filter((table) => !written.includes(table));
  return { read, written };
}

export const ENGINE_LABELS: Record<string, string> = { postgres: "PostgreSQL", mysql: "MySQL" };
