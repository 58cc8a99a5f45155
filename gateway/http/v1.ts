import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { EngineError } from "../engine/errors";
import type { AgentIdentity } from "../identity/types";
import type { Gateway } from "../gateway";
import { readJsonBody } from "./body";
import { sendEngineError, sendOutcome } from "./outcome";
import { sendJson, sendProblem } from "./problem";

// The agents' REST API:
//   POST /v1/query                      run a statement (200 result, 202 approval, 403 blocked)
//   GET  /v1/approvals/:id?wait=N       wait on a paused statement; once approved, run it once
//   GET  /v1/connections                the connections this agent may use
//   GET  /v1/connections/:name/schema   their tables and columns, masked columns marked

const MAX_WAIT_SECONDS = 300;
const param = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const queryBody = z.strictObject({
  connection: z.string().min(1).max(128),
  sql: z.string().min(1, "sql must not be empty"),
  params: z.array(param).max(1000).default([]),
  wait: z.number().min(0).max(MAX_WAIT_SECONDS).default(0),
});

export async function postQuery(gateway: Gateway, agent: AgentIdentity, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readJsonBody(request, queryBody, gateway.limits.maxSqlBytes + 64 * 1024);
  if (!body.ok) return sendProblem(response, body.problem);
  const { connection: name, sql, params, wait } = body.value;
  const access = await gateway.authorize(agent, name);
  if (!access.ok) return sendProblem(response, { status: access.code === "unknown_connection" ? 404 : 403, code: access.code, title: access.message });
  const sessionId = await gateway.httpSession(agent, access.connection, request);
  try {
    const outcome = await gateway.engine.submit({
      agent,
      connection: access.connection,
      sessionId,
      sql,
      params,
      waitMs: wait * 1000,
      signal: abortOnClose(request, response),
    });
    sendOutcome(response, outcome);
  } catch (error) {
    if (error instanceof EngineError && error.code === "recording_unavailable") gateway.forgetHttpSession(sessionId);
    if (error instanceof EngineError) return sendEngineError(response, error);
    throw error;
  }
}

export async function getApproval(gateway: Gateway, agent: AgentIdentity, id: string, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const wait = Number(url.searchParams.get("wait") ?? 0);
  if (!Number.isFinite(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) {
    return sendProblem(response, { status: 400, code: "invalid_request", title: `wait must be between 0 and ${MAX_WAIT_SECONDS} seconds` });
  }
  try {
    sendOutcome(response, await gateway.engine.resume(agent, id, wait * 1000, abortOnClose(request, response)));
  } catch (error) {
    if (error instanceof EngineError) return sendEngineError(response, error);
    throw error;
  }
}

export async function getConnections(gateway: Gateway, agent: AgentIdentity, response: ServerResponse): Promise<void> {
  sendJson(response, 200, { connections: await gateway.connections(agent) });
}

export async function getSchema(gateway: Gateway, agent: AgentIdentity, name: string, response: ServerResponse): Promise<void> {
  const access = await gateway.authorize(agent, name);
  if (!access.ok) return sendProblem(response, { status: access.code === "unknown_connection" ? 404 : 403, code: access.code, title: access.message });
  try {
    sendJson(response, 200, await gateway.schema(agent, access.connection));
  } catch (error) {
    if (error instanceof EngineError) return sendEngineError(response, error);
    throw error;
  }
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
