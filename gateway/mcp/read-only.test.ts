import { beforeAll, describe, expect, test } from "vitest";
import { analyze, initSqlParsers } from "../../lib/sql";
import type { Dialect } from "../../lib/sql/types";
import { checkReadOnly, codeOf, explainText } from "./read-only";

// The read-only tool's gate, as an attacker would try it: every text here must be refused (or accepted) from the
// analysis alone, before any engine or database sees it.

beforeAll(async () => {
  await initSqlParsers();
});

const check = (sql: string, dialect: Dialect = "postgres") => checkReadOnly(analyze(sql, dialect));
const reason = (sql: string, dialect: Dialect = "postgres") => {
  const verdict = check(sql, dialect);
  return verdict.ok ? "ok" : verdict.reason;
};

describe("accepted: plain reads", () => {
  test.each<[string, Dialect]>([
    ["SELECT id, name FROM customers WHERE id = $1", "postgres"],
    ["select count(*), avg(amount_cents), stddev(amount_cents) from orders", "postgres"],
    ["WITH recent AS (SELECT * FROM orders WHERE id > 3) SELECT status, count(*) FROM recent GROUP BY status", "postgres"],
    ["(SELECT 1) UNION ALL (SELECT 2)", "postgres"],
    ["TABLE orders", "postgres"],
    ["VALUES (1, 'a'), (2, 'b')", "postgres"],
    ["EXPLAIN SELECT * FROM orders", "postgres"],
    ["SHOW search_path", "postgres"],
    ["SELECT 1; SELECT 2", "postgres"],
    ["/* reason: copy the totals into the report */ SELECT sum(amount_cents) FROM orders", "postgres"],
    ["SELECT 'FOR UPDATE', 'INTO', $$ := $$ FROM orders -- LOCK IN SHARE MODE", "postgres"],
    ["SELECT \"into\" FROM t", "mysql"],
    ["SELECT id FROM customers WHERE name LIKE ? LIMIT 10", "mysql"],
    ["SHOW TABLES", "mysql"],
    ["DESCRIBE customers", "mysql"],
    ["SELECT pg_catalog.lower(name) FROM customers", "postgres"],
    ["SELECT date_format(created_at, '%Y') FROM orders # into", "mysql"],
  ])("%s (%s)", (sql, dialect) => {
    expect(reason(sql, dialect)).toBe("ok");
  });
});

