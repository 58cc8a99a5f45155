import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { randomBytes } from "node:crypto";
import { TargetRegistry, type Target } from "../../gateway/targets";
import { createScratchMysql, testMysqlUrl, withMysql, type ScratchDatabase } from "../support/databases";
import { closedPort, connectionFromUrl, defaults, everythingIn, heapMb, masterKey, targetError } from "./support";

// MysqlTarget against the machine's MariaDB (10.11). A user with a password is created for the auth tests.

let db: ScratchDatabase;
let registry: TargetRegistry;
let target: Target;
const user = `airlock_t_u${randomBytes(4).toString("hex")}`;
const SECRET = `My-Secret-${randomBytes(6).toString("hex")}`;

beforeAll(async () => {
  db = await createScratchMysql("targets_my");
  await withMysql(db.url, async (connection) => {
    await connection.query(`
      CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(120) NOT NULL, name TEXT NULL, balance DECIMAL(10,2), visits BIGINT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP);
      CREATE TABLE invoices (id INT PRIMARY KEY, customer_id INT, total DECIMAL(10,2));
      INSERT INTO customers (email, name, balance, visits) VALUES ('a@example.com', 'Ann', 10.5, 9007199254740993), ('b@example.com', 'Bob', 0, 1), ('c@example.com', NULL, 99.99, 2);
      CREATE USER '${user}'@'%' IDENTIFIED BY '${SECRET}';
      CREATE USER '${user}'@'localhost' IDENTIFIED BY '${SECRET}';
      GRANT ALL ON \`${db.name}\`.* TO '${user}'@'%';
      GRANT ALL ON \`${db.name}\`.* TO '${user}'@'localhost';
    `);
  });
  registry = new TargetRegistry({ masterKey, poolSize: 4 });
  target = registry.target(connectionFromUrl(db.url, "mysql", { username: user, password: SECRET }));
});

afterAll(async () => {
  await registry?.close();
  await withMysql(testMysqlUrl(), (connection) => connection.query(`DROP USER IF EXISTS '${user}'@'%', '${user}'@'localhost'`)).catch(() => undefined);
  await db?.drop();
});

