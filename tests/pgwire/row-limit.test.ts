import { execFileSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Code, dataRowCells } from "../../gateway/protocols/postgres/parser";
import { bind, execute, parse, query, SYNC } from "../../gateway/protocols/postgres/serializer";
import { createGatewayFixture, targetQuery, type GatewayFixture } from "../gateway/support";
import { testPostgresUrl } from "../support/databases";
import { errorOf, RawClient } from "./raw";
import { failure, startWireGateway, type WireGateway } from "./support";

// The row limit on the wire: the same as the HTTP door's (the connection's row limit, or the policy's maxRows when
// smaller). Past it the client gets the rows up to the limit and then ERROR 54000, like a PostgreSQL runtime error
// mid-result, the target stops producing rows, and a transaction fails as the client saw it fail.

const LIMITED = "limited_pg"; // connection row limit 10
const POLICY_MAX_ROWS = 50; // the default policy's maxRows, set for this file (shop_pg keeps its row limit of 1000)

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("pgwire_row_limit");
  const target = new URL(testPostgresUrl());
  const limited = await fx.addConnection({
    name: LIMITED,
    engine: "postgres",
    host: target.hostname,
    port: Number(target.port || 5432),
    database: fx.pgTarget.name,
    username: decodeURIComponent(target.username) || "postgres",
    password: fx.targetPasswords.pg,
  });
  await fx.store.connection.update({ where: { id: limited.id }, data: { rowLimit: 10, statementTimeoutMs: 300_000 } });
  const defaults = await fx.store.policy.findFirstOrThrow({ where: { name: "Airlock defaults" } });
  const document = defaults.document as { settings: Record<string, unknown> };
  await fx.store.policy.update({ where: { id: defaults.id }, data: { document: { ...document, settings: { ...document.settings, maxRows: POLICY_MAX_ROWS } } } });
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

/** Rows and the error of one statement through node-postgres, rows counted as they arrive. */
async function rowsThenError(client: pg.Client, config: pg.QueryConfig): Promise<{ rows: number; error: (Error & { code?: string; hint?: string }) | null }> {
  let rows = 0;
  const submitted = client.query(new pg.Query(config));
  submitted.on("row", () => rows++);
  return new Promise((resolve) => {
    submitted.on("error", (error: Error & { code?: string; hint?: string }) => resolve({ rows, error }));
    submitted.on("end", () => resolve({ rows, error: null }));
  });
}

