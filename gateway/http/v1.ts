import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dialect } from "../../lib/sql/types";
import { dialectOf } from "../engine/context";
import { EngineError } from "../engine/errors";
import type { AgentIdentity } from "../identity/types";
import type { Gateway } from "../gateway";
import { readJsonBody } from "../protocols/http/body";
import { resultLabels } from "../results/untrusted";
import { sendFailure, sendOutcome, type ResultView } from "./outcome";
import { approvalQuery, MAX_WAIT_SECONDS, queryBody, queryParams, RESULT_FORMATS, type ResultFormat } from "./schemas";
import { sendJson, sendProblem } from "../protocols/http/problem";

// The agents' REST API:
//   POST /v1/query                      run a statement (200 result, 202 approval, 403 blocked)
//   GET  /v1/approvals/:id?wait=N       wait on a paused statement; once approved, run it once
//   GET  /v1/connections                the connections this agent may use
//   GET  /v1/connections/:name/schema   their tables and columns, masked columns marked
//   GET  /v1/openapi.json               this API as OpenAPI 3.1 (public), from schemas.ts
// A result comes as `format` json (the default), csv or table (the compact form MCP answers with): the body's
// `format` field or the `?format=` query parameter.


export async function postQuery(gateway: Gateway, agent: AgentIdentity, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const asked = formatParam(new URL(request.url ?? "/", "http://gateway"));
  if (!asked.ok) return sendProblem(response, asked.problem);
  const body = await readJsonBody(request, queryBody, gateway.limits.maxSqlBytes + 64 * 1024);
  if (!body.ok) return sendProblem(response, body.problem);
  const { connection, sql, params, wait, reason } = body.value;
  const format = body.value.format ?? asked.format;
  try {
    const session = await gateway.engine.open({ agent, connection, door: "http", client: { addr: request.socket.remoteAddress ?? null, key: (connectionId) => `${clientKey(agent, request)}/${connectionId}` } });
    const outcome = await session.submit(sql, params, { waitMs: wait * 1000, signal: abortOnClose(request, response), ...(reason !== undefined ? { reason } : {}) });
    sendOutcome(response, outcome, resultView(gateway, format, sql, dialectOf(session.connection)));
  } catch (error) {
    if (error instanceof EngineError) return sendFailure(response, error);
    throw error;
  }
}

/**
 * Which recording session an HTTP request belongs to: the one its `X-Airlock-Session` header names, or else one
 * per token (or OIDC subject) and hour; one per connection.
 */
function clientKey(agent: AgentIdentity, request: IncomingMessage): string {
  const header = request.headers["x-airlock-session"];
  const named = typeof header === "string" && /^[\w.:-]{1,128}$/.test(header) ? header : null;
  return named ?? `${agent.tokenId ?? agent.subject ?? agent.agentId}@${new Date().toISOString().slice(0, 13)}`;
}

export async function getApproval(gateway: Gateway, agent: AgentIdentity, id: string, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const query = approvalQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) {
    const issue = query.error.issues[0]!;
    const title = issue.path[0] === "wait" ? `wait must be between 0 and ${MAX_WAIT_SECONDS} seconds` : `format must be one of ${RESULT_FORMATS.join(", ")}`;
    return sendProblem(response, { status: 400, code: "invalid_request", title });
  }
  const { wait } = query.data;
  const asked = { format: query.data.format ?? "json" } as const;
  try {
    // The statement's text is not at hand here: untrusted columns are recognised by name.
    sendOutcome(response, await gateway.engine.resume(agent, id, wait * 1000, abortOnClose(request, response)), resultView(gateway, asked.format));
  } catch (error) {
    if (error instanceof EngineError) return sendFailure(response, error);
    throw error;
  }
}

export async function getConnections(gateway: Gateway, agent: AgentIdentity, response: ServerResponse): Promise<void> {
  sendJson(response, 200, { connections: await gateway.connections(agent) });
}

export async function getSchema(gateway: Gateway, agent: AgentIdentity, name: string, response: ServerResponse): Promise<void> {
  try {
    sendJson(response, 200, await gateway.engine.schema(agent, name));
  } catch (error) {
    if (error instanceof EngineError) return sendFailure(response, error);
    throw error;
  }
}

/** `?format=` (json when absent). */
function formatParam(url: URL): { ok: true; format: ResultFormat } | { ok: false; problem: { status: number; code: string; title: string } } {
  const parsed = queryParams.safeParse({ format: url.searchParams.get("format") ?? undefined });
  return parsed.success
    ? { ok: true, format: parsed.data.format ?? "json" }
    : { ok: false, problem: { status: 400, code: "invalid_request", title: `format must be one of ${RESULT_FORMATS.join(", ")}` } };
}

/** How a result is written, with its untrusted columns and paging facts from the statement's analysis (when known). */
function resultView(gateway: Gateway, format: ResultFormat, sql?: string, dialect?: Dialect): ResultView {
  const untrusted = gateway.policies.current().untrustedColumns;
  // JSON needs labels only for untrusted columns: without any, the hot path reads nothing more of the statement.
  if (format === "json" && untrusted.size === 0) return { format };
  return { format, labels: resultLabels(untrusted, sql, dialect) };
}

/** Aborts the statement when the client goes away before its answer. */
function abortOnClose(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  request.once("aborted", () => controller.abort());
  return controller.signal;
}