describe("MysqlTarget.execute", () => {
  it("selects rows as arrays with names, engine types and origins (bound parameters)", async () => {
    const result = await target.execute("SELECT id, email AS mail, name, balance, visits, 1 + 1 AS two FROM customers WHERE id <= ? ORDER BY id", [2], defaults);
    expect(result.command).toBe("SELECT");
    expect(result.rows).toEqual([
      [1, "a@example.com", "Ann", "10.50", "9007199254740993", 2],
      [2, "b@example.com", "Bob", "0.00", "1", 2],
    ]);
    expect(result).toMatchObject({ rowCount: 2, truncated: false });
    expect(result.columns).toEqual([
      { name: "id", type: "int", table: `${db.name}.customers`, column: "id" },
      { name: "mail", type: "varchar", table: `${db.name}.customers`, column: "email" },
      { name: "name", type: "text", table: `${db.name}.customers`, column: "name" },
      { name: "balance", type: "decimal", table: `${db.name}.customers`, column: "balance" },
      { name: "visits", type: "bigint", table: `${db.name}.customers`, column: "visits" },
      { name: "two", type: "int" },
    ]);
  });

  it("reads without parameters through the text protocol too", async () => {
    const result = await target.execute("SELECT email FROM customers WHERE id = 3", [], defaults);
    expect(result.rows).toEqual([["c@example.com"]]);
    expect(result.columns[0]).toMatchObject({ name: "email", type: "varchar" });
  });

  it("reports rows affected by INSERT, UPDATE and DELETE", async () => {
    const inserted = await target.execute("INSERT INTO invoices (id, customer_id, total) VALUES (1, 1, 5), (2, 1, 7), (3, 2, 9)", [], defaults);
    expect(inserted).toMatchObject({ command: "INSERT", rowCount: 3, rows: [], columns: [], truncated: false });
    const updated = await target.execute("UPDATE invoices SET total = total + ? WHERE customer_id = ?", [1, 1], defaults);
    expect(updated).toMatchObject({ command: "UPDATE", rowCount: 2 });
    const deleted = await target.execute("DELETE FROM invoices WHERE id = 3", [], defaults);
    expect(deleted).toMatchObject({ command: "DELETE", rowCount: 1 });
  });

  it("executeAll: several statements in one transaction, all or nothing; a result past the row limit inside one fails it", async () => {
    const balance = async () => (await target.execute("SELECT balance FROM customers WHERE id = 2", [], defaults)).rows[0]![0];
    const results = await target.executeAll(["UPDATE customers SET balance = balance + 1 WHERE id = 2", "SELECT balance FROM customers WHERE id = 2", "SET @seen = 1"], defaults);
    expect(results.map((result) => [result.command, result.rowCount])).toEqual([["UPDATE", 1], ["SELECT", 1], ["SET", 0]]);
    expect(await balance()).toBe("1.00");
    const failed = await targetError(target.executeAll(["UPDATE customers SET balance = balance + 1 WHERE id = 2", "SELECT * FROM no_such_table"], defaults));
    expect(failed.sqlState).toBe("42S02");
    expect(await balance()).toBe("1.00");
    const cut = await targetError(target.executeAll(["UPDATE customers SET balance = balance + 1 WHERE id = 2", "SELECT email FROM customers"], { ...defaults, rowLimit: 2 }));
    expect(cut.sqlState).toBe("54000");
    expect(await balance()).toBe("1.00");
    await target.execute("UPDATE customers SET balance = 0 WHERE id = 2", [], defaults);
  });

  it("cuts the result at rowLimit and says so", async () => {
    const result = await target.execute("SELECT email FROM customers ORDER BY id", [], { ...defaults, rowLimit: 2 });
    expect(result.rows).toEqual([["a@example.com"], ["b@example.com"]]);
    expect(result).toMatchObject({ truncated: true, rowCount: 2 });
    const exact = await target.execute("SELECT email FROM customers", [], { ...defaults, rowLimit: 3 });
    expect(exact).toMatchObject({ truncated: false, rowCount: 3 });
  });

  it("cuts a result of wide rows at the byte limit and says so; the next statement runs", async () => {
    const sql = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 100) SELECT n, REPEAT('x', 100000) AS wide FROM seq";
    const result = await target.execute(sql, [], { ...defaults, rowLimit: 1000, maxResultBytes: 1_000_000 });
    expect(result.truncated).toBe(true);
    expect(result.rows.length).toBeGreaterThan(5);
    expect(result.rows.length).toBeLessThan(11);
    expect(result.rows.map((row) => Number(row[0]))).toEqual(Array.from({ length: result.rows.length }, (_, i) => i + 1));
    await expect(target.execute("SELECT 1 AS one", [], defaults)).resolves.toMatchObject({ rows: [[1]] });
  });

  it("reads 1,000 rows of a 1,000,000-row SELECT (cross join) and drops the rest (flat memory)", async () => {
    global.gc?.();
    const before = heapMb();
    const digits = "(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
    const sql = `SELECT /* airlock_big_probe */ a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d AS n, MD5(a.d + 10*b.d) AS h
      FROM ${digits} a, ${digits} b, ${digits} c, ${digits} e, ${digits} f, ${digits} g`;
    const result = await target.execute(sql, [], { ...defaults, rowLimit: 1000, timeoutMs: 30_000 });
    const growth = heapMb() - before;
    expect(result.rows).toHaveLength(1000);
    expect(result.truncated).toBe(true);
    expect(growth).toBeLessThan(100);
    await expect(target.execute("SELECT 1 AS one", [], defaults)).resolves.toMatchObject({ rows: [[1]] });
    // the dropped connection's server thread does not keep producing the rest
    await waitFor(async () => (await runningProbes("airlock_big_probe")) === 0);
  });

  it("reads 1,000 rows of a 1,000,000-row recursive CTE", async () => {
    const sql = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000000) SELECT n FROM seq";
    await withMysql(db.url, (c) => c.query("SELECT 1")); // server is up
    const result = await target.execute(`/* big */ ${sql}`, [], { ...defaults, rowLimit: 1000, timeoutMs: 30_000 });
    expect(result.rows).toHaveLength(1000);
    expect(result.truncated).toBe(true);
    expect(result.command).toBe("SELECT");
  });

  it("refuses multi-statement text (multipleStatements off)", async () => {
    const error = await targetError(target.execute("SELECT 1; SELECT 2", [], defaults));
    expect(error).toMatchObject({ code: "sql_error", errno: 1064, sqlState: "42000" });
    const bound = await targetError(target.execute("SELECT ?; SELECT 2", [1], defaults));
    expect(bound.code).toBe("sql_error");
  });

  it("returns the database's message, errno and SQLSTATE for SQL errors; the session stays usable", async () => {
    const error = await targetError(target.execute("SELECT nope FROM customers", [], defaults));
    expect(error).toMatchObject({ code: "sql_error", errno: 1054, sqlState: "42S22" });
    expect(error.message).toContain("nope");
    expect(JSON.stringify(error)).not.toContain("SELECT nope");
    await expect(target.execute("SELECT COUNT(*) FROM customers", [], defaults)).resolves.toMatchObject({ rows: [["3"]] });
  });

  it("stops SELECT SLEEP(5) with max_statement_time → timeout", async () => {
    const started = Date.now();
    const error = await targetError(target.execute("SELECT SLEEP(5)", [], { ...defaults, timeoutMs: 300 }));
    expect(error.code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("KILL QUERY on abort → cancelled, and the server stops the statement", async () => {
    const controller = new AbortController();
    const running = target.execute("SELECT SLEEP(30) AS airlock_cancel_probe", [], { ...defaults, timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const error = await targetError(running);
    expect(error.code).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(async () => (await runningProbes("airlock_cancel_probe")) === 0);
  });

  it("runs read-only statements read-only: DML and DDL fail with the database's error", async () => {
    const insert = await targetError(target.execute("INSERT INTO customers (email) VALUES ('x@example.com')", [], { ...defaults, readOnly: true }));
    expect(insert).toMatchObject({ code: "read_only_violation", errno: 1792 });
    // DDL commits implicitly under START TRANSACTION READ ONLY; the session flag still stops it
    const ddl = await targetError(target.execute("CREATE TABLE sneaky (a INT)", [], { ...defaults, readOnly: true }));
    expect(ddl.code).toBe("read_only_violation");
    const reads = await target.execute("SELECT COUNT(*) FROM customers", [], { ...defaults, readOnly: true });
    expect(reads.rows).toEqual([["3"]]); // BIGINT comes back as a string, like pg's int8
    // and the same pooled sessions still write when a call is not read-only
    await expect(target.execute("UPDATE customers SET visits = visits WHERE id = 2", [], defaults)).resolves.toMatchObject({ command: "UPDATE" });
  });

  it("a read-only connection refuses writes even when the call forgets readOnly", async () => {
    const readOnlyTarget = registry.target(connectionFromUrl(db.url, "mysql", { username: user, password: SECRET, readOnly: true }));
    const error = await targetError(readOnlyTarget.execute("DELETE FROM customers", [], defaults));
    expect(error.code).toBe("read_only_violation");
  });

  it("drops a session that changed its state instead of pooling it", async () => {
    const single = new TargetRegistry({ masterKey, poolSize: 1 });
    try {
      const t = single.target(connectionFromUrl(db.url, "mysql", { username: user, password: SECRET }));
      await t.execute("SET @leak = 'x'", [], defaults);
      expect((await t.execute("SELECT @leak", [], defaults)).rows).toEqual([[null]]);
    } finally {
      await single.close();
    }
  });
});

describe("MysqlTarget schema", () => {
  it("describes the connection's database with types and nullability", async () => {
    const schema = await target.describeSchema();
    expect(schema.defaultSchemas).toEqual([db.name]);
    expect(schema.tables.every((t) => t.schema === db.name)).toBe(true);
    const customers = schema.tables.find((t) => t.name === "customers");
    expect(customers?.columns).toEqual([
      { name: "id", type: "int", nullable: false },
      { name: "email", type: "varchar", nullable: false },
      { name: "name", type: "text", nullable: true },
      { name: "balance", type: "decimal", nullable: true },
      { name: "visits", type: "bigint", nullable: true },
      { name: "created_at", type: "datetime", nullable: true },
    ]);
  });

  it("builds the policy catalog keyed database.table and table", async () => {
    const catalog = await target.catalog({ refresh: true });
    expect(catalog[`${db.name}.customers`]).toEqual(["id", "email", "name", "balance", "visits", "created_at"]);
    expect(catalog.customers).toEqual(catalog[`${db.name}.customers`]);
    expect(catalog.invoices).toEqual(["id", "customer_id", "total"]);
  });

  it("pings", async () => {
    await expect(target.ping()).resolves.toBeUndefined();
  });
});

describe("MysqlTarget failures", () => {
  it("a wrong password → auth_failed, and neither password is anywhere in the error", async () => {
    const wrong = `Wrong-${randomBytes(6).toString("hex")}`;
    const t = registry.target(connectionFromUrl(db.url, "mysql", { username: user, password: wrong }));
    for (const work of [() => t.execute("SELECT 1", [], defaults), () => t.ping(), () => t.describeSchema()]) {
      const error = await targetError(work());
      expect(error.code).toBe("auth_failed");
      expect(error.errno).toBe(1045);
      for (const text of [everythingIn(error), inspect(error, { depth: 5, showHidden: true })]) {
        expect(text).not.toContain(wrong);
        expect(text).not.toContain(SECRET);
      }
    }
    expect(inspect(t, { depth: 5, showHidden: true })).not.toContain(wrong);
  });

  it("an unreachable port → unreachable", async () => {
    const t = registry.target(connectionFromUrl(db.url, "mysql", { port: await closedPort(), username: user, password: SECRET }));
    const error = await targetError(t.execute("SELECT 1", [], defaults));
    expect(error.code).toBe("unreachable");
    expect(everythingIn(error)).not.toContain(SECRET);
  });

  it("tls require on a server without TLS → unreachable; prefer falls back to plain", async () => {
    const required = registry.target(connectionFromUrl(db.url, "mysql", { username: user, password: SECRET, tls: "require" }));
    expect((await targetError(required.ping())).code).toBe("unreachable");
    const preferred = registry.target(connectionFromUrl(db.url, "mysql", { username: user, password: SECRET, tls: "prefer" }));
    await expect(preferred.execute("SELECT 1 AS one", [], defaults)).resolves.toMatchObject({ rows: [[1]] });
  });
});

async function runningProbes(marker: string): Promise<number> {
  return withMysql(testMysqlUrl(), async (connection) => {
    const [rows] = await connection.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()", [`%${marker}%`]);
    return Number((rows as { n: number }[])[0].n);
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
