import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "../../lib/log";
import { errorMessage } from "../../lib/log";
import type { Gateway } from "../gateway";
import { recordingMetrics } from "../metrics";
import type { Readiness } from "../readiness";
import type { AgentIdentity } from "../identity/types";
import { sendJson, sendProblem } from "../protocols/http/problem";
import { openApiDocument } from "./openapi";
import { getApproval, getConnections, getSchema, postQuery } from "./v1";

// The gateway's HTTP listener: health, metrics, the agents' REST API and the MCP endpoint.

/** The MCP door, served on this listener at /mcp once the request is authenticated (wired by main.ts). */
export interface McpEndpoint {
  handle(agent: AgentIdentity, request: IncomingMessage, response: ServerResponse): Promise<void>;
}

export interface HttpDoorOptions {
  readonly gateway: Gateway;
  readonly mcp: McpEndpoint;
  readonly log: Logger;
  /** Readiness: the store and every connection's target answer. */
  readonly ready: () => Promise<Readiness>;
}

const AUTH_STATUS: Record<string, number> = { oidc_unavailable: 503 };

export function createHttpServer({ gateway, mcp, log, ready }: HttpDoorOptions): http.Server {
  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://gateway");
    const path = url.pathname;
    const method = request.method ?? "GET";

    if (method === "GET" && path === "/healthz") return sendJson(response, 200, { status: "ok" });
    if (method === "GET" && path === "/readyz") {
      const state = await ready();
      return sendJson(response, state.ready ? 200 : 503, { status: state.ready ? "ready" : "not ready", ...state.checks, recording: state.recording });
    }
    if (method === "GET" && path === "/metrics") {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      return response.end(gateway.metrics.render() + recordingMetrics(gateway.recorder.health()));
    }
    // The API's description is public: it says how to call Airlock, nothing about any database.
    if (method === "GET" && path === "/v1/openapi.json") return sendJson(response, 200, openApiDocument());
    if (!path.startsWith("/v1/") && path !== "/mcp") {
      return sendProblem(response, { status: 404, code: "not_found", title: "No such endpoint" });
    }

    const auth = await gateway.authenticator.authenticate(request.headers.authorization);
    if (!auth.ok) {
      log.info("agent.refused", { code: auth.code, path, addr: request.socket.remoteAddress });
      gateway.metrics.error(auth.code);
      return sendProblem(response, { status: AUTH_STATUS[auth.code] ?? 401, code: auth.code, title: auth.message }, { "www-authenticate": 'Bearer realm="airlock"' });
    }
    const agent = auth.agent;

    if (path === "/mcp") return mcp.handle(agent, request, response);
    if (method === "POST" && path === "/v1/query") return postQuery(gateway, agent, request, response);
    if (method === "GET" && path === "/v1/connections") return getConnections(gateway, agent, response);
    const schema = /^\/v1\/connections\/([^/]+)\/schema$/.exec(path);
    if (method === "GET" && schema) return getSchema(gateway, agent, decodeURIComponent(schema[1]!), response);
    const approval = /^\/v1\/approvals\/([^/]+)$/.exec(path);
    if (method === "GET" && approval) return getApproval(gateway, agent, decodeURIComponent(approval[1]!), url, request, response);
    return sendProblem(response, { status: 404, code: "not_found", title: "No such endpoint" });
  };

  return http.createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      log.error("http.unhandled", { error: errorMessage(error), path: request.url?.split("?")[0] });
      gateway.metrics.error("internal");
      if (!response.headersSent) sendProblem(response, { status: 500, code: "internal", title: "The gateway failed on this request" });
      else response.destroy();
    });
  });
}
