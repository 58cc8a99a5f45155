import { describe, expect, test } from "vitest";
import { compilePolicy, evaluate, type BlockDecision } from "../../lib/policy";
import { analysis, context, policy, stmt } from "../../lib/policy/fixtures";
import { EngineError, type EngineErrorCode } from "./errors";
import { blockRefusal, refusalOf, refusalOfError, refusalOfOutcome } from "./refusal";
import type { ApprovalTicket } from "./types";

// The one refusal model, without a database: every way a statement is refused becomes one value that each door
// renders (HTTP, MCP, PostgreSQL and MySQL wire) — a stable code, a SQLSTATE, a MySQL error number, the message
// and hints.

const ticket: ApprovalTicket = { id: "7e0c1d5e-0000-4000-8000-000000000001", status: "pending", expiresAt: new Date("2026-01-01T00:00:00Z"), url: "http://airlock/approvals/7e0c1d5e-0000-4000-8000-000000000001" };

function blockedTwice(): BlockDecision {
  // Two statements; only the second is blocked, by its own rule: the refusal must name that rule, not the first match.
  const compiled = compilePolicy(
    policy([
      { id: "mask-orders", name: "Orders", action: { type: "mask", columns: ["orders.total"], strategy: { kind: "redact" } } },
      { id: "no-bare-delete", name: "No bare DELETE", match: { kinds: ["delete"], noWhere: true }, action: { type: "block", message: "DELETE needs a WHERE" } },
    ]),
  );
  const decision = evaluate(
    compiled,
    analysis(stmt({ kind: "select", tablesRead: ["orders"] }), stmt({ kind: "delete", tablesWritten: ["customers"], hasWhere: false })),
    context(),
  );
  if (decision.action !== "block") throw new Error(`expected a block, got ${decision.action}`);
  return decision;
}

describe("a policy block", () => {
  test("names the rule that blocked the statement the decision points at, with the policy's message and hints", () => {
    const decision = blockedTwice();
    const refusal = blockRefusal(decision);
    expect(refusal).toMatchObject({ code: "blocked", sqlState: "42501", mysqlErrno: 1227, message: "DELETE needs a WHERE", statementIndex: 1 });
    expect(refusal.block?.rule).toEqual({ policyId: "test", ruleId: "no-bare-delete", ruleName: "No bare DELETE" });
    expect(refusal.detail).toBe(`Policy "test", rule "no-bare-delete" (No bare DELETE): ${decision.code}`);
    expect(refusal.hints.join(" ")).toMatch(/WHERE/);
    expect(refusal.block?.reasons.some((reason) => reason.statementIndex === 1)).toBe(true);
  });

  test("an outcome and the decision give the same refusal", () => {
    const decision = blockedTwice();
    expect(refusalOfOutcome({ kind: "blocked", sessionId: "s", eventId: "e", decision })).toEqual(blockRefusal(decision));
  });
});

describe("approval outcomes", () => {
  test("rejected: the reviewer's reason, 42501, the request in detail", () => {
    const refusal = refusalOfOutcome({ kind: "rejected", sessionId: "s", approval: { ...ticket, status: "rejected" }, reason: "not on a Friday" });
    expect(refusal).toMatchObject({ code: "approval_rejected", sqlState: "42501", message: "not on a Friday", detail: `Approval request ${ticket.id}` });
    expect(refusal.hints.length).toBeGreaterThan(0);
  });

  test("expired: say how to ask again", () => {
    const refusal = refusalOfOutcome({ kind: "expired", sessionId: "s", approval: { ...ticket, status: "expired" } });
    expect(refusal.code).toBe("approval_expired");
    expect(refusal.hints.join(" ")).toMatch(/again/);
  });

  test("a wait that ended with nobody's answer: the request stays open at its link", () => {
    const refusal = refusalOfOutcome({ kind: "pending", sessionId: "s", approval: ticket });
    expect(refusal).toMatchObject({ code: "approval_waiting", sqlState: "57014", mysqlErrno: 1317 });
    expect(refusal.message).toContain(ticket.url);
  });
});

describe("engine failures", () => {
  const codes: EngineErrorCode[] = [
    "sql_too_large",
    "bad_params",
    "syntax_error",
    "transaction_control",
    "recording_unavailable",
    "target_unavailable",
    "target_timeout",
    "target_error",
    "cancelled",
    "masking_mismatch",
    "approval_not_found",
    "approval_not_yours",
    "approval_used",
    "approval_mismatch",
    "unknown_connection",
    "no_grant",
    "unsupported_door",
    "shutting_down",
  ];

  test.each(codes)("%s has a SQLSTATE, a MySQL error number and keeps its message", (code) => {
    const refusal = refusalOfError(new EngineError(code, `message for ${code}`));
    expect(refusal.code).toBe(code);
    expect(refusal.message).toBe(`message for ${code}`);
    expect(refusal.sqlState).toMatch(/^[0-9A-Z]{5}$/);
    expect(refusal.mysqlErrno).toBeGreaterThan(1000);
  });

  test("the target's own SQLSTATE and the failing statement are kept", () => {
    const refusal = refusalOfError(new EngineError("target_error", "relation does not exist", { sqlState: "42P01", statementIndex: 2 }));
    expect(refusal).toMatchObject({ sqlState: "42P01", statementIndex: 2 });
  });

  test("failures an agent can act on say what to do", () => {
    for (const code of ["recording_unavailable", "no_grant", "unknown_connection", "transaction_control", "target_timeout"] as const) {
      expect(refusalOfError(new EngineError(code, "x")).hints.length, code).toBeGreaterThan(0);
    }
  });

  test("anything else is said without its text", () => {
    const refusal = refusalOf(new Error("password=hunter2 at db.internal"));
    expect(JSON.stringify(refusal)).not.toContain("hunter2");
    expect(refusal.sqlState).toBe("XX000");
  });
});
