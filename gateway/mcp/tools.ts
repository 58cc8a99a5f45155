import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Connection } from "../../lib/store/generated/client";
import { EngineError } from "../engine/errors";
import type { Outcome } from "../engine/types";
import type { Gateway } from "../gateway";
import type { AgentIdentity } from "../identity/types";
import { resultBody } from "../http/outcome";

// The MCP tools an agent sees. Blocked statements, rejections and failures come back as tool errors that
// say what to change; a statement waiting for approval comes back as a normal answer naming the approval.

export interface McpSessionState {
  agent: AgentIdentity;
  sessionId: string;
  /** Recording session per connection used in this MCP session. */
  readonly recordingSessions: Map<string, string>;
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
      guard(async () => {
        const access = await gateway.authorize(state.agent, connection);
        if (!access.ok) return failure(access.message);
        return text(await gateway.schema(state.agent, access.connection));
      }),
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
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async ({ connection, sql, params, wait_seconds }) =>
      guard(async () => {
        const access = await gateway.authorize(state.agent, connection);
        if (!access.ok) return failure(access.message);
        const sessionId = await recordingSession(gateway, state, access.connection);
        const outcome = await gateway.engine.submit({
          agent: state.agent,
          connection: access.connection,
          sessionId,
          sql,
          params: params ?? [],
          waitMs: (wait_seconds ?? 0) * 1000,
        });
        return fromOutcome(outcome);
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

async function recordingSession(gateway: Gateway, state: McpSessionState, connection: Connection): Promise<string> {
  const existing = state.recordingSessions.get(connection.id);
  if (existing) return existing;
  const opened = await gateway.recorder.openSession({
    agentId: state.agent.agentId,
    connectionId: connection.id,
    frontDoor: "mcp",
    clientKey: `mcp:${state.sessionId}`,
  });
  state.recordingSessions.set(connection.id, opened.sessionId);
  return opened.sessionId;
}

function fromOutcome(outcome: Outcome): CallToolResult {
  switch (outcome.kind) {
    case "result": {
      const results = outcome.results.map(resultBody);
      return text({ ...(results[results.length - 1] ?? {}), ...(results.length > 1 ? { results } : {}), hints: outcome.hints });
    }
    case "blocked": {
      const { decision } = outcome;
      const rule = decision.matched.find((match) => match.action === "block") ?? decision.matched[0];
      const lines = [`Blocked by Airlock policy${rule ? ` (${rule.policyId}/${rule.ruleId})` : ""}: ${decision.message}`];
      for (const hint of decision.hints) lines.push(`Hint: ${hint}`);
      return failure(lines.join("\n"));
    }
    case "pending":
      return text({
        status: "pending_approval",
        approval_id: outcome.approval.id,
        expires_at: outcome.approval.expiresAt.toISOString(),
        approve_at: outcome.approval.url,
        next: "A person must approve this statement. Call await_approval with this approval_id.",
        ...(outcome.approval.message ? { message: outcome.approval.message } : {}),
      });
    case "rejected":
      return failure(`A reviewer rejected this statement: ${outcome.reason || "(no reason given)"}`);
    case "expired":
      return failure("The approval request expired before anyone approved it. Run the statement again to ask for a new approval.");
  }
}

async function guard(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof EngineError) return failure(`${error.message} [${error.code}]`);
    throw error;
  }
}

function text(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) }] };
}

function failure(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
