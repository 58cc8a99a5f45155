import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decideApproval } from "../../lib/approvals/decide";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CUSTOMERS,
  approve,
  createGatewayFixture,
  leakedSecrets,
  startGateway,
  targetQuery,
  type GatewayFixture,
  type RunningGateway,
} from "./support";

// The MCP door, driven by the MCP SDK's own client over Streamable HTTP, as Claude Code would.

let fx: GatewayFixture;
let gw: RunningGateway;
const clients: Client[] = [];

beforeAll(async () => {
  fx = await createGatewayFixture("mcp");
  gw = await startGateway(fx);
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await gw?.stop();
  await fx?.cleanup();
});

async function connect(token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "airlock-gateway-tests", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return { client, transport };
}

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[] };

/**
 * The JSON text of a tool's answer, by the fields these tests read: list_connections, describe_schema, and
 * run_query / await_approval (a result, or a pending approval). One answer holds only the fields of its kind.
 */
interface ToolJson {
  readonly connections: { name: string; engine: string; description: string; readOnly: boolean }[];
  readonly tables: { schema: string; name: string; columns: { name: string; type: string; masked?: { strategy: string } }[] }[];
  readonly hints: string[];
  readonly columns: { name: string; type: string }[];
  readonly rows: unknown[][];
  readonly rowCount: number;
  readonly masked: { column: string; strategy: string }[];
  readonly status: string;
  readonly approval_id: string;
  readonly approve_at: string;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ answer: ToolAnswer; text: string; json: ToolJson }> {
  const answer = (await client.callTool({ name, arguments: args })) as ToolAnswer;
  const text = answer.content.map((part) => part.text).join("\n");
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  // Null when the text is not JSON (a tool error's message); the tests read `json` only from JSON answers.
  return { answer, text, json: json as ToolJson };
}

