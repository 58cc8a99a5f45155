import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { TargetRegistry, type Target } from "../../gateway/targets";
import { createScratchPostgres, withPostgres, type ScratchDatabase } from "../support/databases";
import { closedPort, connectionFromUrl, defaults, everythingIn, heapMb, masterKey, targetError } from "./support";

// PostgresTarget against the machine's PostgreSQL 15 (trust auth: any password is accepted there, so
// auth_failed is covered on MariaDB instead; here the password is only checked not to leak).

let db: ScratchDatabase;
let registry: TargetRegistry;
let target: Target;
const SECRET = "pg-Secret-Do-Not-Leak-7f3a";

beforeAll(async () => {
  db = await createScratchPostgres("targets_pg");
  await withPostgres(db.url, async (client) => {
    await client.query(`
      CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL, name varchar(80), balance numeric(10,2), created_at timestamptz DEFAULT now());
      CREATE SCHEMA billing;
      CREATE TABLE billing.invoices (id int8 PRIMARY KEY, customer_id int4, total numeric);
      CREATE TYPE mood AS ENUM ('happy', 'sad');
      CREATE TABLE moods (who text, feeling mood);
      INSERT INTO customers (email, name, balance) VALUES ('a@example.com', 'Ann', 10.5), ('b@example.com', 'Bob', 0), ('c@example.com', NULL, 99.99);
      INSERT INTO moods VALUES ('ann', 'happy');
    `);
  });
  registry = new TargetRegistry({ masterKey, poolSize: 4 });
  target = registry.target(connectionFromUrl(db.url, "postgres", { password: SECRET }));
});

afterAll(async () => {
  await registry?.close();
  await db?.drop();
});

