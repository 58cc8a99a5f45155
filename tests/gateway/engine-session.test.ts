import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type pg from "pg";
import { validatePolicy } from "../../lib/policy";
import { failure, startWireGateway, type WireGateway } from "../pgwire/support";
import {
  ORDERS,
  approve,
  createGatewayFixture,
  getApproval,
  query,
  request,
  targetQuery,
  type GatewayFixture,
  type RunningGateway,
} from "./support";

// What the doors get from going through engine.open / EngineSession, on a real gateway (HTTP, MCP and the
// PostgreSQL door) in front of a real PostgreSQL target:
//   - schema descriptions are decided with the agent's name, as statements are (a rule scoped by name);
//   - a grant revoked while a wire session is open stops its next statement (42501, nothing runs);
//   - a grant revoked while an approval waits: the approved statement is refused (no_grant), not run, not consumed;
//   - refusals carry hints on HTTP and MCP.

const WIRE_CONNECTION = "es_wire";
const APPROVAL_CONNECTION = "es_approval";
const WAITING_CONNECTION = "es_waiting";
const GRANT_CACHE_PASSED_MS = 1_200; // grants are cached for at most 500 ms

let fx: GatewayFixture;
let wire: WireGateway;
let gw: RunningGateway;
/** A second agent in the same group (so it holds the same grants) that the name-scoped rule does not name. */
let peer: { id: string; name: string; token: string };
const connectionIds: Record<string, string> = {};
const mcpClients: Client[] = [];

