import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { approve, createGatewayFixture, getApproval, query, startGateway, targetQuery, type GatewayFixture, type RunningGateway, type ShopConnection } from "./support";

// Texts of several statements through the HTTP door: one transaction, all or nothing, on PostgreSQL and MariaDB.
// Transaction control is refused there (each request is its own transaction: a BEGIN would hold nothing, a
// ROLLBACK would undo nothing), with a message saying what to do instead.

let fx: GatewayFixture;
let gw: RunningGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("transactions");
  gw = await startGateway(fx);
});

afterAll(async () => {
  await gw?.stop();
  await fx?.cleanup();
});

async function amount(connection: ShopConnection, id: number): Promise<number> {
  const [row] = await targetQuery<{ amount_cents: number | string }>(fx, connection, connection === "shop_pg" ? "SELECT amount_cents FROM orders WHERE id = $1" : "SELECT amount_cents FROM orders WHERE id = ?", [id]);
  return Number(row!.amount_cents);
}

/** Sends the text, approves the request it waits on, and answers the outcome of running it. */
async function approvedRun(connection: ShopConnection, sql: string) {
  const pending = await query(gw.url, fx.tokens.valid, { connection, sql });
  expect(pending.status, pending.text).toBe(202);
  const id = pending.body.approval.id as string;
  await approve(fx, id);
  return getApproval(gw.url, fx.tokens.valid, id, 10);
}

describe.each(["shop_pg", "shop_mysql"] as const)("%s", (connection) => {
  // A statement that fails at run time on each engine (the table does not exist).
  const failing = "UPDATE no_such_table SET x = 1 WHERE id = 1";

  test("every statement runs, in order, and each answers its own result", async () => {
    const before = [await amount(connection, 1), await amount(connection, 2)];
    const done = await approvedRun(connection, "UPDATE orders SET amount_cents = amount_cents + 1 WHERE id = 1; UPDATE orders SET amount_cents = amount_cents + 2 WHERE id = 2; SELECT id FROM orders WHERE id = 1");
    expect(done.status, done.text).toBe(200);
    expect(done.body.results?.map((result) => result.command)).toEqual(["UPDATE", "UPDATE", "SELECT"]);
    expect([await amount(connection, 1), await amount(connection, 2)]).toEqual([before[0]! + 1, before[1]! + 2]);
  });

  test("a statement that fails undoes the ones before it: nothing is applied", async () => {
    const before = await amount(connection, 3);
    const done = await approvedRun(connection, `UPDATE orders SET amount_cents = amount_cents + 100 WHERE id = 3; ${failing}`);
    expect(done.status, done.text).toBe(422);
    expect(done.body.code).toBe("target_error");
    expect(await amount(connection, 3)).toBe(before);
  });

  test("BEGIN, COMMIT, ROLLBACK and SAVEPOINT are refused with what to do instead, alone or inside a text", async () => {
    for (const sql of ["BEGIN", "COMMIT", "ROLLBACK", "START TRANSACTION", "SELECT 1; COMMIT; SELECT 2", "SAVEPOINT s1"]) {
      const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
      expect(answer.status, `${sql}: ${answer.text}`).toBe(422);
      expect(answer.body.code).toBe("transaction_control");
      expect(answer.body.title).toMatch(/one text/);
    }
  });

  test("a text with transaction control is refused even once approved: nothing of it runs", async () => {
    const before = await amount(connection, 4);
    const pending = await query(gw.url, fx.tokens.valid, { connection, sql: "COMMIT; UPDATE orders SET amount_cents = 0 WHERE id = 4" });
    if (pending.status === 202) {
      await approve(fx, pending.body.approval.id as string);
      const done = await getApproval(gw.url, fx.tokens.valid, pending.body.approval.id as string, 10);
      expect(done.status, done.text).toBe(422);
      expect(done.body.code).toBe("transaction_control");
    } else expect(pending.body.code).toBe("transaction_control");
    expect(await amount(connection, 4)).toBe(before);
  });
});

test("shop_pg: a read-only connection stays read-only across a text of several statements", async () => {
  await fx.store.connection.update({ where: { id: fx.connections.shop_pg.id }, data: { readOnly: true } });
  try {
    // the connection's settings are re-read when the row changes
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = await amount("shop_pg", 5);
    const done = await approvedRun("shop_pg", "SELECT 1; UPDATE orders SET amount_cents = 1 WHERE id = 5");
    expect(done.status, done.text).toBe(422);
    expect(done.text).toMatch(/read-only|25006/);
    expect(await amount("shop_pg", 5)).toBe(before);
  } finally {
    await fx.store.connection.update({ where: { id: fx.connections.shop_pg.id }, data: { readOnly: false } });
  }
});