describe("simple and extended protocol", () => {
  test("at the limit: every row, no error; one past it: the rows up to the limit, then ERROR 54000 with a hint", async () => {
    const client = await wire.client(fx.tokens.valid, LIMITED);
    expect(await rowsThenError(client, { text: "SELECT generate_series(1, 10)" })).toEqual({ rows: 10, error: null });
    const over = await rowsThenError(client, { text: "SELECT generate_series(1, 11)" });
    expect(over.rows).toBe(10);
    expect(over.error).toMatchObject({ code: "54000", message: "result exceeds this connection's limit of 10 rows", hint: "add LIMIT 10" });
    // extended protocol (parameters)
    expect(await rowsThenError(client, { text: "SELECT generate_series(1, $1::int)", values: [10] })).toEqual({ rows: 10, error: null });
    const overExtended = await rowsThenError(client, { text: "SELECT generate_series(1, $1::int)", values: [25] });
    expect(overExtended.rows).toBe(10);
    expect(overExtended.error).toMatchObject({ code: "54000", hint: "add LIMIT 10" });
    // the session goes on, and no late cancel hits the statements that follow
    for (let i = 0; i < 5; i++) {
      expect((await client.query("SELECT $1::int AS i", [i])).rows).toEqual([{ i }]);
      expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    }
  });

  test("the policy's maxRows applies when it is smaller than the connection's row limit", async () => {
    const client = await wire.client(fx.tokens.valid, "shop_pg");
    expect(await rowsThenError(client, { text: `SELECT generate_series(1, ${POLICY_MAX_ROWS})` })).toEqual({ rows: POLICY_MAX_ROWS, error: null });
    const over = await rowsThenError(client, { text: `SELECT generate_series(1, ${POLICY_MAX_ROWS + 1})` });
    expect(over.rows).toBe(POLICY_MAX_ROWS);
    expect(over.error).toMatchObject({ code: "54000", hint: `add LIMIT ${POLICY_MAX_ROWS}` });
  });

  test("the raw wire: exactly N DataRows, then the ErrorResponse, then ReadyForQuery (simple and extended)", async () => {
    const raw = await RawClient.login(wire.port, fx.tokens.valid, LIMITED);
    raw.write(query("SELECT generate_series(1, 100)"));
    const simple = await raw.until(Code.ReadyForQuery);
    expect(simple.map((frame) => String.fromCharCode(frame.code)).join("")).toBe(`T${"D".repeat(10)}EZ`);
    expect(errorOf(simple[11]!).code).toBe("54000");
    expect(dataRowCells(simple[10]!.payload)[0]!.toString()).toBe("10");

    raw.write(Buffer.concat([parse("", "SELECT generate_series(1, 100)"), bind("", "", []), execute("", 0), SYNC]));
    const extended = await raw.until(Code.ReadyForQuery);
    expect(extended.map((frame) => String.fromCharCode(frame.code)).join("")).toBe(`12${"D".repeat(10)}EZ`);
    expect(extended.at(-1)!.payload[0]).toBe(0x49); // 'I'
    raw.destroy();
  });

  test("a suspended portal continued across the limit: rows up to it over several Executes, then 54000", async () => {
    const raw = await RawClient.login(wire.port, fx.tokens.valid, LIMITED);
    raw.write(Buffer.concat([parse("", "SELECT generate_series(1, 100)"), bind("c", "", []), execute("c", 4), SYNC]));
    const codes = (frames: { code: number }[]) => frames.map((frame) => String.fromCharCode(frame.code)).join("");
    // Sync ends the implicit transaction (and the portal) in PostgreSQL too; a cursor keeps it in a transaction
    raw.write(query("BEGIN"));
    expect(codes(await raw.until(Code.ReadyForQuery))).toBe("12DDDDsZ");
    expect(codes(await raw.until(Code.ReadyForQuery))).toBe("CZ");
    raw.write(Buffer.concat([parse("", "SELECT generate_series(1, 100)"), bind("c", "", []), execute("c", 4)]));
    raw.write(Buffer.from([0x48, 0, 0, 0, 4])); // Flush
    expect(codes(await raw.until(Code.PortalSuspended))).toBe("12DDDDs");
    raw.write(Buffer.concat([execute("c", 4), Buffer.from([0x48, 0, 0, 0, 4])]));
    expect(codes(await raw.until(Code.PortalSuspended))).toBe("DDDDs");
    raw.write(Buffer.concat([execute("c", 4), SYNC]));
    const last = await raw.until(Code.ReadyForQuery);
    expect(codes(last)).toBe("DDEZ");
    expect(errorOf(last[2]!).code).toBe("54000");
    expect(last.at(-1)!.payload[0]).toBe(0x45); // 'E': the transaction failed, as the client saw
    raw.write(query("SELECT 1"));
    const refused = await raw.until(Code.ReadyForQuery);
    expect(errorOf(refused[0]!).code).toBe("25P02");
    raw.write(query("ROLLBACK"));
    expect(codes(await raw.until(Code.ReadyForQuery))).toBe("CZ");

    // Executes that stop exactly at the limit are fine; the next row is the one refused
    raw.write(query("BEGIN"));
    await raw.until(Code.ReadyForQuery);
    raw.write(Buffer.concat([parse("", "SELECT generate_series(1, 10)"), bind("d", "", []), execute("d", 5), execute("d", 5), execute("d", 5), SYNC]));
    expect(codes(await raw.until(Code.ReadyForQuery))).toBe(`12${"D".repeat(5)}s${"D".repeat(5)}sCZ`);
    raw.write(query("COMMIT"));
    expect(codes(await raw.until(Code.ReadyForQuery))).toBe("CZ");
    raw.destroy();
  });

  test("inside a transaction the statement past the limit fails it: later statements get 25P02, COMMIT rolls back", async () => {
    const client = await wire.client(fx.tokens.valid, LIMITED);
    for (const config of [{ text: "SELECT generate_series(1, 11)" }, { text: "SELECT generate_series(1, 5000000)" }, { text: "SELECT generate_series(1, $1::int)", values: [11] }]) {
      await client.query("BEGIN");
      const over = await rowsThenError(client, config);
      expect(over.rows).toBe(10);
      expect(over.error?.code).toBe("54000");
      expect((await failure(client.query("SELECT 1"))).code).toBe("25P02");
      const commit = await client.query("COMMIT");
      expect(commit.command).toBe("ROLLBACK");
    }
    expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});

describe("the target stops producing", () => {
  test("the target's statement is stopped, not read to its end: rows past the limit that would take minutes are not computed", async () => {
    const client = await wire.client(fx.tokens.valid, LIMITED);
    const marker = `rowlimit_${Date.now()}`;
    // rows 1…5000 come at once (enough to fill the server's send buffer), each row after them counts 50 million
    // rows: all of them would take many minutes (the connection's statement timeout is 5 minutes)
    const slowTail = `SELECT i AS ${marker}, repeat('x', 100) AS pad, CASE WHEN i > 5000 THEN (SELECT count(*) FROM generate_series(1, 50000000 + i)) END AS slow FROM generate_series(1, 5100) i`;
    for (const config of [{ text: slowTail }, { text: `${slowTail} WHERE i > $1::int`, values: [0] }, { text: `SELECT generate_series(1, 5000000) AS ${marker}` }]) {
      const over = await rowsThenError(client, config);
      expect(over.error?.message).toMatch(/limit of 10 rows/);
      expect(over.rows).toBe(10);
      // the error reaches the client at once; the next query waits for the ReadyForQuery that follows the
      // target's stop (a cancel for the simple query, the row count for Execute) — not for row 16's minute
      expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      const active = await targetQuery(fx, "shop_pg", `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%${marker}%' AND query NOT LIKE '%pg_stat_activity%'`);
      expect(active).toEqual([{ n: 0 }]);
    }
    expect((await client.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
  }, 30_000);

  test("COPY … TO STDOUT: at most one data message more than the limit (a header line), then 54000", () => {
    const conninfo = wire.conninfo(fx.tokens.valid, LIMITED);
    const run = (sql: string) => {
      try {
        return { out: execFileSync("psql", ["-X", "-A", "-t", "-c", sql, conninfo], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }), code: 0 };
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; status?: number };
        return { out: `${failed.stdout ?? ""}${failed.stderr ?? ""}`, code: failed.status ?? 1 };
      }
    };
    const fits = run("COPY (SELECT generate_series(1, 10)) TO STDOUT (FORMAT csv, HEADER)");
    expect(fits.code).toBe(0);
    expect(fits.out.trim().split("\n")).toHaveLength(11);
    const over = run("COPY (SELECT generate_series(1, 1000000)) TO STDOUT");
    expect(over.code).not.toBe(0);
    expect(over.out).toMatch(/result exceeds this connection's limit of 10 rows/);
    expect(over.out.split("\n").filter((line) => /^\d+$/.test(line)).length).toBeLessThanOrEqual(11);
  });

  test("the HTTP door and the wire door agree on the limit", async () => {
    const response = await fetch(`${wire.gateway.url}/v1/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.tokens.valid}`, "content-type": "application/json" },
      body: JSON.stringify({ connection: LIMITED, sql: "SELECT generate_series(1, 11)" }),
    });
    expect(await response.json()).toMatchObject({ rowCount: 10, truncated: true });
  });
});