describe("an agent with a grant", () => {
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  beforeAll(async () => {
    ({ client, transport } = await connect(fx.tokens.valid));
  });

  test("lists the four tools with their annotations", async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()].sort()).toEqual(["await_approval", "describe_schema", "list_connections", "run_query"]);
    expect(byName.get("list_connections")!.annotations?.readOnlyHint).toBe(true);
    expect(byName.get("describe_schema")!.annotations?.readOnlyHint).toBe(true);
    expect(byName.get("run_query")!.annotations?.readOnlyHint).toBe(false);
    expect(byName.get("run_query")!.annotations?.destructiveHint).toBe(true);
    expect(byName.get("await_approval")!.annotations?.destructiveHint).toBe(true);
    const runQuery = byName.get("run_query")!.inputSchema as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(runQuery.properties)).toEqual(expect.arrayContaining(["connection", "sql", "params", "wait_seconds", "reason"]));
    expect(runQuery.required).toEqual(expect.arrayContaining(["connection", "sql"]));
    for (const tool of tools) expect(tool.description?.length ?? 0).toBeGreaterThan(10);
  });

  test("list_connections names the granted connections", async () => {
    const { answer, json } = await call(client, "list_connections");
    expect(answer.isError).toBeFalsy();
    const names = (json.connections as { name: string }[]).map((connection) => connection.name).sort();
    expect(names).toEqual(["shop_mysql", "shop_pg"]);
  });

  test.each(["shop_pg", "shop_mysql"])("describe_schema on %s marks the masked columns", async (connection) => {
    const { answer, json } = await call(client, "describe_schema", { connection });
    expect(answer.isError, JSON.stringify(answer)).toBeFalsy();
    const customers = (json.tables as { name: string; columns: { name: string; masked?: { strategy: string } }[] }[]).find((table) => table.name === "customers")!;
    expect(customers).toBeDefined();
    const masked = Object.fromEntries(customers.columns.map((column) => [column.name, column.masked?.strategy ?? null]));
    expect(masked).toEqual({ id: null, name: null, email: "email", card_number: "card", card_last4: null, ssn: "redact" });
    const orders = (json.tables as { name: string; columns: { masked?: unknown }[] }[]).find((table) => table.name === "orders")!;
    expect(orders.columns.every((column) => !column.masked)).toBe(true);
    expect(json.hints.join(" ")).toMatch(/card_number/);
  });

  test("describe_schema on an unknown connection is a tool error", async () => {
    const { answer, text } = await call(client, "describe_schema", { connection: "no_such_db" });
    expect(answer.isError).toBe(true);
    expect(text).toMatch(/no_such_db/);
  });

  test.each(["shop_pg", "shop_mysql"])("run_query SELECT on %s returns masked rows", async (connection) => {
    const { answer, text, json } = await call(client, "run_query", { connection, sql: "SELECT id, name, card_number, card_last4, ssn, email FROM customers ORDER BY id" });
    expect(answer.isError, text.slice(0, 400)).toBeFalsy();
    expect(leakedSecrets(text)).toEqual([]);
    expect(json.rowCount).toBe(CUSTOMERS.length);
    expect(json.columns.map((column: { name: string }) => column.name)).toEqual(["id", "name", "card_number", "card_last4", "ssn", "email"]);
    const first = json.rows[0] as string[];
    expect(first[1]).toBe(CUSTOMERS[0]!.name);
    expect(first[2]).not.toBe(CUSTOMERS[0]!.cardNumber);
    expect(first[2]).toContain(CUSTOMERS[0]!.cardLast4);
    expect(first[3]).toBe(CUSTOMERS[0]!.cardLast4);
    expect(first[4]).not.toBe(CUSTOMERS[0]!.ssn);
    expect(first[5]).not.toContain(CUSTOMERS[0]!.email.split("@")[0]);
    expect(json.masked.map((m: { column: string }) => m.column).sort()).toEqual(["card_number", "email", "ssn"]);
  });

  test("run_query with parameters binds them", async () => {
    const { answer, json } = await call(client, "run_query", { connection: "shop_pg", sql: "SELECT status FROM orders WHERE id = $1", params: [3] });
    expect(answer.isError).toBeFalsy();
    expect(json.rows).toEqual([["paid"]]);
  });

  test.each([
    ["shop_pg", "DROP TABLE customers"],
    ["shop_mysql", "DROP TABLE customers"],
    ["shop_pg", "DELETE FROM orders"],
    ["shop_mysql", "SELECT id FROM customers WHERE card_number LIKE '4%'"],
  ])("a blocked statement on %s (%s) is a tool error with the reason", async (connection, sql) => {
    const { answer, text } = await call(client, "run_query", { connection, sql });
    expect(answer.isError).toBe(true);
    expect(text).toMatch(/^Blocked by Airlock policy \((airlock-defaults|shop-test)\/[\w-]+\): .+/);
    if (sql.startsWith("DELETE")) expect(text).toMatch(/WHERE/);
    const tables = await targetQuery(fx, connection as "shop_pg" | "shop_mysql", "SELECT COUNT(*) AS n FROM customers");
    expect(Number((tables[0] as { n: number }).n)).toBe(CUSTOMERS.length);
  });

  test.each(["shop_pg", "shop_mysql"])("an UPDATE on %s is pending; once approved, await_approval returns its result, once", async (connection) => {
    const amount = async () => Number((await targetQuery<{ a: number }>(fx, connection as "shop_pg", "SELECT amount_cents AS a FROM orders WHERE id = 2"))[0]!.a);
    const before = await amount();
    const pending = await call(client, "run_query", { connection, sql: "UPDATE orders SET amount_cents = amount_cents + 11 WHERE id = 2" });
    expect(pending.answer.isError, pending.text).toBeFalsy();
    expect(pending.json.status).toBe("pending_approval");
    const approvalId = pending.json.approval_id as string;
    expect(approvalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(pending.json.approve_at).toContain(approvalId);
    expect(await amount()).toBe(before);

    const early = await call(client, "await_approval", { approval_id: approvalId, wait_seconds: 0 });
    expect(early.answer.isError).toBeFalsy();
    expect(early.json.status).toBe("pending_approval");

    await approve(fx, approvalId);
    const done = await call(client, "await_approval", { approval_id: approvalId, wait_seconds: 10 });
    expect(done.answer.isError, done.text).toBeFalsy();
    expect(done.json.rowCount).toBe(1);
    expect(await amount()).toBe(before + 11);

    const replay = await call(client, "await_approval", { approval_id: approvalId, wait_seconds: 0 });
    expect(replay.answer.isError).toBe(true);
    expect(replay.text).toMatch(/approval_used/);
    expect(await amount()).toBe(before + 11);
  });

  test("run_query's reason goes to the approvers, and the approver's comment comes back with the result", async () => {
    const pending = await call(client, "run_query", { connection: "shop_pg", sql: "UPDATE orders SET status = 'paid' WHERE id = 6", reason: "the payment cleared this morning" });
    expect(pending.json.status, pending.text).toBe("pending_approval");
    const approvalId = pending.json.approval_id as string;
    expect((await fx.store.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } })).reason).toBe("the payment cleared this morning");
    expect((await decideApproval(fx.store, { requestId: approvalId, userId: fx.users.approver.id, verdict: "approve", reason: "checked in the ledger" })).ok).toBe(true);
    const done = await call(client, "await_approval", { approval_id: approvalId, wait_seconds: 10 });
    expect(done.answer.isError, done.text).toBeFalsy();
    expect((done.json as unknown as { approval: { approver_comments: { comment: string }[] } }).approval.approver_comments[0]!.comment).toBe("checked in the ledger");
  });

  test("the MCP session is recorded as its own session, front door mcp", async () => {
    const sessionId = transport.sessionId!;
    expect(sessionId).toBeTruthy();
    await gw.recorded();
    const sessions = await fx.store.agentSession.findMany({ where: { frontDoor: "mcp", clientKey: `mcp:${sessionId}` } });
    expect(sessions.length).toBeGreaterThanOrEqual(1);
    for (const session of sessions) expect(session.agentId).toBe(fx.agent.id);
    const events = await fx.store.sessionEvent.findMany({ where: { sessionId: { in: sessions.map((session) => session.id) } } });
    const types = new Set(events.map((event) => event.type));
    for (const type of ["statement", "decision", "result", "approval_wait", "approval_outcome"]) expect(types).toContain(type);
    expect(leakedSecrets(JSON.stringify(events.map((event) => event.payload)))).toEqual([]);
  });

  test("another agent cannot use this MCP session id (404), nor await this agent's approval", async () => {
    const sessionId = transport.sessionId!;
    const body = { jsonrpc: "2.0", id: 99, method: "tools/list", params: {} };
    const headers = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": sessionId,
      "mcp-protocol-version": transport.protocolVersion ?? "2025-03-26",
    };
    const stranger = await fetch(`${gw.url}/mcp`, { method: "POST", headers: { ...headers, authorization: `Bearer ${fx.tokens.other}` }, body: JSON.stringify(body) });
    expect(stranger.status).toBe(404);
    expect(stranger.headers.get("content-type")).toMatch(/problem\+json/);
    expect(((await stranger.json()) as { code: string }).code).toBe("mcp_session_not_found");
    const strangerCall = await fetch(`${gw.url}/mcp`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${fx.tokens.other}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 100, method: "tools/call", params: { name: "run_query", arguments: { connection: "shop_pg", sql: "SELECT 1" } } }),
    });
    expect(strangerCall.status).toBe(404);

    // The owner can still use it.
    const { answer } = await call(client, "list_connections");
    expect(answer.isError).toBeFalsy();

    // The other agent, in a session of its own, sees no connections and cannot touch this agent's approval.
    const pending = await call(client, "run_query", { connection: "shop_pg", sql: "UPDATE orders SET status = status WHERE id = 3" });
    expect(pending.json.status).toBe("pending_approval");
    const other = await connect(fx.tokens.other);
    const theirs = await call(other.client, "list_connections");
    expect(theirs.json.connections).toEqual([]);
    const query = await call(other.client, "run_query", { connection: "shop_pg", sql: "SELECT 1" });
    expect(query.answer.isError).toBe(true);
    await approve(fx, pending.json.approval_id);
    const stolen = await call(other.client, "await_approval", { approval_id: pending.json.approval_id, wait_seconds: 0 });
    expect(stolen.answer.isError).toBe(true);
    expect(stolen.text).toMatch(/approval_not_found/);
    const mine = await call(client, "await_approval", { approval_id: pending.json.approval_id, wait_seconds: 5 });
    expect(mine.answer.isError, mine.text).toBeFalsy();
    expect(mine.json.rowCount).toBe(1);
  });
});

describe("without credentials", () => {
  test("an unauthenticated MCP request → 401 problem+json", async () => {
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "anon", version: "0" } },
    };
    const response = await fetch(`${gw.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify(initialize),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(((await response.json()) as { code: string }).code).toBe("missing_credentials");
  });

  test("the SDK client refuses to connect with a forged or revoked token", async () => {
    await expect(connect(fx.tokens.revoked)).rejects.toThrow();
    await expect(connect("alk_AAAAAAAA_" + "A".repeat(43))).rejects.toThrow();
  });

  test("a request with a bogus session id → 404; a non-initialize request without one → 400", async () => {
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${fx.tokens.valid}` };
    const bogus = await fetch(`${gw.url}/mcp`, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": "00000000-0000-4000-8000-000000000000" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(bogus.status).toBe(404);
    const noSession = await fetch(`${gw.url}/mcp`, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }) });
    expect(noSession.status).toBe(400);
    const badJson = await fetch(`${gw.url}/mcp`, { method: "POST", headers, body: "{not json" });
    expect(badJson.status).toBe(400);
  });
});
