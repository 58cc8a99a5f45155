import { describe, expect, it } from "vitest";
import { compilePolicy } from "./compile";
import { defaultPolicy } from "./defaults";
import { evaluate } from "./evaluate";
import { analysis, context, out, stmt } from "./fixtures";
import type { StatementAnalysis } from "../sql/types";

const compiled = compilePolicy(defaultPolicy());
const decide = (...s: StatementAnalysis[]) => evaluate(compiled, analysis(...s), context({ dialect: s[0].dialect }));
const my = (p: Parameters<typeof stmt>[0]) => stmt({ dialect: "mysql", ...p });

describe("default policy", () => {
  it("allows reads", () => {
    const d = decide(stmt({ kind: "select", tablesRead: ["orders"], outputColumns: [out("id", "orders.id")], hasLimit: true, limit: 10 }));
    expect(d.action).toBe("allow");
    expect(d.matched.map((m) => m.ruleId)).toEqual(["allow-reads"]);
    expect(d.hints).toEqual([]);
  });

  it("hints at LIMIT when a read has none or a larger one", () => {
    const orders = { kind: "select", tablesRead: ["orders"], outputColumns: [out("id", "orders.id")] } as const;
    expect(decide(stmt(orders)).hints).toContain("use LIMIT ≤ 1000");
    expect(decide(stmt({ ...orders, hasLimit: true, limit: 5000 })).hints).toContain("use LIMIT ≤ 1000");
    expect(decide(stmt(orders)).maxRows).toBe(1000);
    expect(decide(stmt({ kind: "select", outputColumns: [{ name: "?column?", sources: [], direct: false }] })).hints).toEqual([]);
  });

  it("sends unanalysable statements for approval", () => {
    const d = decide(stmt({ kind: "unknown", error: "syntax error at or near", errorCode: "parse_error" }));
    expect(d.action).toBe("require_approval");
    if (d.action !== "require_approval") return;
    expect(d.approval).toEqual({ approverRoles: ["approver", "admin"], minApprovals: 1, expirySeconds: 900, expiresAt: new Date("2025-01-02T03:19:05.000Z"), message: "Airlock could not analyse this statement; a reviewer must approve it", requireReason: false, ruleIds: ["unknown-needs-approval"] });
    expect(d.masking.otherColumns.detectors).toBe(true);
  });

  it.each([
    ["pg_read_file", "postgres"], ["pg_catalog.pg_read_binary_file", "postgres"], ["pg_ls_dir", "postgres"], ["pg_stat_file", "postgres"],
    ["lo_import", "postgres"], ["lo_export", "postgres"], ["dblink", "postgres"], ["dblink_exec", "postgres"], ["pg_terminate_backend", "postgres"],
    ["pg_cancel_backend", "postgres"], ["set_config", "postgres"], ["pg_reload_conf", "postgres"], ["pg_rotate_logfile", "postgres"],
    ["pg_promote", "postgres"], ["query_to_xml", "postgres"], ["table_to_xml", "postgres"], ["pg_sleep", "postgres"], ["pg_sleep_for", "postgres"],
    ["load_file", "mysql"], ["sleep", "mysql"], ["benchmark", "mysql"], ["sys_exec", "mysql"],
  ] as const)("blocks %s (%s)", (fn, dialect) => {
    const d = decide(stmt({ dialect, kind: "select", functions: [fn], outputColumns: [{ name: "x", sources: [], direct: false }] }));
    expect(d.action).toBe("block");
    if (d.action === "block") expect(d.matched[0].what).toContain(`function ${fn}`);
  });

  it("does not block harmless functions", () => {
    expect(decide(stmt({ kind: "select", functions: ["current_setting", "now", "upper"] })).action).toBe("allow");
  });

  it.each([
    ["COPY TO PROGRAM", stmt({ kind: "copy", copy: { direction: "to", target: "program" }, tablesRead: ["t"] })],
    ["COPY FROM PROGRAM", stmt({ kind: "copy", copy: { direction: "from", target: "program" }, tablesWritten: ["t"] })],
    ["COPY TO file", stmt({ kind: "copy", copy: { direction: "to", target: "file" }, tablesRead: ["t"] })],
    ["INTO OUTFILE", my({ kind: "select", fileAccess: true, tablesRead: ["t"] })],
    ["LOAD DATA", my({ kind: "other", fileAccess: true, tablesWritten: ["t"] })],
    ["DROP TABLE", stmt({ kind: "ddl", ddl: { action: "drop", objectType: "table" } })],
    ["DROP DATABASE", my({ kind: "ddl", ddl: { action: "drop", objectType: "database" } })],
    ["TRUNCATE", stmt({ kind: "truncate", tablesWritten: ["t"] })],
    ["DELETE without WHERE", stmt({ kind: "delete", hasWhere: false, tablesWritten: ["t"] })],
    ["UPDATE without WHERE", my({ kind: "update", hasWhere: false, tablesWritten: ["t"] })],
    ["DELETE in a CTE", stmt({ kind: "select", tablesWritten: ["t"], writes: [{ kind: "delete", table: "t", hasWhere: false }] })],
    ["SET ROLE", stmt({ kind: "session", setting: "role" })],
    ["SET SESSION AUTHORIZATION", stmt({ kind: "session", setting: "session_authorization" })],
    ["SET default_transaction_read_only", stmt({ kind: "session", setting: "default_transaction_read_only" })],
    ["pg_stats", stmt({ kind: "select", tablesRead: ["pg_catalog.pg_stats"] })],
  ])("blocks %s", (_, s) => {
    expect(decide(s).action).toBe("block");
  });

  it("explains an unbounded write with a hint", () => {
    const d = decide(stmt({ kind: "delete", hasWhere: false, tablesWritten: ["t"] }));
    expect(d).toMatchObject({ action: "block", code: "rule_block", message: "UPDATE or DELETE without WHERE would change every row", hints: ["add a WHERE clause"] });
  });

  it.each([
    ["INSERT", stmt({ kind: "insert", tablesWritten: ["t"], writes: [{ kind: "insert", table: "t", hasWhere: true }] })],
    ["UPDATE with WHERE", stmt({ kind: "update", tablesWritten: ["t"] })],
    ["DELETE with WHERE", stmt({ kind: "delete", tablesWritten: ["t"] })],
    ["MERGE", stmt({ kind: "merge", tablesWritten: ["t"] })],
    ["CREATE TABLE", stmt({ kind: "ddl", ddl: { action: "create", objectType: "table" } })],
    ["ALTER TABLE", stmt({ kind: "ddl", ddl: { action: "alter", objectType: "table" } })],
    ["GRANT", stmt({ kind: "grant" })],
    ["COPY FROM STDIN", stmt({ kind: "copy", copy: { direction: "from", target: "stdio" }, tablesWritten: ["t"] })],
    ["DO block", stmt({ kind: "procedural" })],
    ["LOCK", stmt({ kind: "lock", tablesRead: ["t"] })],
    ["VACUUM", stmt({ kind: "maintenance" })],
    ["an unclassified statement", stmt({ kind: "other", normalized: "LISTEN x" })],
    ["INSERT in a CTE", stmt({ kind: "select", tablesWritten: ["t"], writes: [{ kind: "insert", table: "t", hasWhere: true }] })],
  ])("asks approval for %s", (_, s) => {
    expect(decide(s).action).toBe("require_approval");
  });

  it.each([
    ["BEGIN", stmt({ kind: "transaction" })],
    ["SET statement_timeout", stmt({ kind: "session", setting: "statement_timeout" })],
    ["EXPLAIN", stmt({ kind: "explain", explain: { analyze: false, inner: stmt({ kind: "select" }) } })],
    ["COPY TO STDOUT", stmt({ kind: "copy", copy: { direction: "to", target: "stdio" }, tablesRead: ["orders"] })],
    ["SHOW TABLES", my({ kind: "other", normalized: "SHOW TABLES" })],
  ])("allows %s", (_, s) => {
    expect(decide(s).action).toBe("allow");
  });

  it("treats EXPLAIN ANALYZE of a write as the write", () => {
    const inner = stmt({ kind: "delete", hasWhere: false, tablesWritten: ["t"], writes: [{ kind: "delete", table: "t", hasWhere: false }] });
    const d = decide(stmt({ kind: "explain", explain: { analyze: true, inner } }));
    expect(d.action).toBe("block");
    const insert = stmt({ kind: "insert", tablesWritten: ["t"] });
    expect(decide(stmt({ kind: "explain", explain: { analyze: true, inner: insert } })).action).toBe("require_approval");
    // A plain EXPLAIN does not run the insert.
    expect(decide(stmt({ kind: "explain", explain: { analyze: false, inner: insert } })).action).toBe("allow");
    // EXPLAIN ANALYZE inside EXPLAIN ANALYZE still runs.
    const nested = stmt({ kind: "explain", explain: { analyze: true, inner: stmt({ kind: "explain", explain: { analyze: true, inner } }) } });
    expect(decide(nested).action).toBe("block");
  });

  it("decides a multi-statement text as a whole", () => {
    const read = stmt({ kind: "select", outputColumns: [out("one", "t.one")] });
    const drop = stmt({ kind: "ddl", ddl: { action: "drop", objectType: "table" } });
    const insert = stmt({ kind: "insert", tablesWritten: ["t"] });
    const d = decide(read, drop);
    expect(d).toMatchObject({ action: "block", statementIndex: 1, message: "DROP is not allowed" });
    expect(decide(read, insert).action).toBe("require_approval");
    expect(decide(insert, drop).action).toBe("block");
    expect(decide(read, read).action).toBe("allow");
  });

  it("returns a fresh copy each time", () => {
    const a = defaultPolicy();
    a.rules.length = 0;
    expect(defaultPolicy().rules.length).toBeGreaterThan(10);
  });
});