beforeAll(async () => {
  fx = await createGatewayFixture("engine_session");
  const peerRow = await fx.store.agent.create({ data: { name: `peer-agent-${Date.now().toString(36)}`, groups: ["engineering"] } });
  peer = { id: peerRow.id, name: peerRow.name, token: (await fx.issueToken(peerRow.id)).token };

  // orders.status is masked for the test agent only, named by its *name* (not its id).
  const parsed = validatePolicy({
    version: 1,
    id: "mask-by-agent-name",
    name: "Mask order status for one agent, by name",
    rules: [
      {
        id: "mask-status-for-named-agent",
        name: "Order status is hidden from the named agent",
        scope: { connections: ["shop_pg"], agents: [fx.agent.name] },
        action: { type: "mask", columns: ["orders.status"], strategy: { kind: "redact" } },
      },
    ],
  });
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed.errors)}`);
  const document = JSON.parse(JSON.stringify(parsed.policy)) as object;
  await fx.store.policy.create({
    data: { name: parsed.policy.name, description: "", priority: 30, document, revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id, comment: "engine-session tests" } } },
  });

  // Connections of their own (same target, granted to "engineering"), so revoking their grants touches nothing else.
  const shop = await fx.store.connection.findUniqueOrThrow({ where: { name: "shop_pg" } });
  for (const name of [WIRE_CONNECTION, APPROVAL_CONNECTION, WAITING_CONNECTION]) {
    const added = await fx.addConnection({ name, engine: "postgres", host: shop.host, port: shop.port, database: shop.database, username: shop.username, password: fx.targetPasswords.pg });
    connectionIds[name] = added.id;
  }
  await targetQuery(fx, "shop_pg", "CREATE TABLE engine_marks (marker text NOT NULL)");

  wire = await startWireGateway(fx);
  gw = wire.gateway;
});

afterAll(async () => {
  for (const client of mcpClients) await client.close().catch(() => undefined);
  await wire?.stop();
  await fx?.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deletes every grant of a connection, then waits until no cached grant can still let a statement through. */
async function revokeGrants(connection: string): Promise<void> {
  const { count } = await fx.store.grant.deleteMany({ where: { connectionId: connectionIds[connection] } });
  expect(count).toBeGreaterThan(0);
  await sleep(GRANT_CACHE_PASSED_MS);
}

async function mcpClient(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: "airlock-engine-session-tests", version: "1.0.0" });
  await client.connect(transport);
  mcpClients.push(client);
  return client;
}

async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<{ isError: boolean; text: string; structured: unknown }> {
  const answer = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { text: string }[]; structuredContent?: unknown };
  return { isError: answer.isError === true, text: answer.content.map((part) => part.text).join("\n"), structured: answer.structuredContent };
}

interface Schema {
  readonly tables: { name: string; columns: { name: string; masked?: { strategy: string } }[] }[];
}

/** Each column of a table in a schema description, with its masking strategy (null: not masked). */
function maskedColumns(schema: Schema, table: string): Record<string, string | null> {
  const found = schema.tables.find((candidate) => candidate.name === table);
  expect(found, `table ${table} in ${JSON.stringify(schema).slice(0, 300)}`).toBeDefined();
  return Object.fromEntries(found!.columns.map((column) => [column.name, column.masked?.strategy ?? null]));
}

describe("schema descriptions are decided with the agent's name", () => {
  test("GET /v1/connections/:name/schema marks a column masked by a name-scoped rule for that agent only", async () => {
    const schemaOf = (token: string) => request<Schema>(`${gw.url}/v1/connections/shop_pg/schema`, { token });
    const [named, other] = await Promise.all([schemaOf(fx.tokens.valid), schemaOf(peer.token)]);
    expect(named.status, named.text).toBe(200);
    expect(other.status, other.text).toBe(200);
    expect(maskedColumns(named.body, "orders")).toEqual({ id: null, customer_id: null, amount_cents: null, status: "redact" });
    expect(maskedColumns(other.body, "orders")).toEqual({ id: null, customer_id: null, amount_cents: null, status: null });
    // The rules every agent gets still mark their columns for both.
    for (const schema of [named.body, other.body]) expect(maskedColumns(schema, "customers").card_number).toBe("card");
  });

  test("the MCP describe_schema tool agrees", async () => {
    const [named, other] = await Promise.all([mcpClient(fx.tokens.valid), mcpClient(peer.token)]);
    const describeOrders = async (client: Client) => {
      const answer = await callTool(client, "describe_schema", { connection: "shop_pg" });
      expect(answer.isError, answer.text.slice(0, 300)).toBe(false);
      // The tool's structured form names each masked column's strategy.
      const tables = (answer.structured as { tables: { name: string; columns: { name: string; masked?: string }[] }[] }).tables;
      return tables.find((table) => table.name === "orders")?.columns.find((column) => column.name === "status")?.masked ?? null;
    };
    expect(await describeOrders(named)).toBe("redact");
    expect(await describeOrders(other)).toBeNull();
  });

  test("a SELECT of that column comes back masked for the named agent, as its schema says, and raw for the other", async () => {
    const sql = "SELECT status FROM orders ORDER BY id";
    const named = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql });
    expect(named.status, named.text).toBe(200);
    expect(named.body.rows).toEqual(ORDERS.map(() => ["****"]));
    expect(named.body.masked).toEqual([expect.objectContaining({ column: "status", strategy: "redact" })]);

    const other = await query(gw.url, peer.token, { connection: "shop_pg", sql });
    expect(other.status, other.text).toBe(200);
    expect(other.body.rows).toEqual(ORDERS.map((order) => [order.status]));
    expect(other.body.masked).toEqual([]);
  });
});

describe("a grant revoked mid-session on the PostgreSQL door", () => {
  test("the open session's next statement is refused with 42501 and does not run", async () => {
    const client: pg.Client = await wire.client(fx.tokens.valid, WIRE_CONNECTION);
    const before = await client.query("SELECT count(*)::int AS n FROM orders");
    expect(before.rows).toEqual([{ n: ORDERS.length }]);

    await revokeGrants(WIRE_CONNECTION);

    // Were the statement let through, it would wait for approval: approve it at once, so it would really run.
    client.on("notice", (notice: { message?: string }) => {
      const id = /approval ([0-9a-f-]{36})/.exec(notice.message ?? "")?.[1];
      if (id) void approve(fx, id).catch(() => undefined);
    });
    const marker = `revoked-${Date.now().toString(36)}`;
    const error = await failure(client.query(`INSERT INTO engine_marks (marker) VALUES ('${marker}')`));
    expect(error.code).toBe("42501");
    expect(error.message).toMatch(/no grant/);
    await sleep(300);
    expect(await targetQuery(fx, "shop_pg", "SELECT marker FROM engine_marks WHERE marker = $1", [marker])).toEqual([]);
    expect(await fx.store.approvalRequest.count({ where: { connectionId: connectionIds[WIRE_CONNECTION] } })).toBe(0);
  });
});

describe("a grant revoked while an approval waits", () => {
  test("the approved statement answers 403 no_grant, does not run, and its approval is not consumed", async () => {
    const amount = async () => Number((await targetQuery<{ a: number }>(fx, "shop_pg", "SELECT amount_cents AS a FROM orders WHERE id = 1"))[0]!.a);
    const before = await amount();
    const pending = await query(gw.url, fx.tokens.valid, { connection: APPROVAL_CONNECTION, sql: "UPDATE orders SET amount_cents = amount_cents + 5 WHERE id = 1" });
    expect(pending.status, pending.text).toBe(202);
    const id = pending.body.approval.id;
    await approve(fx, id);

    await revokeGrants(APPROVAL_CONNECTION);

    const answer = await getApproval(gw.url, fx.tokens.valid, id, 0);
    expect(answer.status, answer.text).toBe(403);
    expect(answer.body.code).toBe("no_grant");
    expect(answer.body.hints.length).toBeGreaterThan(0);
    expect(await amount()).toBe(before);
    const stored = await fx.store.approvalRequest.findUniqueOrThrow({ where: { id }, select: { status: true } });
    expect(stored.status).toBe("approved");
  });

  test("revoked during the wait itself, then approved: the waiting request answers 403 no_grant and nothing runs", async () => {
    const amount = async () => Number((await targetQuery<{ a: number }>(fx, "shop_pg", "SELECT amount_cents AS a FROM orders WHERE id = 2"))[0]!.a);
    const before = await amount();
    const answer = query(gw.url, fx.tokens.valid, { connection: WAITING_CONNECTION, sql: "UPDATE orders SET amount_cents = amount_cents + 7 WHERE id = 2", wait: 20 });
    let id: string | undefined;
    for (let i = 0; i < 100 && id === undefined; i++) {
      await sleep(100);
      id = (await fx.store.approvalRequest.findFirst({ where: { connectionId: connectionIds[WAITING_CONNECTION], status: "pending" }, select: { id: true } }))?.id;
    }
    expect(id).toBeDefined();
    await revokeGrants(WAITING_CONNECTION);
    await approve(fx, id!);
    const done = await answer;
    expect(done.status, done.text).toBe(403);
    expect(done.body.code).toBe("no_grant");
    expect(await amount()).toBe(before);
    const stored = await fx.store.approvalRequest.findUniqueOrThrow({ where: { id }, select: { status: true } });
    expect(stored.status).toBe("approved");
  });
});

describe("refusals carry hints on every door", () => {
  test("HTTP: an unknown connection is 404 unknown_connection with hints", async () => {
    const answer = await query(gw.url, fx.tokens.valid, { connection: "no_such_connection", sql: "SELECT 1" });
    expect(answer.status, answer.text).toBe(404);
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(answer.body.code).toBe("unknown_connection");
    expect(answer.body.hints.length).toBeGreaterThan(0);
    for (const hint of answer.body.hints) expect(hint.trim()).not.toBe("");
  });

  test("MCP: run_query on an unknown connection is a tool error naming unknown_connection, with a Hint: line", async () => {
    const client = await mcpClient(fx.tokens.valid);
    const answer = await callTool(client, "run_query", { connection: "no_such_connection", sql: "SELECT 1" });
    expect(answer.isError).toBe(true);
    expect(answer.text).toContain("unknown_connection");
    expect(answer.text).toMatch(/^Hint: \S.+$/m);
  });
});
