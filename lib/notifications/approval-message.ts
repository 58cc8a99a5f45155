import { z } from "zod";
import { redactCredentials, redactDetected } from "../masking";
import { readPreview } from "../approvals/preview";
import type { Store } from "../store/client";
import type { ApprovalStatus, ApprovalVerdict, Prisma } from "../store/generated/client";

// The one summary of an approval request that every notice is built from (Slack blocks, webhook bodies), so a
// Slack channel and a webhook receiver are told the same thing. It carries the statement text (what people are
// asked to approve), never its parameters, the sealed parameters or anything else from the request's decision
// beyond rule ids, tables and reasons.

export const STATEMENT_MAX_CHARS = 1500;

export interface ApprovalVote {
  readonly user: string;
  readonly verdict: ApprovalVerdict;
  readonly reason: string;
  readonly via: string;
  readonly at: string;
}

export interface ApprovalSummary {
  readonly id: string;
  /** The approval page: `${publicUrl}/approvals/<id>`. */
  readonly url: string;
  readonly status: ApprovalStatus;
  /** The statement, cut to STATEMENT_MAX_CHARS (with "…"). */
  readonly statement: string;
  readonly statementTruncated: boolean;
  readonly agent: { readonly id: string; readonly name: string };
  readonly connection: { readonly id: string; readonly name: string };
  /** The agent's justification, when it gave one. */
  readonly reason: string | null;
  /** The dry run in one line (describePreview), or null without a preview. */
  readonly preview: string | null;
  /** Why it needs approval (the policy's reasons). */
  readonly why: readonly string[];
  readonly ruleIds: readonly string[];
  readonly tablesWritten: readonly string[];
  readonly minApprovals: number;
  readonly approvals: number;
  readonly votes: readonly ApprovalVote[];
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decidedAt: string | null;
}

// ── The dry run in one line ─────────────────────────────────────────────────────────────────────────

// The stored preview is JSON written by gateway/approvals/preview (WritePreview); it is read leniently here
// (lib may not import the gateway's types, and an older row may lack fields): what does not parse is not shown.
const FLAG_LABELS: Record<string, string> = {
  ddl: "DDL",
  sequence: "sequence",
  volatile_function: "side effects outside the transaction",
  notification: "notification",
  non_transactional: "table cannot roll back",
  several_statements: "several statements",
  not_a_write: "not a write",
  unsupported: "not previewable",
  key_changed: "primary key changed: rows before not shown",
};

const rows = (count: number) => `${count} ${count === 1 ? "row" : "rows"}`;
const cost = (value: number | undefined) => (value === undefined ? "" : `cost ${value.toFixed(1)}`);

function flagText(flag: { code: string; detail: string }): string {
  const label = FLAG_LABELS[flag.code] ?? flag.code.replace(/_/g, " ");
  return flag.detail ? `${flag.detail} (${label})` : label;
}

function estimate(preview: { estimatedRows?: number; estimatedCost?: number }): string {
  const parts = [preview.estimatedRows === undefined ? "" : `est. ${rows(preview.estimatedRows)}`, cost(preview.estimatedCost)].filter(Boolean);
  return parts.join(", ");
}

/**
 * The dry run in one line, e.g. "UPDATE would change 10 rows (est. cost 12.3); rolled back",
 * "not run: uses nextval (sequence)", "dry run failed: …". Null when there is no preview (or it is unreadable).
 * `kind` names the statement ("UPDATE"); see statementKindOf.
 */
export function describePreview(preview: unknown, kind = "The statement"): string | null {
  const p = readPreview(preview);
  if (!p) return null;
  const flags = p.flags.map(flagText).join("; ");
  switch (p.status) {
    case "off":
      return "no dry run (previews are off for this connection)";
    case "failed":
      return `dry run failed: ${p.error?.message ?? "unknown error"}${p.error?.sqlState ? ` (SQLSTATE ${p.error.sqlState})` : ""}; nothing changed`;
    case "explained": {
      const plan = estimate(p);
      return `${flags ? `not run: ${flags}` : "not run (plan only)"}${plan ? `; planner: ${plan}` : ""}`;
    }
    case "ran": {
      const costText = cost(p.estimatedCost);
      return `${kind} would change ${rows(p.rowsAffected ?? 0)}${costText ? ` (est. ${costText})` : ""}; rolled back${flags ? `; note: ${flags}` : ""}`;
    }
  }
}

const KINDS = ["SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "TRUNCATE", "CREATE", "ALTER", "DROP", "GRANT", "REVOKE", "COPY", "CALL"];

/** The statement's leading keyword ("UPDATE"), past comments, or "The statement" when it is not a plain one. */
export function statementKindOf(sql: string): string {
  const text = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, "");
  const word = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase() ?? "";
  return KINDS.includes(word) ? word : "The statement";
}