describe("every refusal of the defaults says what to do instead", () => {
  const blocked: [string, StatementAnalysis, RegExp][] = [
    ["a dangerous PostgreSQL function", stmt({ kind: "select", functions: ["pg_read_file"], outputColumns: [{ name: "f", sources: [], direct: false }] }), /tables and views/],
    ["LOAD_FILE", my({ kind: "select", functions: ["load_file"], fileAccess: true, outputColumns: [{ name: "f", sources: [], direct: false }] }), /server files/],
    ["SET GLOBAL", my({ kind: "session", setting: "global.max_connections" }), /operator/],
    ["COPY to a program", stmt({ kind: "copy", copy: { direction: "to", target: "program" }, tablesRead: ["t"] }), /STDOUT/],
    ["DROP", stmt({ kind: "ddl", ddl: { action: "drop", objectType: "table" }, tablesWritten: ["t"] }), /migration/],
    ["TRUNCATE", stmt({ kind: "truncate", tablesWritten: ["t"] }), /DELETE/],
    ["SET ROLE", stmt({ kind: "session", setting: "role" }), /operator/],
    ["pg_statistic", stmt({ kind: "select", tablesRead: ["pg_catalog.pg_statistic"], outputColumns: [out("x", "pg_catalog.pg_statistic.x")] }), /information_schema/],
  ];
  it.each(blocked)("%s", (_name, statement, hint) => {
    const d = decide(statement);
    expect(d.action).toBe("block");
    expect(d.hints.length).toBeGreaterThan(0);
    expect(d.hints.join(" ")).toMatch(hint);
  });

  it("a block rule written without a hint still gets one, naming the rule", () => {
    const custom = compilePolicy({ ...defaultPolicy(), rules: [{ id: "no-orders", name: "No orders", enabled: true, scope: { connections: [], agentGroups: [], agents: [] }, match: { tables: ["orders"] }, action: { type: "block", message: "not here" } }] } as never);
    const d = evaluate(custom, analysis(stmt({ kind: "select", tablesRead: ["orders"] })), context());
    expect(d.action).toBe("block");
    expect(d.hints.join(" ")).toMatch(/No orders/);
  });
});
