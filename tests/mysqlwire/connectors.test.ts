import * as mariadb from "mariadb";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGatewayFixture, MYSQL_CONNECTION, type GatewayFixture } from "../gateway/support";
import { startMysqlDoor, type MysqlDoor } from "./support";

// Other clients than mysql2: the MariaDB connector (query and execute, TLS and RSA), and statements the door must
// refuse with a hint rather than relay (LOAD DATA LOCAL INFILE reads the client's files).

let fx: GatewayFixture;
let door: MysqlDoor;

beforeAll(async () => {
  fx = await createGatewayFixture("mysqlwire_connectors");
  door = await startMysqlDoor(fx);
});

afterAll(async () => {
  await door?.stop();
  await fx?.cleanup();
});

describe("the mariadb npm connector", () => {
  test("query and execute over TLS, masked", async () => {
    const token = fx.tokens.valid;
    const connection = await mariadb.createConnection({ host: "127.0.0.1", port: door.port, user: token.slice(0, 12), password: token, database: MYSQL_CONNECTION, ssl: { rejectUnauthorized: false } });
    try {
      const rows = (await connection.query("SELECT id, card_number FROM customers ORDER BY id LIMIT 2")) as { id: number; card_number: string }[];
      expect(rows.map((row) => row.id)).toEqual([1, 2]);
      for (const row of rows) expect(row.card_number).toMatch(/^\*{4} \*{4} \*{4} \d{4}$/);
      const executed = (await connection.execute("SELECT id, ssn FROM customers WHERE id = ?", [2])) as { id: number; ssn: string }[];
      expect(executed[0]).toEqual({ id: 2, ssn: "****" });
      await expect(connection.query("DROP TABLE customers")).rejects.toMatchObject({ errno: 1227, sqlState: "42000" });
    } finally {
      await connection.end();
    }
  });

  test("without TLS, the RSA key exchange", async () => {
    const token = fx.tokens.valid;
    const connection = await mariadb.createConnection({ host: "127.0.0.1", port: door.port, user: token.slice(0, 12), password: token, database: MYSQL_CONNECTION, allowPublicKeyRetrieval: true });
    try {
      expect(await connection.query("SELECT 40 + 2 AS n")).toEqual([{ n: 42 }]);
    } finally {
      await connection.end();
    }
  });
});

describe("statements the door does not relay", () => {
  test("LOAD DATA LOCAL INFILE is refused with a hint, and no file is asked for", async () => {
    const client = await door.client(fx.tokens.valid);
    const error = await client.query("LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE orders").then(
      () => null,
      (failure: { errno?: number; sqlMessage?: string }) => failure,
    );
    expect(error).not.toBeNull();
    expect(error!.sqlMessage).toMatch(/Hint:/);
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT 1 AS still");
    expect(rows[0]!.still).toBe(1);
  });
});
