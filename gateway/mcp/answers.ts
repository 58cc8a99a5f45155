import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { refusalOfOutcome, type Refusal } from "../engine/refusal";
import type { ApprovalTicket, Outcome, StatementResult } from "../engine/types";
import { answerText, compactResults, oneLine, UNTRUSTED_NOTICE } from "../results/compact";
import type { ResultLabels } from "../results/untrusted";
import { escapeCell } from "../results/values";
import type { SchemaOutput, StatementOutput } from "./schemas";

// The engine's answers as MCP tool results: a compact text for the model and the same facts as
// `structuredContent` (the tools' output schemas). Results are cut to a byte budget and their rows fenced as
// untrusted data (results/compact.ts); a pending approval says what to call next; refusals are tool errors.

export interface AnswerView {
  readonly maxBytes: number;
  /** Labels for the results of a statement (computed only when there is a result). */
  readonly labels: (results: readonly StatementResult[]) => ResultLabels;
}

/** A result or a pending approval; anything else is a refusal (tool error). */
export function outcomeAnswer(outcome: Outcome, view: AnswerView): CallToolResult {
  if (outcome.kind === "result") return resultAnswer(outcome.results, outcome.hints, outcome.approval, view);
  if (outcome.kind === "pending") return pendingAnswer(outcome.approval);
  return refusedAnswer(refusalOfOutcome(outcome));
}

function resultAnswer(results: readonly StatementResult[], hints: readonly string[], approval: ApprovalTicket | undefined, view: AnswerView): CallToolResult {
  const labels = view.labels(results);
  const beside = [...hints, ...(approval?.comments ?? []).map(({ by, comment }) => `${by}${comment}`)];
  const reserveBytes = beside.reduce((sum, line) => sum + Buffer.byteLength(line) + 16, 0);
  const compact = compactResults(results, { maxBytes: view.maxBytes, untrusted: labels.untrusted, paging: labels.paging, reserveBytes });
  const structured: StatementOutput = {
    status: "ok",
    ...(compact.hasRows ? { notice: UNTRUSTED_NOTICE } : {}),
    results: compact.results.map((result) => ({ ...result, columns: [...result.columns], rows: result.rows.map((row) => [...row]) })),
    hints: [...hints],
    ...(approval ? { approval: ticketOf(approval) } : {}),
  };
  return { content: [{ type: "text", text: answerText(compact, hints, approval) }], structuredContent: structured };
}

export function pendingAnswer(ticket: ApprovalTicket): CallToolResult {
  const next = `A person must approve this statement before it runs. Call await_approval with approval_id "${ticket.id}": it waits for the decision and returns the result once approved.`;
  const lines = [
    `pending_approval: approval ${ticket.id} (expires ${ticket.expiresAt.toISOString()})`,
    `approve or reject at: ${ticket.url}`,
    ...(ticket.message ? [`policy: ${oneLine(ticket.message)}`] : []),
    `next: ${next}`,
  ];
  const structured: StatementOutput = { status: "pending_approval", approval: ticketOf(ticket), next };
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: structured };
}

/** A refusal as a tool error: what happened, then each hint on its own line. */
export function refusedAnswer(refusal: Refusal): CallToolResult {
  const rule = refusal.block?.rule;
  const head = refusal.block
    ? `Blocked by Airlock policy${rule ? ` (${rule.policyId}/${rule.ruleId})` : ""}: ${refusal.message}`
    : refusal.message === refusal.title
      ? `${refusal.message} [${refusal.code}]`
      : `${refusal.title}: ${refusal.message || "(no reason given)"} [${refusal.code}]`;
  return failure([head, ...refusal.hints.map((hint) => `Hint: ${hint}`)].join("\n"));
}

/** A tool's own refusal (the engine never saw the statement). */
export function toolRefusal(tool: string, code: string, reason: string, hint: string): CallToolResult {
  return failure(`Refused by the ${tool} tool: ${reason} [${code}]\nHint: ${hint}`);
}

export function failure(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

export interface GrantedConnection {
  readonly name: string;
  readonly engine: string;
  readonly description: string;
  readonly readOnly: boolean;
}

export function connectionsAnswer(connections: readonly GrantedConnection[]): CallToolResult {
  const lines = connections.length === 0 ? ["No connections: this agent holds no grant."] : connections.map((c) => `${c.name} (${c.engine}${c.readOnly ? ", read-only" : ""})${c.description ? ` — ${oneLine(c.description)}` : ""}`);
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: { connections: connections.map((c) => ({ ...c })) } };
}

/** Tables one line each (`schema.table: column type, …`), masked and untrusted columns marked; cut to the budget. */
export function schemaAnswer(schema: SchemaOutput, maxBytes: number): CallToolResult {
  const lines = [`${schema.connection} (${schema.engine}): ${schema.tables.length} table${schema.tables.length === 1 ? "" : "s"}`];
  let used = Buffer.byteLength(lines[0]!) + 600;
  const tables: SchemaOutput["tables"] = [];
  for (const table of schema.tables) {
    const line = `${table.schema}.${table.name}: ${table.columns.map((column) => `${column.name} ${column.type}${column.masked ? ` [masked:${column.masked}]` : ""}${column.untrusted ? " [untrusted]" : ""}`).join(", ")}`;
    const size = Math.max(Buffer.byteLength(line), Buffer.byteLength(JSON.stringify(table))) + 1;
    if (used + size > maxBytes) break;
    used += size;
    lines.push(escapeCell(line));
    tables.push(table);
  }
  const left = schema.tables.length - tables.length;
  if (left > 0) lines.push(`(${left} more table${left === 1 ? "" : "s"} left out to stay within ${Math.round(maxBytes / 1000)} KB: pass \`filter\` to describe only the tables whose names contain it)`);
  lines.push(...schema.hints.map((hint) => `hint: ${hint}`));
  const structured: SchemaOutput = { ...schema, tables, ...(left > 0 ? { truncated: true } : {}) };
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: structured };
}

function ticketOf(ticket: ApprovalTicket): NonNullable<StatementOutput["approval"]> {
  return {
    id: ticket.id,
    status: ticket.status,
    url: ticket.url,
    expiresAt: ticket.expiresAt.toISOString(),
    ...(ticket.message ? { message: ticket.message } : {}),
    ...(ticket.comments && ticket.comments.length > 0 ? { comments: ticket.comments.map(({ by, comment }) => ({ by, comment })) } : {}),
  };
}
