import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../../lib/log";
import type { Gateway } from "../gateway";
import type { AgentIdentity } from "../identity/types";
import { sendProblem } from "../protocols/http/problem";
import { mcpOptions, type McpOptions } from "./options";
import { registerTools, type McpSessionState } from "./tools";

// The MCP front door (Streamable HTTP) at /mcp. Every request is authenticated like the REST API; an MCP
// session belongs to the agent that opened it, and its tools go through the same engine.

const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Session extends McpSessionState {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
}

export class McpDoor {
  private readonly sessions = new Map<string, Session>();
  private readonly options: McpOptions;

  /** `options` default to DEFAULT_RESULT_BYTES and DEFAULT_PROGRESS_MS (main.ts passes the environment's). */
  constructor(
    private readonly gateway: Gateway,
    private readonly log: Logger,
    options: Partial<McpOptions> = {},
  ) {
    this.options = mcpOptions(options);
  }

  async handle(agent: AgentIdentity, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const sessionId = request.headers["mcp-session-id"];
    const body = request.method === "POST" ? await readBody(request) : undefined;
    if (body === INVALID) return sendProblem(response, { status: 400, code: "malformed_json", title: "The body is not valid JSON (or is too large)" });

    if (typeof sessionId === "string") {
      const session = this.sessions.get(sessionId);
      // Another agent's session is answered exactly like an unknown one.
      if (!session || session.agent.agentId !== agent.agentId) {
        return sendProblem(response, { status: 404, code: "mcp_session_not_found", title: "No such MCP session; initialize a new one" });
      }
      session.agent = agent; // fresh groups (OIDC) for this request
      return session.transport.handleRequest(request, response, body);
    }
    if (request.method !== "POST" || !isInitializeRequest(body)) {
      return sendProblem(response, { status: 400, code: "mcp_session_required", title: "Send an initialize request first, then the Mcp-Session-Id it returns" });
    }

    const server = new McpServer({ name: "airlock", version: "0.1.0" }, { capabilities: { tools: {} } });
    const state: McpSessionState = { agent, sessionId: "", engineSessions: new Map(), approvals: new Map() };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        state.sessionId = id;
        this.sessions.set(id, Object.assign(state, { transport, server }));
        this.log.info("mcp.session_opened", { agent: agent.agentName, session: id });
      },
    });
    transport.onclose = () => void this.closeSession(state.sessionId);
    registerTools(server, { gateway: this.gateway, state, options: this.options, log: this.log });
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.closeSession(id)));
  }

  private async closeSession(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    for (const engineSession of session.engineSessions.values()) await engineSession.close("mcp session closed");
    await session.server.close().catch(() => undefined);
  }
}

const INVALID = Symbol("invalid");

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return INVALID;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return INVALID;
  }
}
