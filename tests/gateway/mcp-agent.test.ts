import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Progress, Tool } from "@modelcontextprotocol/sdk/types.js";
import { decideApproval } from "../../lib/approvals/decide";
import { CUSTOMERS, createGatewayFixture, leakedSecrets, startGateway, targetQuery, type GatewayFixture, type RunningGateway } from "./support";

// An agent's session over MCP, scripted as a model would play it, with the SDK's own client: it lists the
// connections, describes the schema, queries, gets blocked, reads the hint, fixes its statement, asks for a write
// (refused by the read-only tool, sent with `execute`), receives progress while a person decides through the
// dashboard's server side (lib/approvals/decide.ts), and gets the result.
//
// The client behaves like Claude Code: a tool annotated read-only runs at once; any other tool asks the user first.
// The session's goal: reads cost one call each and never a prompt.

let fx: GatewayFixture;
let gw: RunningGateway;
let client: Client;
let tools: Map<string, Tool>;
/** The tools the "user" was asked to allow, in order. */
const prompts: string[] = [];
/** Every tool call the "model" made. */
const calls: string[] = [];

beforeAll(async () => {
  fx = await createGatewayFixture("mcp_agent");
  gw = await startGateway(fx, { AIRLOCK_MCP_PROGRESS_MS: "250" });
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${fx.tokens.valid}` } } });
  client = new Client({ name: "scripted-agent", version: "1.0.0" });
  await client.connect(transport);
  tools = new Map((await client.listTools()).tools.map((tool) => [tool.name, tool]));
});

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await gw?.stop();
  await fx?.cleanup();
});

interface Answer {
  readonly isError: boolean;
  readonly text: string;
  readonly data: {
    status?: string;
    results?: { columns: { name: string; masked?: string }[]; rows: unknown[][]; rowCount: number }[];
    approval?: { id: string; url: string; comments?: { comment: string }[] };
    connections?: { name: string; engine: string }[];
    tables?: { name: string; columns: { name: string; masked?: string }[] }[];
  };
}

/** A tool call as the client makes it: read-only tools at once, others after asking the user. */
async function use(name: string, args: Record<string, unknown>, options?: Parameters<Client["callTool"]>[2]): Promise<Answer> {
  const tool = tools.get(name);
  expect(tool, `the server offers ${name}`).toBeDefined();
  if (tool!.annotations?.readOnlyHint !== true) prompts.push(name);
  calls.push(name);
  const answer = (await client.callTool({ name, arguments: args }, undefined, options)) as { isError?: boolean; content: { text: string }[]; structuredContent?: Answer["data"] };
  return { isError: answer.isError === true, text: answer.content.map((part) => part.text).join("\n"), data: answer.structuredContent ?? {} };
}

const hintsOf = (text: string) => text.split("\n").filter((line) => line.startsWith("Hint: ")).map((line) => line.slice("Hint: ".length));

describe("a scripted agent session", () => {
  test("lists, describes, queries, is blocked, follows the hint, asks for a write, waits with progress, is approved, gets the result", async () => {
    // 1. Where can I go?
    const connections = await use("list_connections", {});
    expect(connections.isError).toBe(false);
    const connection = connections.data.connections!.find((c) => c.engine === "postgres")!.name;

    // 2. What is there? The schema says which columns come back masked.
    const schema = await use("describe_schema", { connection });
    const customers = schema.data.tables!.find((table) => table.name === "customers")!;
    expect(customers.columns.find((column) => column.name === "card_number")!.masked).toBe("card");
    expect(schema.text).toMatch(/card_number \w+ \[masked:card\]/);

    // 3. A first try: find Visa customers by the card number itself.
    const blocked = await use("query", { connection, sql: "SELECT id, name FROM customers WHERE card_number LIKE '4%' ORDER BY id" });
    expect(blocked.isError).toBe(true);
    expect(blocked.text).toMatch(/^Blocked by Airlock policy/);
    const hints = hintsOf(blocked.text);
    expect(hints.join(" ")).toMatch(/card_number.* masked/);
    // 4. The hint names the column to use instead.
    expect(hints.join(" ")).toMatch(/card_last4/);
    const fixed = await use("query", { connection, sql: "SELECT id, name, card_last4 FROM customers WHERE card_last4 IN ('1111', '4242') ORDER BY id" });
    expect(fixed.isError, fixed.text).toBe(false);
    expect(fixed.data.results![0]!.rows).toEqual([
      [1, CUSTOMERS[0]!.name, "1111"],
      [5, CUSTOMERS[4]!.name, "4242"],
    ]);
    expect(fixed.text).toMatch(/^columns: id \| name \| card_last4$/m);
    expect(leakedSecrets(fixed.text)).toEqual([]);

    // 5. Now a change: the read-only tool refuses it and says where it belongs.
    const sql = "UPDATE orders SET status = 'refunded' WHERE id = 3";
    const refused = await use("query", { connection, sql });
    expect(refused.isError).toBe(true);
    expect(hintsOf(refused.text).join(" ")).toMatch(/`execute`/);

    // 6. With execute and a progress token: the call waits, progress arrives at once with the link, and a person
    //    approves it through the dashboard's server side after reading the link from the first notification.
    const progress: Progress[] = [];
    let decided: Promise<unknown> | undefined;
    const done = await use(
      "execute",
      { connection, sql, reason: "customer 2 returned the order; the refund went out today" },
      {
        timeout: 5_000,
        resetTimeoutOnProgress: true,
        onprogress: (update) => {
          progress.push(update);
          if (progress.length === 3) {
            const url = /https?:\/\/\S+/.exec(progress[0]!.message ?? "")![0];
            const requestId = url.split("/").pop()!;
            decided = decideApproval(fx.store, { requestId, userId: fx.users.approver.id, verdict: "approve", reason: "refund confirmed in the ledger" });
          }
        },
      },
    );
    expect(await decided).toMatchObject({ ok: true });
    expect(progress[0]!.message).toMatch(/^Waiting for a person to approve this statement \(approval [0-9a-f-]{36}/);

    // 7. The result, with the approver's comment.
    expect(done.isError, done.text).toBe(false);
    expect(done.data.status).toBe("ok");
    expect(done.data.results![0]!.rowCount).toBe(1);
    expect(done.text).toMatch(/^UPDATE: 1 row affected$/m);
    expect(done.data.approval!.comments![0]!.comment).toBe("refund confirmed in the ledger");
    expect((await targetQuery<{ status: string }>(fx, "shop_pg", "SELECT status FROM orders WHERE id = 3"))[0]!.status).toBe("refunded");

    // The user was asked once, for the write; every read was one call without a prompt.
    expect(prompts).toEqual(["execute"]);
    expect(calls).toEqual(["list_connections", "describe_schema", "query", "query", "query", "execute"]);
  });

  test("a read never needs the client's write permission: its tools are read-only, and the read-only tool runs nothing else", async () => {
    for (const name of ["list_connections", "describe_schema", "query", "explain"]) {
      const annotations = tools.get(name)!.annotations!;
      expect(annotations.readOnlyHint, name).toBe(true);
      expect(annotations.destructiveHint, name).not.toBe(true);
    }
    // What a read-only permission lets through cannot write: every write is refused before the engine.
    const before = await targetQuery(fx, "shop_pg", "SELECT id, status, amount_cents FROM orders ORDER BY id");
    for (const sql of ["DELETE FROM orders WHERE id = 1", "WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING id) SELECT id FROM d", "SELECT 1; UPDATE orders SET status = 'x' WHERE id = 1"]) {
      const refused = await use("query", { connection: "shop_pg", sql });
      expect(refused.isError, sql).toBe(true);
      expect(refused.text).toMatch(/\[not_read_only\]/);
    }
    expect(await targetQuery(fx, "shop_pg", "SELECT id, status, amount_cents FROM orders ORDER BY id")).toEqual(before);
    await gw.recorded();
    expect(await fx.store.approvalRequest.count({ where: { sqlText: { contains: "orders WHERE id = 1" } } })).toBe(0);
    // And a plain read is answered in one call.
    const read = await use("query", { connection: "shop_pg", sql: "SELECT count(*) AS n FROM orders" });
    expect(read.isError).toBe(false);
    expect(Number(read.data.results![0]!.rows[0]![0])).toBe(6);
  });
});
