import { beforeAll, describe, expect, it } from "vitest";
import { compilePolicy, evaluate } from "../policy";
import { defaultPolicy } from "../policy/defaults";
import { context, demoMasking } from "../policy/fixtures";
import { analyze, clearAnalysisCache, initSqlParsers } from "./index";
import { mysqlCorpus } from "./corpus/mysql";
import { postgresCorpus } from "./corpus/postgres";
import { analysisKey } from "./shape-key";
import type { Analysis, Dialect } from "./types";

// The shape key never merges statements that analyse or are decided differently: over the analysis corpus and
// variants of it with other constants, every pair with one key has the same analysis (but for its text) and the
// same decision; and the places where a constant changes what a statement does keep their values in the key.

beforeAll(async () => {
  await initSqlParsers();
});

const policies = compilePolicy([defaultPolicy(), demoMasking()]);

/** Everything policy could look at: the analysis without its text, and the decision without its clock. */
function meaning(analysis: Analysis, dialect: Dialect) {
  const hidden = new Set(["text", "normalized", "fingerprint"]);
  const statements = analysis.statements.map((statement) => Object.fromEntries(Object.keys(statement).filter((key) => !hidden.has(key)).map((key) => [key, statement[key as keyof typeof statement]])));
  const decision = evaluate(policies, analysis, context({ dialect }));
  return JSON.stringify({ statements, decision }, (key, value: unknown) => (key === "expiresAt" ? undefined : value));
}

