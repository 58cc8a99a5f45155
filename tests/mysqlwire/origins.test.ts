import mysql from "mysql2/promise";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createGatewayFixture, MYSQL_CONNECTION, targetQuery, type GatewayFixture } from "../gateway/support";
import { startMysqlDoor, type MysqlDoor } from "./support";

// Masks follow a value wherever the statement takes it: an alias, an expression, a view made on the target (and a
// view of that view), and free text that holds a card number in a column no rule names — on the MySQL door as on
// every other.

let fx: GatewayFixture;
let door: MysqlDoor;
let stored: { ssn: string; card_number: string };

beforeAll(async () => {
  fx = await createGatewayFixture("mysqlwire_origins");
  await targetQuery(fx, MYSQL_CONNECTION, "CREATE VIEW people AS SELECT id, ssn AS tax_id, card_number AS pan FROM customers");
  await targetQuery(fx, MYSQL_CONNECTION, "CREATE VIEW people_again AS SELECT id, tax_id AS t FROM people");
  await targetQuery(fx, MYSQL_CONNECTION, "CREATE TABLE notes (id INT PRIMARY KEY, body TEXT NOT NULL)");
  await targetQuery(fx, MYSQL_CONNECTION, "INSERT INTO notes VALUES (1, 'card on file 4111 1111 1111 1111, call back')");
  stored = (await targetQuery<{ ssn: string; card_number: string }>(fx, MYSQL_CONNECTION, "SELECT ssn, card_number FROM customers WHERE id = 1"))[0]!;
  door = await startMysqlDoor(fx);
});

afterAll(async () => {
  await door?.stop();
  await fx?.cleanup();
});

test("aliases, expressions, views and views of views keep their masks; free text is scrubbed", async () => {
  const client = await door.client(fx.tokens.valid);
  const cases = [
    "SELECT ssn AS x FROM customers WHERE id = 1",
    "SELECT CONCAT('ssn: ', ssn) AS x FROM customers WHERE id = 1",
    "SELECT tax_id AS x FROM people WHERE id = 1",
    "SELECT t AS x FROM people_again WHERE id = 1",
    "SELECT pan AS x FROM people WHERE id = 1",
  ];
  for (const sql of cases) {
    const [rows] = await client.query<mysql.RowDataPacket[]>(sql).catch((error: { sqlMessage?: string }) => [[{ x: `refused: ${error.sqlMessage}` }]] as never);
    const value = String(rows[0]!.x);
    expect(value, sql).not.toContain(stored.ssn);
    expect(value, sql).not.toContain(stored.card_number);
  }
  const [notes] = await client.execute<mysql.RowDataPacket[]>("SELECT body FROM notes WHERE id = ?", [1]);
  expect(notes[0]!.body).toMatch(/card on file \*{4} \*{4} \*{4} 1111, call back/);
});