// ── From the stored request ─────────────────────────────────────────────────────────────────────────

const decisionSchema = z.object({
  approval: z.object({ ruleIds: z.array(z.string()).optional() }).optional(),
  matched: z.array(z.object({ rule: z.string(), action: z.string().optional() })).optional(),
  reasons: z.array(z.union([z.string(), z.object({ message: z.string() })])).optional(),
  tables: z.object({ written: z.array(z.string()).optional() }).optional(),
});

/**
 * The ids of the rules that asked for approval (what a channel's ruleId is matched against): the decision's
 * approval.ruleIds, or else its matched require_approval rules (gateway/engine/summaries.ts decisionSummary).
 */
export function ruleIdsOf(decision: Prisma.JsonValue): string[] {
  const parsed = decisionSchema.safeParse(decision);
  if (!parsed.success) return [];
  if (parsed.data.approval?.ruleIds) return [...new Set(parsed.data.approval.ruleIds)];
  return [...new Set((parsed.data.matched ?? []).filter((rule) => rule.action === undefined || rule.action === "require_approval").map((rule) => rule.rule))];
}

function truncate(text: string, max: number): { text: string; truncated: boolean } {
  return text.length <= max ? { text, truncated: false } : { text: `${text.slice(0, max - 1)}…`, truncated: true };
}

const summarySelect = {
  id: true,
  status: true,
  sqlText: true,
  reason: true,
  preview: true,
  decision: true,
  minApprovals: true,
  requestedAt: true,
  expiresAt: true,
  decidedAt: true,
  agent: { select: { id: true, name: true } },
  connection: { select: { id: true, name: true } },
  decisions: { select: { verdict: true, reason: true, via: true, createdAt: true, user: { select: { name: true, email: true } } }, orderBy: { createdAt: "asc" } },
} satisfies Prisma.ApprovalRequestSelect;

/** The request as notices show it, or null when it does not exist (any more). */
export async function loadApprovalSummary(store: Store, requestId: string, publicUrl: string): Promise<ApprovalSummary | null> {
  const row = await store.approvalRequest.findUnique({ where: { id: requestId }, select: summarySelect });
  if (!row) return null;
  // A Slack channel or a webhook receiver is a wider audience than the approval page: values the detectors
  // recognise in the statement's literals (card numbers, e-mail addresses, …) and passwords written into it leave
  // redacted; the page has the text.
  const statement = truncate(noticeText(row.sqlText), STATEMENT_MAX_CHARS);
  const decision = decisionSchema.safeParse(row.decision);
  const votes = row.decisions.map((vote) => ({
    user: vote.user.name || vote.user.email,
    verdict: vote.verdict,
    reason: vote.reason,
    via: vote.via,
    at: vote.createdAt.toISOString(),
  }));
  return {
    id: row.id,
    url: `${publicUrl.replace(/\/$/, "")}/approvals/${row.id}`,
    status: row.status,
    statement: statement.text,
    statementTruncated: statement.truncated,
    agent: row.agent,
    connection: row.connection,
    reason: row.reason,
    preview: describePreview(row.preview, statementKindOf(row.sqlText)),
    why: decision.success ? (decision.data.reasons ?? []).map((reason) => (typeof reason === "string" ? reason : reason.message)) : [],
    ruleIds: ruleIdsOf(row.decision),
    tablesWritten: decision.success ? (decision.data.tables?.written ?? []) : [],
    minApprovals: row.minApprovals,
    approvals: votes.filter((vote) => vote.verdict === "approve").length,
    votes,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

/** The request's state in a few words, e.g. "approved by Ada", "rejected by Bob: touches every order". */
export function outcomeText(summary: ApprovalSummary, now: Date = new Date()): string {
  const by = (verdict: ApprovalVerdict) => summary.votes.filter((vote) => vote.verdict === verdict).map((vote) => vote.user);
  switch (summary.status) {
    case "approved":
    case "consumed": {
      const text = `approved by ${by("approve").join(", ") || "(nobody recorded)"}`;
      return summary.status === "consumed" ? `${text}; it has run` : text;
    }
    case "rejected": {
      const rejection = summary.votes.find((vote) => vote.verdict === "reject");
      return rejection ? `rejected by ${rejection.user}: ${rejection.reason}` : "rejected";
    }
    case "expired":
      return "expired: nobody decided it in time";
    case "pending":
      if (Date.parse(summary.expiresAt) <= now.getTime()) return "expired: nobody decided it in time";
      return summary.approvals > 0 ? `pending: ${summary.approvals} of ${summary.minApprovals} approvals` : "pending";
  }
}

/** A statement as a notice may show it: detected values and passwords (`PASSWORD '…'`, `IDENTIFIED BY '…'`) redacted. */
export function noticeText(sql: string): string {
  return redactCredentials(redactDetected(sql));
}