/** The text with its i-th number or string constant changed (several ways), for every constant. */
function variants(sql: string): string[] {
  const out: string[] = [];
  const constants = [...sql.matchAll(/'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b/g)];
  for (const match of constants) {
    const value = match[0];
    const replacements = value.startsWith("'") ? ["'zz'", "''", "'a''b'", "'1'"] : ["0", "7", "100000", "1.5"];
    for (const replacement of replacements) {
      if (replacement !== value) out.push(sql.slice(0, match.index) + replacement + sql.slice(match.index! + value.length));
    }
  }
  return out;
}

const corpora: [Dialect, readonly { sql: string }[]][] = [
  ["postgres", postgresCorpus],
  ["mysql", mysqlCorpus],
];

describe.each(corpora)("%s corpus", (dialect, corpus) => {
  it("statements with one key analyse and are decided alike", () => {
    let keyed = 0;
    let compared = 0;
    for (const { sql } of corpus) {
      const key = analysisKey(sql, dialect);
      if (key === null) continue;
      keyed++;
      const expected = meaning(analyze(sql, dialect, { bypassCache: true }), dialect);
      for (const variant of variants(sql)) {
        if (analysisKey(variant, dialect) !== key) continue;
        compared++;
        expect(meaning(analyze(variant, dialect, { bypassCache: true }), dialect), `${sql}\n  vs ${variant}`).toBe(expected);
      }
    }
    // the corpus has keyed statements to compare, or this test would prove nothing
    expect(keyed).toBeGreaterThan(3);
    expect(compared).toBeGreaterThan(10);
  });

  it("through the cache, a second text of one shape gets the first one's analysis with its own text", () => {
    clearAnalysisCache();
    for (const { sql } of corpus) {
      if (analysisKey(sql, dialect) === null) continue;
      for (const variant of variants(sql)) {
        if (analysisKey(variant, dialect) !== analysisKey(sql, dialect)) continue;
        analyze(sql, dialect);
        const cached = analyze(variant, dialect);
        const fresh = analyze(variant, dialect, { bypassCache: true });
        expect(cached.statements.map((s) => s.text)).toEqual(fresh.statements.map((s) => s.text));
        expect(cached.statements[0]!.normalized).toBe(fresh.statements[0]!.normalized);
        expect(meaning(cached, dialect)).toBe(meaning(fresh, dialect));
      }
    }
  });
});

describe("what keeps its value in the key", () => {
  const differ: [string, string][] = [
    ["SELECT * FROM customers WHERE id = 1 LIMIT 5", "SELECT * FROM customers WHERE id = 1 LIMIT 5000"],
    ["SELECT id, ssn FROM customers WHERE id = 1 ORDER BY 1", "SELECT id, ssn FROM customers WHERE id = 1 ORDER BY 2"],
    ["SELECT id, ssn FROM customers WHERE id = 1 GROUP BY 1", "SELECT id, ssn FROM customers WHERE id = 1 GROUP BY 2"],
    ["DELETE FROM customers WHERE 'a' = 'a' AND id = 1", "DELETE FROM customers WHERE 'a' = 'b' AND id = 1"],
    ["SELECT nextval('a') FROM t WHERE id = 1", "SELECT nextval('b') FROM t WHERE id = 1"],
    ["SELECT * FROM t WHERE oid = 'customers'::regclass AND id = 1", "SELECT * FROM t WHERE oid = 'orders'::regclass AND id = 1"],
    ["SELECT * FROM t WHERE current_user = 'a' AND id = 1", "SELECT * FROM t WHERE current_user = 'b' AND id = 1"],
    ["SELECT * FROM t WHERE id IN (1, 2) AND a = 1", "SELECT * FROM t WHERE id IN (3, 4) AND a = 1"],
    ["SELECT * FROM t WHERE d = DATE '2020-01-01' AND id = 1", "SELECT * FROM t WHERE d = DATE '2030-01-01' AND id = 1"],
    ["SELECT * FROM t WHERE id = 1 OFFSET 5", "SELECT * FROM t WHERE id = 1 OFFSET 6"],
    ["SELECT lower('X') FROM t WHERE id = 1", "SELECT lower('Y') FROM t WHERE id = 1"],
  ];
  it.each(differ)("%s ≠ %s", (a, b) => {
    for (const dialect of ["postgres", "mysql"] as const) {
      const ka = analysisKey(a, dialect);
      const kb = analysisKey(b, dialect);
      if (ka !== null || kb !== null) expect(ka).not.toBe(kb);
    }
  });

  const none = [
    "SELECT * FROM t WHERE id = 1 -- ' OR 1 = 1",
    "SELECT * FROM t WHERE id = 1 /* */",
    "SELECT * FROM t WHERE a = 'x\\' AND id = 1",
    "SELECT * FROM t WHERE a = $$x$$",
    "SELECT * FROM t WHERE a = E'x'",
    "SELECT * FROM t WHERE a = 0x1F",
    "SELECT * FROM t WHERE a = 1_000",
    "SELECT * FROM t WHERE id = 1; DROP TABLE t",
    "DO $$ BEGIN DELETE FROM t WHERE id = 1; END $$",
    "COPY t TO STDOUT WHERE id = 1",
    "SET statement_timeout = 0",
    "SELECT * FROM t WHERE a = 'é'",
    "SELECT * FROM t WHERE a = 'x' 'y'",
    "EXPLAIN SELECT * FROM t WHERE id = 1",
  ];
  it.each(none)("no key: %s", (sql) => {
    expect(analysisKey(sql, "postgres")).toBeNull();
  });

  it("MySQL: double-quoted text and # comments have no key; backticks are identifiers", () => {
    expect(analysisKey('SELECT * FROM t WHERE a = "x"', "mysql")).toBeNull();
    expect(analysisKey("SELECT * FROM t WHERE id = 1 # x", "mysql")).toBeNull();
    expect(analysisKey("SELECT * FROM `t` WHERE `id` = 1", "mysql")).toBe(analysisKey("SELECT * FROM `t` WHERE `id` = 2", "mysql"));
  });

  it("pgbench's and sysbench's point selects share one key per shape", () => {
    const pg = (n: number) => `SELECT abalance FROM pgbench_accounts WHERE aid = ${n};`;
    expect(analysisKey(pg(1), "postgres")).not.toBeNull();
    expect(analysisKey(pg(1), "postgres")).toBe(analysisKey(pg(99999), "postgres"));
    const sb = (n: number) => `SELECT c FROM sbtest1 WHERE id=${n}`;
    expect(analysisKey(sb(1), "mysql")).toBe(analysisKey(sb(2), "mysql"));
  });
});
