import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWireGateway, type WireGateway } from "../pgwire/support";
import { createGatewayFixture, query, type GatewayFixture, type ShopConnection } from "./support";

// A statement the database's grammar rejects is answered at once — with the grammar's own message, on every door —
// and recorded; it never reaches the approvals inbox. On MySQL, a statement Airlock's analysis cannot parse but the
// server accepts still goes to approval (only the target's parser can tell the two apart, asked without running).

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("syntax_errors");
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

/** The problem fields a syntax error adds. */
const where = (body: unknown) => body as { statementIndex?: number; position?: number };

const approvals = () => fx.store.approvalRequest.count({ where: { agentId: fx.agent.id } });

describe.each([
  ["shop_pg", "42601"],
  ["shop_mysql", "42000"],
] as const)("%s over HTTP", (connection: ShopConnection, sqlState) => {
  test("a typo is 400 syntax_error with the database's message and a hint, recorded, and no approval is asked for", async () => {
    const before = await approvals();
    const answer = await query(wire.gateway.url, fx.tokens.valid, { connection, sql: "SELEC oops FROM orders" });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.code).toBe("syntax_error");
    expect(answer.body.sqlState).toBe(sqlState);
    expect(`${answer.body.title} ${answer.body.detail ?? ""}`).toMatch(/syntax/i);
    expect(answer.body.hints.length).toBeGreaterThan(0);
    expect(await approvals()).toBe(before);
    await wire.gateway.recorded();
    const events = await fx.store.sessionEvent.findMany({ where: { session: { agentId: fx.agent.id, connection: { name: connection } }, type: "error" }, select: { payload: true } });
    expect(events.some((event) => (event.payload as { code?: string }).code === "syntax_error")).toBe(true);
  });

  test("a syntax error in the second statement of a text says where, and nothing is sent for approval", async () => {
    const before = await approvals();
    const answer = await query(wire.gateway.url, fx.tokens.valid, { connection, sql: "UPDATE orders SET amount_cents = 0 WHERE id = 1; SELEC oops" });
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.code).toBe("syntax_error");
    // MySQL texts are split before parsing; PostgreSQL parses the whole text and points into it
    if (connection === "shop_mysql") expect(where(answer.body).statementIndex).toBe(1);
    else expect(where(answer.body).position).toBeGreaterThan("UPDATE orders SET amount_cents = 0 WHERE id = 1;".length);
    expect(await approvals()).toBe(before);
  });
});

test("PostgreSQL: the error points at the position PostgreSQL reports", async () => {
  const sql = "SELECT id FROM orders WHER id = 1";
  const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql });
  expect(answer.status, answer.text).toBe(400);
  expect(where(answer.body).position).toBe(sql.indexOf("id = 1") + 1);
});

test("MySQL: a statement the server accepts but Airlock's analysis cannot read still goes to approval", async () => {
  const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_mysql", sql: "SELECT id FROM orders LIMIT 1 ROWS EXAMINED 10" });
  expect(answer.status, answer.text).toBe(202);
});

test("the PostgreSQL door answers 42601 with PostgreSQL's message and position, and the session goes on", async () => {
  const client = await wire.client(fx.tokens.valid, "shop_pg");
  try {
    const sql = "SELECT id FROM orders WHER id = 1";
    const error = (await client.query(sql).catch((caught: unknown) => caught)) as pg.DatabaseError;
    expect(error.code).toBe("42601");
    expect(error.message).toMatch(/syntax error at or near "id"/);
    expect(error.position).toBe(String(sql.indexOf("id = 1") + 1));
    expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  } finally {
    await client.end();
  }
});
