import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { verifyChains } from "../../lib/audit/verify";
import { approve, createGatewayFixture, MYSQL_CONNECTION, PG_CONNECTION, targetQuery, type GatewayFixture } from "../gateway/support";
import { startMysqlDoor, type MysqlDoor } from "./support";

// The MySQL door with real clients (mysql2 with query and execute, the mariadb command-line client) against a
// real MariaDB target: the same policy, masking, approvals and recording as every other door.

let fx: GatewayFixture;
let door: MysqlDoor;

beforeAll(async () => {
  fx = await createGatewayFixture("mysqlwire");
  door = await startMysqlDoor(fx, { AIRLOCK_MYSQLWIRE_APPROVAL_WAIT_SECONDS: "1" });
});

afterAll(async () => {
  await door?.stop();
  await fx?.cleanup();
});

interface MysqlError {
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  message: string;
}

async function failure(promise: Promise<unknown>): Promise<MysqlError> {
  try {
    await promise;
  } catch (error) {
    return error as MysqlError;
  }
  throw new Error("expected the statement to fail");
}

describe("results through mysql2", () => {
  test("query: masked columns come back masked, the rest with their types", async () => {
    const client = await door.client(fx.tokens.valid);
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT id, name, card_number, ssn, email FROM customers ORDER BY id LIMIT 2");
    expect(rows).toHaveLength(2);
    expect(rows[0]!.id).toBe(1);
    expect(rows[0]!.card_number).toMatch(/^\*{4} \*{4} \*{4} \d{4}$/);
    expect(rows[0]!.ssn).toBe("****");
    expect(rows[0]!.email).toMatch(/^\*+@/);
    const raw = await targetQuery<{ card_number: string }>(fx, MYSQL_CONNECTION, "SELECT card_number FROM customers WHERE id = 1");
    expect(JSON.stringify(rows)).not.toContain(raw[0]!.card_number);
  });

  test("execute: a prepared statement with parameters, in the binary protocol, masked", async () => {
    const client = await door.client(fx.tokens.valid);
    for (const id of [1, 2, 1]) {
      const [rows] = await client.execute<mysql.RowDataPacket[]>("SELECT id, name, ssn FROM customers WHERE id = ?", [id]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.id).toBe(id);
      expect(typeof rows[0]!.name).toBe("string");
      expect(rows[0]!.name.length).toBeGreaterThan(0);
      expect(rows[0]!.ssn).toBe("****");
    }
  });

  test("twenty connections in a row, with and without TLS (a ClientHello right behind SSLRequest is read as TLS)", async () => {
    for (let i = 0; i < 20; i++) {
      const client = await door.client(fx.tokens.valid, { tls: i % 2 === 0 });
      const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT 1 AS one");
      expect(rows[0]!.one).toBe(1);
      await client.end();
    }
  });

  test("text leaves in UTF-8 whatever the column's character set", async () => {
    const client = await door.client(fx.tokens.valid);
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT 'Zoë ✓ 漢字' AS t, CONVERT('café' USING latin1) AS l");
    expect(rows[0]!.t).toBe("Zoë ✓ 漢字");
    expect(rows[0]!.l).toBe("café");
  });

  test("without TLS the token travels encrypted to the door's RSA key", async () => {
    const client = await door.client(fx.tokens.valid, { tls: false });
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT 1 + 1 AS two");
    expect(rows[0]!.two).toBe(2);
  });

  test("several statements in one text, when the client asks for them", async () => {
    const client = await door.client(fx.tokens.valid, { multipleStatements: true });
    const [results] = await client.query<mysql.RowDataPacket[][]>("SELECT 1 AS a; SELECT ssn FROM customers WHERE id = 1");
    expect(results[0]![0]!.a).toBe(1);
    expect(results[1]![0]!.ssn).toBe("****");
  });

  test("a session's own transaction passes through", async () => {
    const client = await door.client(fx.tokens.valid);
    await client.query("START TRANSACTION");
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT @@in_transaction AS t");
    expect(Number(rows[0]!.t)).toBe(1);
    await client.query("ROLLBACK");
  });
});

