import { describe, expect, it } from "vitest";
import { commandOf, leadingKeywords, mysqlLeavesSessionState, pgLeavesSessionState } from "./statement-head";

describe("leadingKeywords", () => {
  it("skips whitespace, comments and opening parentheses", () => {
    expect(leadingKeywords("  -- note\n /* x */ ( select 1)", 2)).toEqual(["SELECT"]);
    expect(leadingKeywords("# mysql comment\ncreate temporary table t (a int)", 2)).toEqual(["CREATE", "TEMPORARY"]);
    expect(leadingKeywords("", 2)).toEqual([]);
  });
});

describe("commandOf", () => {
  it("reads WITH, TABLE and VALUES as SELECT", () => {
    expect(commandOf("WITH x AS (SELECT 1) SELECT * FROM x")).toBe("SELECT");
    expect(commandOf("table customers")).toBe("SELECT");
    expect(commandOf("update t set a = 1")).toBe("UPDATE");
  });
});

describe("session state", () => {
  it("pg: SET, PREPARE, LISTEN and temporary tables dirty the session", () => {
    expect(pgLeavesSessionState("SET", "SET search_path = x")).toBe(true);
    expect(pgLeavesSessionState("PREPARE", "PREPARE p AS SELECT 1")).toBe(true);
    expect(pgLeavesSessionState("CREATE TABLE", "CREATE TEMP TABLE t (a int)")).toBe(true);
    expect(pgLeavesSessionState("SELECT", "SELECT 1 INTO TEMPORARY t")).toBe(true);
    expect(pgLeavesSessionState("SELECT", "SELECT * FROM customers")).toBe(false);
    expect(pgLeavesSessionState("CREATE TABLE", "CREATE TABLE t (a int)")).toBe(false);
  });

  it("mysql: SET/USE/LOCK/transactions, temporary tables and user variables dirty the session", () => {
    for (const sql of ["SET NAMES latin1", "use other", "LOCK TABLES t READ", "START TRANSACTION", "CREATE TEMPORARY TABLE t (a int)", "SELECT @x := 1", "SELECT 1 INTO @x"]) {
      expect(mysqlLeavesSessionState(sql), sql).toBe(true);
    }
    for (const sql of ["SELECT * FROM customers", "SELECT @@version", "SELECT 'a@example.com'", "CREATE TABLE t (a int)"]) {
      expect(mysqlLeavesSessionState(sql), sql).toBe(false);
    }
  });
});