describe("refused: anything that could change something", () => {
  test.each<[string, Dialect, RegExp]>([
    ["SELECT nextval('s')", "postgres", /nextval/],
    ["SELECT setval('s', 1)", "postgres", /setval/],
    ["SELECT pg_notify('c', 'x')", "postgres", /pg_notify/],
    ["SELECT dblink_exec('host=x', 'DELETE FROM t')", "postgres", /dblink_exec/],
    ["SELECT lo_import('/etc/passwd')", "postgres", /lo_import/],
    ["SELECT pg_terminate_backend(42)", "postgres", /pg_terminate_backend/],
    ["SELECT my_audit(id) FROM orders", "postgres", /my_audit/],
    ["SELECT public.lower(name) FROM customers", "postgres", /public\.lower/],
    ["SELECT txid_current()", "postgres", /txid_current/],
    ["WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "postgres", /writes \(DELETE on orders\)/],
    ["SELECT 1; DELETE FROM orders WHERE id = 1", "postgres", /statement 2 of 2 .*DELETE/],
    ["SELECT 1 /* ; */; UPDATE orders SET status = 'x' WHERE id = 1 -- ;", "postgres", /UPDATE/],
    ["EXPLAIN ANALYZE DELETE FROM orders WHERE id = 1", "postgres", /EXPLAIN ANALYZE/],
    ["EXPLAIN ANALYZE SELECT * FROM orders", "postgres", /EXPLAIN ANALYZE/],
    ["EXPLAIN DELETE FROM orders WHERE id = 1", "postgres", /explains a DELETE/],
    ["SELECT * FROM orders FOR UPDATE", "postgres", /locks rows/],
    ["SELECT * FROM orders WHERE id IN (SELECT id FROM orders FOR NO KEY UPDATE)", "postgres", /locks rows/],
    ["SELECT * FROM orders FOR SHARE SKIP LOCKED", "postgres", /locks rows/],
    ["SELECT * FROM orders LOCK IN SHARE MODE", "mysql", /locks rows/],
    ["SELECT * FROM orders /*! FOR UPDATE */", "mysql", /locks rows/],
    ["SELECT * INTO copy FROM orders", "postgres", /DDL/i],
    ["SELECT id INTO @v FROM orders LIMIT 1", "mysql", /INTO/],
    ["SELECT * FROM orders INTO OUTFILE '/tmp/x'", "mysql", /INTO|file/],
    ["SELECT @a := 1", "mysql", /assigns/],
    ["SELECT get_lock('x', 10)", "mysql", /get_lock/],
    ["SELECT sleep(5)", "mysql", /sleep/],
    // Calls hidden in LIMIT / OFFSET / FETCH FIRST, behind a MySQL `--` that is not a comment, or in a named WINDOW.
    ["SELECT 1 LIMIT (SELECT 1 FROM pg_advisory_lock(42))", "postgres", /pg_advisory_lock/],
    ["SELECT 1 OFFSET (SELECT count(*) FROM pg_advisory_lock(42))", "postgres", /pg_advisory_lock/],
    ["SELECT * FROM generate_series(1,1000000) LIMIT (SELECT nextval('s'))", "postgres", /nextval/],
    ["SELECT id FROM orders ORDER BY id FETCH FIRST (SELECT count(*) FROM pg_advisory_lock(42)) ROWS ONLY", "postgres", /pg_advisory_lock/],
    ["SELECT 1 UNION SELECT 2 LIMIT (SELECT count(*) FROM pg_advisory_lock(42))", "postgres", /pg_advisory_lock/],
    ["VALUES (1), (2) OFFSET (SELECT count(*) FROM pg_advisory_lock(42))", "postgres", /pg_advisory_lock/],
    ["SELECT 1 --1, GET_LOCK('app_lock', 0)", "mysql", /get_lock/],
    ["SELECT 1 --1, (SELECT GET_LOCK('app_lock', 0) FROM customers LIMIT 1)", "mysql", /get_lock/],
    ["SELECT COUNT(*) OVER w FROM t WINDOW w AS (ORDER BY GET_LOCK('app_lock',0))", "mysql", /get_lock/],
    ["DECLARE c CURSOR FOR SELECT 1", "postgres", /DECLARE/],
    ["DELETE FROM orders WHERE id = 1", "postgres", /a DELETE statement/],
    ["UPDATE orders SET status = 'x' WHERE id = 1", "mysql", /an UPDATE statement/],
    ["INSERT INTO orders VALUES (1)", "postgres", /an INSERT statement/],
    ["CREATE TABLE x (a int)", "postgres", /DDL/],
    ["SET search_path = evil", "postgres", /SESSION/],
    ["BEGIN", "postgres", /TRANSACTION/],
    ["NOTIFY ch", "postgres", /NOTIFY/],
    ["CALL p()", "mysql", /PROCEDURAL/],
    ["ANALYZE DELETE FROM orders", "mysql", /EXPLAIN ANALYZE|ANALYZE/],
    ["SELEC 1", "postgres", /could not analyse/],
    ["SELECT 'unterminated", "postgres", /could not analyse|quoting/],
  ])("%s (%s)", (sql, dialect, why) => {
    const verdict = check(sql, dialect);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.reason).toMatch(why);
      expect(verdict.hint).toMatch(/`execute`/);
    }
  });

  test("a clause hidden by either reading of a backslash in a string is still found", () => {
    // Standard strings end at the second quote (the clause is code); with backslash escapes it stays inside.
    expect(reason("SELECT 'a\\' FOR UPDATE --' FROM orders", "postgres")).not.toBe("ok");
    expect(reason("SELECT E'a\\' FOR UPDATE --' FROM orders", "postgres")).not.toBe("ok");
  });
});

describe("codeOf", () => {
  test("sets strings, identifiers and comments aside, nested comments on PostgreSQL", () => {
    expect(codeOf("select 'x' /* a /* b */ c */ from \"t\" -- d\n where $q$ e $q$ = 1", "postgres", false)).toBe("SELECT  _    FROM  _    WHERE  _  = 1");
  });

  test("keeps MySQL's executable comments as code", () => {
    expect(codeOf("select 1 /*!50000 for update */", "mysql", true)).toMatch(/FOR UPDATE/);
  });

  test("an open quote or comment is undefined (refused)", () => {
    expect(codeOf("select 'x", "postgres", false)).toBeUndefined();
    expect(codeOf("select 1 /* x", "postgres", false)).toBeUndefined();
  });
});

describe("explainText", () => {
  const explain = (sql: string, dialect: Dialect = "postgres") => explainText(sql, analyze(sql, dialect), (text) => analyze(text, dialect));

  test("composes a plain EXPLAIN of one statement, reads and writes alike", () => {
    expect(explain("SELECT * FROM orders;")).toEqual({ ok: true, text: "EXPLAIN (FORMAT TEXT) SELECT * FROM orders" });
    expect(explain("DELETE FROM orders WHERE id = 1", "mysql")).toEqual({ ok: true, text: "EXPLAIN DELETE FROM orders WHERE id = 1" });
  });

  test.each([
    ["SELECT 1; DELETE FROM orders", /exactly one/],
    ["EXPLAIN ANALYZE DELETE FROM orders", /no plan/],
    ["SELECT nextval('s')", /nextval/],
    ["BEGIN", /no plan/],
    ["SELEC 1", /could not analyse/],
  ])("refuses %s", (sql, why) => {
    const verdict = explain(sql);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(why);
  });
});
