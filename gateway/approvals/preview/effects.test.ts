import { beforeAll, describe, expect, it } from "vitest";
import { analyze, initSqlParsers } from "../../../lib/sql";
import { irreversibleEffects, isPreviewableWrite, unknownFunctions } from "./effects";
import { planEstimate } from "./postgres";
import { previewDeadlineMs, previewError, statementBody } from "./outcome";
import { TargetError } from "../../targets/errors";

// The flags come from real analyses (lib/sql), so a change in how the analysis names functions or kinds shows here.

beforeAll(async () => {
  await initSqlParsers();
});

function flagsOf(sql: string, engine: "postgres" | "mysql" = "postgres"): string[] {
  const statement = analyze(sql, engine).statements[0]!;
  return irreversibleEffects(statement, engine).map((flag) => flag.code);
}

describe("irreversibleEffects", () => {
  it("passes plain writes with harmless built-ins", () => {
    expect(flagsOf("UPDATE customers SET email = lower(email), seen = now() WHERE id = $1")).toEqual([]);
    expect(flagsOf("UPDATE t SET a = coalesce(b, 'x')::text, c = CAST(d AS int), e = date_trunc('day', f), g = extract(year from now())")).toEqual([]);
    expect(flagsOf("INSERT INTO t (id, token) VALUES (1, gen_random_uuid())")).toEqual([]);
    expect(flagsOf("DELETE FROM t WHERE created_at < now() - interval '1 day'")).toEqual([]);
    expect(flagsOf("UPDATE t SET a = pg_catalog.upper(b), c = greatest(d, 0), e = round(f, 2)")).toEqual([]);
    expect(flagsOf("UPDATE t SET a = UPPER(b), c = IFNULL(d, 0), e = DATE_FORMAT(NOW(), '%Y') WHERE id = ?", "mysql")).toEqual([]);
  });

  it("flags DDL and TRUNCATE as ddl on both engines", () => {
    expect(flagsOf("CREATE TABLE x (id int)")).toEqual(["ddl"]);
    expect(flagsOf("ALTER TABLE t ADD COLUMN c int")).toEqual(["ddl"]);
    expect(flagsOf("DROP TABLE t", "mysql")).toEqual(["ddl"]);
    expect(flagsOf("TRUNCATE t")).toEqual(["ddl"]);
    expect(flagsOf("TRUNCATE t", "mysql")).toEqual(["ddl"]);
    expect(flagsOf("SELECT * INTO newt FROM t")).toEqual(["ddl"]);
  });

  it("flags sequence functions", () => {
    expect(flagsOf("INSERT INTO t (id) VALUES (nextval('t_id_seq'))")).toEqual(["sequence"]);
    expect(flagsOf("UPDATE t SET a = setval('s', 10)")).toEqual(["sequence"]);
    expect(flagsOf("UPDATE t SET a = currval('s')")).toEqual(["sequence"]);
    expect(flagsOf("INSERT INTO t VALUES (NEXTVAL(s))", "mysql")).toEqual(["sequence"]);
  });

  it("flags notifications", () => {
    expect(flagsOf("SELECT pg_notify('orders', 'x')")).toEqual(["not_a_write", "notification"]);
    expect(flagsOf("UPDATE t SET note = pg_notify('c', 'x')::text")).toEqual(["notification"]);
    expect(flagsOf("NOTIFY orders, 'x'")).toEqual(["notification"]);
  });

  it("flags every function that is not a known harmless built-in", () => {
    expect(flagsOf("UPDATE t SET a = dblink_exec('host=x', 'DELETE FROM y')")).toEqual(["volatile_function"]);
    expect(flagsOf("UPDATE t SET a = my_audit(b)")).toEqual(["volatile_function"]);
    expect(flagsOf("UPDATE t SET a = public.lower(b)")).toEqual(["volatile_function"]);
    expect(flagsOf("UPDATE t SET a = lo_import('/etc/passwd')")).toEqual(["volatile_function"]);
    expect(flagsOf("UPDATE t SET a = pg_terminate_backend(1)::text")).toEqual(["volatile_function"]);
    expect(flagsOf("UPDATE t SET a = set_config('x.y', 'z', false)")).toEqual(["volatile_function"]);
    expect(flagsOf("UPDATE t SET a = SLEEP(1)", "mysql")).toEqual(["volatile_function"]);
    expect(flagsOf("UPDATE t SET a = mydb.f(1)", "mysql")).toEqual(["volatile_function"]);
    const statement = analyze("UPDATE t SET a = my_audit(b), c = lower(d), e = nextval('s')", "postgres").statements[0]!;
    expect(unknownFunctions(statement, "postgres")).toEqual(["my_audit"]);
  });

  it("says not_a_write for reads and unsupported for kinds a preview does not run", () => {
    expect(flagsOf("SELECT * FROM t")).toEqual(["not_a_write"]);
    expect(flagsOf("EXPLAIN SELECT 1")).toEqual(["not_a_write"]);
    expect(flagsOf("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d")).toEqual(["unsupported"]);
    for (const sql of ["COPY t FROM STDIN", "GRANT SELECT ON t TO x", "SET search_path = x", "BEGIN", "DO $$ BEGIN END $$", "LISTEN c", "VACUUM t", "LOCK TABLE t", "SELEC 1"]) {
      expect(flagsOf(sql), sql).toEqual(["unsupported"]);
    }
    expect(flagsOf("LOAD DATA INFILE '/tmp/x' INTO TABLE t", "mysql")).toEqual(["unsupported"]);
  });

  it("names functions and statement kinds in the details, never a value", () => {
    const statement = analyze("UPDATE t SET a = my_audit('4111 1111 1111 1111')", "postgres").statements[0]!;
    const [flag] = irreversibleEffects(statement, "postgres");
    expect(flag?.detail).toContain("my_audit()");
    expect(flag?.detail).not.toContain("4111");
  });

  it("knows which kinds it may run", () => {
    expect(isPreviewableWrite(analyze("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "postgres").statements[0]!)).toBe(true);
    expect(isPreviewableWrite(analyze("SELECT 1", "postgres").statements[0]!)).toBe(false);
  });
});

describe("preview helpers", () => {
  it("strips trailing semicolons and blanks from the statement", () => {
    expect(statementBody("UPDATE t SET a = 1 ; \n")).toBe("UPDATE t SET a = 1");
    expect(statementBody("DELETE FROM t -- why")).toBe("DELETE FROM t -- why");
    // U+00A0 is part of an identifier to PostgreSQL: `t\u00a0` is another table, and stays so.
    expect(statementBody("DELETE FROM t\u00a0")).toBe("DELETE FROM t\u00a0");
    expect(statementBody("DELETE FROM t\u00a0 ;\t")).toBe("DELETE FROM t\u00a0");
  });

  it("keeps only the SQLSTATE of errors that can quote a value", () => {
    const quoting = previewError(new TargetError("sql_error", 'invalid input syntax for type integer: "123-45-6789"', { sqlState: "22P02" }));
    expect(quoting.sqlState).toBe("22P02");
    expect(quoting.message).not.toContain("123-45-6789");
    const lock = previewError(new TargetError("sql_error", "canceling statement due to lock timeout", { sqlState: "55P03" }));
    expect(lock).toEqual({ message: "canceling statement due to lock timeout", sqlState: "55P03" });
  });

  it("reads rows from a ModifyTable's scan and the cost from the top of the plan", () => {
    const json = [{ Plan: { "Node Type": "ModifyTable", "Plan Rows": 0, "Total Cost": 42.5, Plans: [{ "Node Type": "Seq Scan", "Parent Relationship": "Outer", "Plan Rows": 10, "Total Cost": 40 }] } }];
    expect(planEstimate(json)).toEqual({ estimatedRows: 10, estimatedCost: 42.5 });
    expect(planEstimate([{ Plan: { "Node Type": "Seq Scan", "Plan Rows": 7, "Total Cost": 3 } }])).toEqual({ estimatedRows: 7, estimatedCost: 3 });
    expect(planEstimate(null)).toEqual({});
  });

  it("gives a whole preview a deadline of a few statement timeouts", () => {
    expect(previewDeadlineMs({ statementTimeoutMs: 5_000, lockTimeoutMs: 1_000 })).toBe(21_000);
    expect(previewDeadlineMs({ statementTimeoutMs: Number.NaN, lockTimeoutMs: 1_000 })).toBe(1_004);
  });
});