describe("PostgresTarget.execute", () => {
  it("selects rows as arrays with column names, engine types and origins", async () => {
    const result = await target.execute("SELECT id, email AS mail, name, balance, 1 + 1 AS two FROM customers WHERE id <= $1 ORDER BY id", [2], defaults);
    expect(result.command).toBe("SELECT");
    expect(result.rows).toEqual([
      [1, "a@example.com", "Ann", "10.50", 2],
      [2, "b@example.com", "Bob", "0.00", 2],
    ]);
    expect(result.rowCount).toBe(2);
    expect(result.truncated).toBe(false);
    expect(result.columns).toMatchObject([
      { name: "id", type: "int4", table: "public.customers", column: "id" },
      { name: "mail", type: "text", table: "public.customers", column: "email" },
      { name: "name", type: "varchar", table: "public.customers", column: "name" },
      { name: "balance", type: "numeric", table: "public.customers", column: "balance" },
      { name: "two", type: "int4" },
    ]);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("names non-built-in types (enums) by looking them up", async () => {
    const result = await target.execute("SELECT feeling FROM moods", [], defaults);
    expect(result.columns).toMatchObject([{ name: "feeling", type: "mood", table: "public.moods", column: "feeling" }]);
    expect(result.rows).toEqual([["happy"]]);
  });

  it("reports rows affected by INSERT, UPDATE and DELETE", async () => {
    const inserted = await target.execute("INSERT INTO billing.invoices (id, customer_id, total) VALUES (1, 1, 5), (2, 1, 7), (3, 2, 9)", [], defaults);
    expect(inserted).toMatchObject({ command: "INSERT", rowCount: 3, rows: [], columns: [], truncated: false });
    const updated = await target.execute("UPDATE billing.invoices SET total = total + $1 WHERE customer_id = $2", [1, 1], defaults);
    expect(updated).toMatchObject({ command: "UPDATE", rowCount: 2 });
    const returning = await target.execute("DELETE FROM billing.invoices WHERE id = 3 RETURNING id", [], defaults);
    expect(returning).toMatchObject({ command: "DELETE", rowCount: 1, rows: [["3"]] });
  });

  it("cuts the result at rowLimit and says so", async () => {
    const result = await target.execute("SELECT email FROM customers ORDER BY id", [], { ...defaults, rowLimit: 2 });
    expect(result.rows).toEqual([["a@example.com"], ["b@example.com"]]);
    expect(result).toMatchObject({ truncated: true, rowCount: 2, command: "SELECT" });
    const exact = await target.execute("SELECT email FROM customers", [], { ...defaults, rowLimit: 3 });
    expect(exact).toMatchObject({ truncated: false, rowCount: 3 });
  });

  it("cuts a result of wide rows at the byte limit and says so; the connection stays usable", async () => {
    // 100 rows of 100 kB under a 1 MB limit: the row limit (1,000) would keep them all.
    const result = await target.execute("SELECT g, repeat('x', 100000) AS wide FROM generate_series(1, 100) g", [], { ...defaults, rowLimit: 1000, maxResultBytes: 1_000_000 });
    expect(result).toMatchObject({ truncated: true, command: "SELECT" });
    expect(result.rows.length).toBeGreaterThan(5);
    expect(result.rows.length).toBeLessThan(11);
    expect(result.rowCount).toBe(result.rows.length);
    expect(result.rows.map((row) => row[0])).toEqual(Array.from({ length: result.rows.length }, (_, i) => i + 1));
    const narrow = await target.execute("SELECT g FROM generate_series(1, 100) g", [], { ...defaults, rowLimit: 1000, maxResultBytes: 1_000_000 });
    expect(narrow).toMatchObject({ truncated: false, rowCount: 100 });
  });

  it("reads 1,000 rows of a 1,000,000-row SELECT without reading the rest (flat memory)", async () => {
    global.gc?.();
    const before = heapMb();
    const result = await target.execute("SELECT g, md5(g::text) FROM generate_series(1, 1000000) AS g", [], { ...defaults, rowLimit: 1000, timeoutMs: 30_000 });
    const growth = heapMb() - before;
    expect(result.rows).toHaveLength(1000);
    expect(result.rows[999][0]).toBe(1000);
    expect(result.truncated).toBe(true);
    expect(growth).toBeLessThan(100);
    // the connection went back to the pool clean and works
    await expect(target.execute("SELECT 1", [], defaults)).resolves.toMatchObject({ rows: [[1]] });
  });

  it("refuses multi-statement text (extended protocol)", async () => {
    const error = await targetError(target.execute("SELECT 1; SELECT 2", [], defaults));
    expect(error.code).toBe("sql_error");
    expect(error.sqlState).toBe("42601");
  });

  it("returns the database's message and SQLSTATE for SQL errors, and the session stays usable", async () => {
    const error = await targetError(target.execute("SELECT nope FROM customers", [], defaults));
    expect(error).toMatchObject({ code: "sql_error", sqlState: "42703" });
    expect(error.message).toContain("nope");
    await expect(target.execute("SELECT count(*) FROM customers", [], defaults)).resolves.toMatchObject({ rows: [["3"]] });
  });

  it("stops a slow statement with the server's statement timeout → timeout", async () => {
    const started = Date.now();
    const error = await targetError(target.execute("SELECT pg_sleep(5)", [], { ...defaults, timeoutMs: 300 }));
    expect(error.code).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("cancels the backend query when the signal aborts → cancelled, and the backend stops", async () => {
    const controller = new AbortController();
    const running = target.execute("SELECT pg_sleep(30) /* airlock-cancel-probe */", [], { ...defaults, timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const error = await targetError(running);
    expect(error.code).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(async () => (await activeProbes("airlock-cancel-probe")) === 0);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await targetError(target.execute("SELECT 1", [], { ...defaults, signal: controller.signal }))).code).toBe("cancelled");
  });

  it("executeAll: several statements on one connection in one transaction, each with its own result", async () => {
    const results = await target.executeAll(["UPDATE customers SET balance = balance + 1 WHERE id = 1", "SELECT balance FROM customers WHERE id = 1", "SELECT 1 AS one"], defaults);
    expect(results.map((result) => [result.command, result.rowCount])).toEqual([["UPDATE", 1], ["SELECT", 1], ["SELECT", 1]]);
    expect(results[1]!.rows).toEqual([["11.50"]]);
    const failed = await targetError(target.executeAll(["UPDATE customers SET balance = balance + 1 WHERE id = 1", "SELECT 1/0"], defaults));
    expect(failed.sqlState).toBe("22012");
    expect((await target.execute("SELECT balance FROM customers WHERE id = 1", [], defaults)).rows).toEqual([["11.50"]]);
    await target.execute("UPDATE customers SET balance = 10.5 WHERE id = 1", [], defaults);
  });

  it("executeAll: a statement that leaves the transaction before the last one fails the text; nothing runs outside READ ONLY", async () => {
    const error = await targetError(target.executeAll(["COMMIT", "INSERT INTO customers (email) VALUES ('late@example.com')"], { ...defaults, readOnly: true }));
    expect(error.sqlState).toBe("25000");
    expect((await target.execute("SELECT count(*) FROM customers WHERE email = 'late@example.com'", [], defaults)).rows).toEqual([["0"]]);
  });

  it("runs read-only statements in a read-only transaction: a write fails with the database's error", async () => {
    const error = await targetError(target.execute("INSERT INTO customers (email) VALUES ('x@example.com')", [], { ...defaults, readOnly: true }));
    expect(error).toMatchObject({ code: "read_only_violation", sqlState: "25006" });
    const reads = await target.execute("SELECT count(*) FROM customers", [], { ...defaults, readOnly: true });
    expect(reads.rows).toEqual([["3"]]);
  });

  it("a read-only connection refuses writes even when the call forgets readOnly", async () => {
    const readOnlyTarget = registry.target(connectionFromUrl(db.url, "postgres", { readOnly: true }));
    const error = await targetError(readOnlyTarget.execute("CREATE TABLE sneaky (a int)", [], defaults));
    expect(error.code).toBe("read_only_violation");
    const setting = await readOnlyTarget.execute("SHOW default_transaction_read_only", [], defaults);
    expect(setting.rows).toEqual([["on"]]);
  });

  it("a read-only connection stays read-only when a statement changes the session's defaults (one pooled session)", async () => {
    const single = new TargetRegistry({ masterKey, poolSize: 1 });
    try {
      const t = single.target(connectionFromUrl(db.url, "postgres", { readOnly: true }));
      for (const undo of [
        "SELECT set_config('default_transaction_read_only', 'off', false)",
        "SET default_transaction_read_only = off",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
      ]) {
        await t.execute(undo, [], defaults);
        expect((await targetError(t.execute("INSERT INTO customers (email) VALUES ('ro@example.com')", [], defaults))).code).toBe("read_only_violation");
        expect((await targetError(t.execute("CREATE TABLE ro_sneaky (a int)", [], defaults))).code).toBe("read_only_violation");
      }
      // a DO block cannot COMMIT its way out of the read-only transaction (the statement runs in a transaction block)
      const escape = await targetError(
        t.execute("DO $$ BEGIN PERFORM set_config('default_transaction_read_only', 'off', false); COMMIT; CREATE TABLE ro_escaped (a int); END $$", [], defaults),
      );
      expect(escape.sqlState).toBe("2D000");
      const probe = await t.execute("SELECT to_regclass('ro_escaped')::text, to_regclass('ro_sneaky')::text", [], defaults);
      expect(probe.rows).toEqual([[null, null]]);
    } finally {
      await single.close();
    }
  });

  it("sets the statement timeout for the statement only", async () => {
    const single = new TargetRegistry({ masterKey, poolSize: 1 });
    try {
      const t = single.target(connectionFromUrl(db.url, "postgres"));
      expect((await t.execute("SHOW statement_timeout", [], { ...defaults, timeoutMs: 4_000 })).rows).toEqual([["4s"]]);
      expect((await t.execute("SELECT current_setting('statement_timeout')", [], { ...defaults, timeoutMs: 7_000 })).rows).toEqual([["7s"]]);
    } finally {
      await single.close();
    }
  });

  it("refuses COPY … FROM STDIN without taking the process down, and keeps serving", async () => {
    const error = await targetError(target.execute("COPY customers FROM STDIN", [], defaults));
    expect(error.code).toBe("sql_error");
    await expect(target.execute("SELECT count(*) FROM customers", [], defaults)).resolves.toMatchObject({ rows: [["3"]] });
  });

  it("drops a session that changed its settings instead of pooling it", async () => {
    const single = new TargetRegistry({ masterKey, poolSize: 1 });
    try {
      const t = single.target(connectionFromUrl(db.url, "postgres"));
      await t.execute("SET search_path = billing", [], defaults);
      const path = await t.execute("SHOW search_path", [], defaults);
      expect(path.rows[0][0]).not.toBe("billing");
    } finally {
      await single.close();
    }
  });
});

describe("PostgresTarget schema", () => {
  it("describes tables of every non-system schema with types and nullability", async () => {
    const schema = await target.describeSchema();
    const customers = schema.tables.find((t) => t.schema === "public" && t.name === "customers");
    expect(customers?.columns).toEqual([
      { name: "id", type: "int4", nullable: false },
      { name: "email", type: "text", nullable: false },
      { name: "name", type: "varchar", nullable: true },
      { name: "balance", type: "numeric", nullable: true },
      { name: "created_at", type: "timestamptz", nullable: true },
    ]);
    expect(schema.tables.some((t) => t.schema === "billing" && t.name === "invoices")).toBe(true);
    expect(schema.tables.some((t) => t.schema === "pg_catalog" || t.schema === "information_schema")).toBe(false);
    expect(schema.defaultSchemas).toEqual(["public"]);
  });

  it("builds the policy catalog: schema.table everywhere, bare names for the search_path", async () => {
    const catalog = await target.catalog();
    expect(catalog["public.customers"]).toEqual(["id", "email", "name", "balance", "created_at"]);
    expect(catalog.customers).toEqual(catalog["public.customers"]);
    expect(catalog["billing.invoices"]).toEqual(["id", "customer_id", "total"]);
    expect(catalog.invoices).toBeUndefined();
  });

  it("caches the catalog and reads it again on refresh", async () => {
    const first = await target.catalog();
    await withPostgres(db.url, (client) => client.query("CREATE TABLE later (x int)"));
    expect(await target.catalog()).toBe(first);
    const refreshed = await target.catalog({ refresh: true });
    expect(refreshed.later).toEqual(["x"]);
  });

  it("pings", async () => {
    await expect(target.ping()).resolves.toBeUndefined();
  });
});

describe("PostgresTarget failures", () => {
  it("an unreachable port → unreachable, and no password anywhere in the error", async () => {
    const port = await closedPort();
    const t = registry.target(connectionFromUrl(db.url, "postgres", { port, password: SECRET }));
    for (const work of [() => t.execute("SELECT 1", [], defaults), () => t.ping(), () => t.catalog()]) {
      const error = await targetError(work());
      expect(error.code).toBe("unreachable");
      expect(everythingIn(error)).not.toContain(SECRET);
      expect(inspect(error, { depth: 5, showHidden: true })).not.toContain(SECRET);
    }
    expect(inspect(t, { depth: 5, showHidden: true })).not.toContain(SECRET);
  });

  it("a database that does not exist → unreachable", async () => {
    const t = registry.target(connectionFromUrl(db.url, "postgres", { database: "airlock_t_no_such_db" }));
    expect((await targetError(t.ping())).code).toBe("unreachable");
  });

  it("tls require on a server without TLS → unreachable; prefer falls back to plain", async () => {
    const required = registry.target(connectionFromUrl(db.url, "postgres", { tls: "require" }));
    expect((await targetError(required.ping())).code).toBe("unreachable");
    const preferred = registry.target(connectionFromUrl(db.url, "postgres", { tls: "prefer" }));
    await expect(preferred.execute("SELECT 1", [], defaults)).resolves.toMatchObject({ rows: [[1]] });
  });
});

async function activeProbes(marker: string): Promise<number> {
  return withPostgres(db.url, async (client) => {
    const result = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()",
      [`%${marker}%`],
    );
    return Number(result.rows[0].n);
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
