import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { EngineError } from "../engine/errors";
import type { Outcome } from "../engine/types";
import type { EngineSession } from "../engine/session";
import type { Gateway } from "../gateway";
import type { AgentIdentity } from "../identity/types";
import { resultsBody } from "../protocols/http/result-body";
import { refusalOf, refusalOfOutcome, type Refusal } from "../engine/refusal";

// The MCP tools an agent sees. Blocked statements, rejections and failures come back as tool errors that
// say what to change; a statement waiting for approval comes back as a normal answer naming the approval.

export interface McpSessionState {
  agent: AgentIdentity;
  sessionId: string;
  /** The engine session per connection used in this MCP session (their recordings end with it). */
  readonly engineSessions: Map<string, EngineSession>;
}

const MAX_WAIT_SECONDS = 120;
const param = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export function registerTools(server: McpServer, gateway: Gateway, state: McpSessionState): void {
  server.registerTool(
    "list_connections",
    {
      title: "List database connections",
      description: "The databases you may query through Airlock, by name (pass the name as `connection` to the other tools).",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => text({ connections: await gateway.connections(state.agent) }),
  );

  server.registerTool(
    "describe_schema",
    {
      title: "Describe a connection's tables",
      description: "Tables and columns of a connection. Columns marked `masked` come back masked and cannot be used in WHERE, JOIN, ORDER BY or GROUP BY.",
      inputSchema: { connection: z.string().min(1).max(128) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ connection }) =>
      guard(async () => text(await gateway.engine.schema(state.agent, connection))),
  );

  server.registerTool(
    "run_query",
    {
      title: "Run SQL through Airlock",
      description:
        "Runs one SQL text on a connection under Airlock's policy: some statements are blocked (the error says why and what to change), " +
        "sensitive columns come back masked, and risky statements wait for a person's approval — then call `await_approval` with the approval id. " +
        "Several statements in one text run as one transaction (all or nothing); BEGIN/COMMIT/ROLLBACK are refused, since each call is its own transaction.",
      inputSchema: {
        connection: z.string().min(1).max(128),
        sql: z.string().min(1),
        params: z.array(param).max(1000).optional().describe("Values for $1, $2… (PostgreSQL) or ? (MySQL)"),
        wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).optional().describe("How long to wait for an approval before answering (default 0)"),
        reason: z.string().max(4000).optional().describe("Why you need this statement: the people who approve it read it, and some rules require it"),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ connection, sql, params, wait_seconds, reason }) =>
      guard(async () => {
        const session = await gateway.engine.open({ agent: state.agent, connection, door: "mcp", client: { key: () => `mcp:${state.sessionId}` } });
        state.engineSessions.set(session.connection.id, session);
        return fromOutcome(await session.submit(sql, params ?? [], { waitMs: (wait_seconds ?? 0) * 1000, ...(reason !== undefined ? { reason } : {}) }));
      }),
  );

  server.registerTool(
    "await_approval",
    {
      title: "Wait for an approval",
      description: "Waits for a person to approve a paused statement. Once approved, the statement runs (once) and its result is returned.",
      inputSchema: {
        approval_id: z.string().min(1).max(64),
        wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).optional().describe("How long to wait (default 30)"),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ approval_id, wait_seconds }) =>
      guard(async () => fromOutcome(await gateway.engine.resume(state.agent, approval_id, (wait_seconds ?? 30) * 1000))),
  );
}

function fromOutcome(outcome: Outcome): CallToolResult {
  switch (outcome.kind) {
    case "result":
      return text({
        ...resultsBody(outcome.results),
        hints: outcome.hints,
        ...(outcome.approval ? { approval: { id: outcome.approval.id, ...(outcome.approval.comments?.length ? { approver_comments: outcome.approval.comments } : {}) } } : {}),
      });
    case "pending":
      return text({
        status: "pending_approval",
        approval_id: outcome.approval.id,
        expires_at: outcome.approval.expiresAt.toISOString(),
        approve_at: outcome.approval.url,
        next: "A person must approve this statement. Call await_approval with this approval_id.",
        ...(outcome.approval.message ? { message: outcome.approval.message } : {}),
      });
    default:
      return refused(refusalOfOutcome(outcome));
  }
}

/** A refusal as a tool error: what happened, then each hint on its own line. */
function refused(refusal: Refusal): CallToolResult {
  const rule = refusal.block?.rule;
  const head = refusal.block
    ? `Blocked by Airlock policy${rule ? ` (${rule.policyId}/${rule.ruleId})` : ""}: ${refusal.message}`
    : refusal.message === refusal.title
      ? `${refusal.message} [${refusal.code}]`
      : `${refusal.title}: ${refusal.message || "(no reason given)"} [${refusal.code}]`;
  return failure([head, ...refusal.hints.map((hint) => `Hint: ${hint}`)].join("\n"));
}

async function guard(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof EngineError) return refused(refusalOf(error));
    throw error;
  }
}

function text(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) }] };
}

function failure(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