describe("refusals", () => {
  test("a blocked statement is an error naming the policy, the rule and a hint; nothing ran", async () => {
    const client = await door.client(fx.tokens.valid);
    const error = await failure(client.query("DROP TABLE orders"));
    expect(error.errno).toBe(1227);
    expect(error.sqlState).toBe("42000");
    expect(error.sqlMessage).toMatch(/rule "block-drop/);
    expect(error.sqlMessage).toMatch(/Hint:/);
    expect((await targetQuery(fx, MYSQL_CONNECTION, "SELECT count(*) AS n FROM orders")).length).toBe(1);
    // the connection carries on
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT 1 AS one");
    expect(rows[0]!.one).toBe(1);
  });

  test("a statement that needs approval names the request; approved, the same statement sent again runs once", async () => {
    const client = await door.client(fx.tokens.valid);
    const sql = "UPDATE customers SET name = 'Ada L.' WHERE id = 1";
    const waiting = await failure(client.query(sql));
    const id = /request ([0-9a-f-]{36})/.exec(waiting.sqlMessage ?? "")?.[1];
    expect(id, waiting.sqlMessage).toBeDefined();
    expect(waiting.sqlMessage).toContain(`/approvals/${id}`);
    await approve(fx, id!);
    const [done] = await client.query<mysql.ResultSetHeader>(sql);
    expect(done.affectedRows).toBe(1);
    expect((await targetQuery<{ name: string }>(fx, MYSQL_CONNECTION, "SELECT name FROM customers WHERE id = 1"))[0]!.name).toBe("Ada L.");
    // once: the same text now asks for a new approval
    const again = await failure(client.query(sql));
    expect(again.sqlMessage).toMatch(/request [0-9a-f-]{36}/);
    expect(again.sqlMessage).not.toContain(id!);
  });

  test("sent again from a new connection, a statement continues its approval request instead of asking anew", async () => {
    const sql = "UPDATE customers SET name = 'Grace H.' WHERE id = 2";
    const first = await door.client(fx.tokens.valid);
    const waiting = await failure(first.query(sql));
    const id = /request ([0-9a-f-]{36})/.exec(waiting.sqlMessage ?? "")?.[1];
    expect(id).toBeDefined();
    await first.end();
    const second = await door.client(fx.tokens.valid);
    const stillWaiting = await failure(second.query(sql));
    expect(stillWaiting.sqlMessage).toContain(id!);
    expect(await fx.store.approvalRequest.count({ where: { sqlText: sql } })).toBe(1);
    await approve(fx, id!);
    const [done] = await second.query<mysql.ResultSetHeader>(sql);
    expect(done.affectedRows).toBe(1);
    expect((await fx.store.approvalRequest.findUniqueOrThrow({ where: { id: id! } })).status).toBe("consumed");
  });

  test("authentication: a wrong token, a user that is not the token's prefix, no database, an unknown one", async () => {
    const connect = (options: mysql.ConnectionOptions) => mysql.createConnection({ host: "127.0.0.1", port: door.port, ssl: { rejectUnauthorized: false }, ...options });
    const token = fx.tokens.valid;
    expect((await failure(connect({ user: token.slice(0, 12), password: `${token}x`, database: MYSQL_CONNECTION }))).errno).toBe(1045);
    expect((await failure(connect({ user: fx.tokens.other.slice(0, 12), password: token, database: MYSQL_CONNECTION }))).errno).toBe(1045);
    expect((await failure(connect({ user: token.slice(0, 12), password: fx.tokens.revoked, database: MYSQL_CONNECTION }))).errno).toBe(1045);
    expect((await failure(connect({ user: token.slice(0, 12), password: token }))).errno).toBe(1046);
    expect((await failure(connect({ user: token.slice(0, 12), password: token, database: "no_such_connection" }))).errno).toBe(1049);
    // a PostgreSQL connection is not reachable through the MySQL door
    const wrongDoor = await failure(connect({ user: token.slice(0, 12), password: token, database: PG_CONNECTION }));
    expect(wrongDoor.sqlMessage).toMatch(/PostgreSQL/);
    // an agent without a grant
    expect((await failure(connect({ user: fx.tokens.other.slice(0, 12), password: fx.tokens.other, database: MYSQL_CONNECTION }))).errno).toBe(1044);
  });

  test("USE of another Airlock connection granted on the same server becomes the session; others are refused", async () => {
    const target = new URL(fx.mysqlTargetUserUrl);
    const common = { engine: "mysql" as const, host: target.hostname, port: Number(target.port || 3306), database: target.pathname.slice(1), username: decodeURIComponent(target.username), password: fx.targetPasswords.mysql };
    await fx.addConnection({ name: "shop_mysql_two", ...common });
    await fx.addConnection({ name: "shop_mysql_closed", ...common, grantGroup: null });
    const client = await door.client(fx.tokens.valid);
    await client.query("USE shop_mysql_two");
    await client.query("SELECT id FROM customers WHERE id = 4 -- after-use");
    await door.gateway.recorded();
    const events = await fx.store.sessionEvent.findMany({ where: { type: "statement", sqlText: { contains: "after-use" } }, include: { session: { include: { connection: true } } } });
    expect(events.map((event) => event.session.connection?.name)).toEqual(["shop_mysql_two"]);
    const closed = await failure(client.query("USE shop_mysql_closed"));
    expect(closed.errno).toBe(1044);
    const pg = await failure(client.query(`USE ${PG_CONNECTION}`));
    expect(pg.errno).toBe(1044);
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT 1 AS still");
    expect(rows[0]!.still).toBe(1);
  });

  test("USE of a database that is no Airlock connection is refused with a clear error, alone or inside a text", async () => {
    const client = await door.client(fx.tokens.valid, { multipleStatements: true });
    const alone = await failure(client.query("USE information_schema"));
    expect(alone.errno).toBe(1049);
    expect(alone.sqlMessage).toMatch(/Unknown database 'information_schema': no Airlock connection has that name/);
    const inside = await failure(client.query("SELECT 1; USE `mysql`; SELECT 2"));
    expect(inside.sqlMessage).toMatch(/Access denied to database 'mysql'/);
    const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT DATABASE() AS db");
    expect(rows[0]!.db).not.toMatch(/^(information_schema|mysql)$/);
    // the mariadb client's `use` (COM_INIT_DB) to another name: the same refusal
    const cli = door.cli(fx.tokens.valid, "use mysql");
    expect(cli.out).toMatch(/ERROR 1049/);
  });
});

describe("limits and cancellation", () => {
  test("a result past the connection's row limit ends with an error after the limit, and the server stops producing it", async () => {
    const client = await door.client(fx.tokens.valid);
    const error = await failure(client.query("SELECT seq FROM seq_1_to_50000"));
    expect(error.errno).toBe(1104);
    expect(error.sqlMessage).toMatch(/ended after 1000 rows/);
    const other = await door.client(fx.tokens.valid);
    const [rows] = await other.query<mysql.RowDataPacket[]>("SELECT 1 AS one");
    expect(rows[0]!.one).toBe(1);
  });

  test("KILL QUERY from another connection of the same agent stops the statement on its own target session", async () => {
    const sleeper = await door.client(fx.tokens.valid);
    const killer = await door.client(fx.tokens.valid);
    const started = Date.now();
    // (SLEEP is blocked by the default policy: a long join stands in for a slow statement)
    const slow = failure(sleeper.query("SELECT count(*) FROM seq_1_to_100000 a, seq_1_to_100000 b WHERE a.seq + b.seq = 7"));
    await new Promise((resolve) => setTimeout(resolve, 700));
    await killer.query(`KILL QUERY ${sleeper.threadId}`);
    const interrupted = await slow;
    expect(interrupted.errno).toBe(1317);
    expect(Date.now() - started).toBeLessThan(15_000);
    // another agent's connection cannot be named
    const stranger = await failure(killer.query("KILL QUERY 999999"));
    expect(stranger.errno).toBe(1094);
  });
});

describe("mysql_native_password", () => {
  test("the mariadb client without TLS: its native scramble checks against the verifier stored with the token", () => {
    const plain = door.cli(fx.tokens.valid, "SELECT ssn FROM customers WHERE id = 1", { tls: false });
    expect(plain.code, plain.out).toBe(0);
    expect(plain.out).toMatch(/ssn\n\*{4}/);
    const wrong = door.cli(fx.tokens.valid, "SELECT 1", { tls: false, args: [`-p${fx.tokens.valid}x`] });
    expect(wrong.code).not.toBe(0);
  });

  test("a token without a native verifier: full authentication over TLS still lets it in", async () => {
    const { token, id } = await fx.issueToken();
    await fx.store.agentToken.update({ where: { id }, data: { mysqlNativeVerifier: null } });
    const viaTls = door.cli(token, "SELECT 1 AS one");
    expect(viaTls.code, viaTls.out).toBe(0);
    expect(viaTls.out).toMatch(/one\n1/);
  });
});

describe("the mariadb command-line client", () => {
  test("batch, vertical (\\G), multi-line input and source, all masked", () => {
    const plain = door.cli(fx.tokens.valid, "SELECT id, card_number FROM customers ORDER BY id LIMIT 2");
    expect(plain.code, plain.out).toBe(0);
    expect(plain.out).toMatch(/1\t\*{4} \*{4} \*{4} \d{4}/);
    const vertical = door.cli(fx.tokens.valid, "SELECT id, ssn FROM customers WHERE id = 2\\G");
    expect(vertical.code, vertical.out).toBe(0);
    expect(vertical.out).toMatch(/ssn: \*{4}/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "airlock-source-")), "q.sql");
    fs.writeFileSync(file, "SELECT email\n  FROM customers\n  WHERE id = 1;\n");
    const sourced = door.cli(fx.tokens.valid, "", { input: `source ${file}\nSELECT\n  count(*) AS n\nFROM orders;\n` });
    expect(sourced.code, sourced.out).toBe(0);
    expect(sourced.out).toMatch(/\*+@/);
    expect(sourced.out).toMatch(/\nn\n\d+/);
    const blocked = door.cli(fx.tokens.valid, "TRUNCATE orders");
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toMatch(/ERROR 1227 \(42000\)/);
  });
});

describe("recording", () => {
  test("every statement is recorded with front door mysqlwire, and the chains verify", async () => {
    const client = await door.client(fx.tokens.valid);
    await client.query("SELECT id FROM customers WHERE id = 3 -- recorded-mysqlwire");
    await door.gateway.recorded();
    const events = await fx.store.sessionEvent.findMany({ where: { type: "statement", sqlText: { contains: "recorded-mysqlwire" } }, include: { session: true } });
    expect(events).toHaveLength(1);
    expect(events[0]!.session.frontDoor).toBe("mysqlwire");
    const all = await fx.store.sessionEvent.findMany({ where: { session: { frontDoor: "mysqlwire" } }, select: { payload: true } });
    const raw = await targetQuery<{ ssn: string; card_number: string }>(fx, MYSQL_CONNECTION, "SELECT ssn, card_number FROM customers");
    const text = JSON.stringify(all);
    for (const row of raw) {
      expect(text).not.toContain(row.ssn);
      expect(text).not.toContain(row.card_number);
    }
    expect((await verifyChains(fx.store)).broken).toEqual([]);
  });
});
