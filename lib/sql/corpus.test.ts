import { beforeAll, describe, expect, it } from "vitest";
import { analyze, initSqlParsers, MAX_INPUT_LENGTH } from "./index";
import type { Analysis, SourceColumn } from "./types";
import type { CorpusCase } from "./corpus/case";
import { mysqlCorpus } from "./corpus/mysql";
import { postgresCorpus } from "./corpus/postgres";

beforeAll(async () => {
  await initSqlParsers();
});

const key = (s: SourceColumn) => `${s.table}.${s.column}`;

function check(c: CorpusCase, a: Analysis): void {
  const s = a.statements;
  expect(s.map((x) => x.kind)).toEqual(c.kinds);
  expect(a.multiStatement).toBe(c.kinds.length > 1);
  const first = s[0];
  const union = (f: (x: (typeof s)[number]) => readonly string[]) => [...new Set(s.flatMap(f))].sort();
  if (c.read) expect(union((x) => x.tablesRead)).toEqual([...c.read].sort());
  if (c.written) expect(union((x) => x.tablesWritten)).toEqual([...c.written].sort());
  c.out?.forEach((expected, i) => {
    expect(first.outputColumns[i], `output column ${i}`).toBeDefined();
    expect(first.outputColumns[i].sources.map(key)).toEqual(expect.arrayContaining([...expected]));
  });
  c.direct?.forEach((direct, i) => expect(first.outputColumns[i].direct, `direct ${i}`).toBe(direct));
  if (c.outHas) expect(s.flatMap((x) => x.outputColumns.flatMap((o) => o.sources.map(key)))).toEqual(expect.arrayContaining([...c.outHas]));
  if (c.pred) expect(s.flatMap((x) => x.predicateColumns.map(key))).toEqual(expect.arrayContaining([...c.pred]));
  if (c.fn) expect(s.flatMap((x) => x.functions)).toEqual(expect.arrayContaining([...c.fn]));
  if (c.hasWhere !== undefined) expect(first.hasWhere).toBe(c.hasWhere);
  if (c.limit === null) expect(first.hasLimit).toBe(false);
  else if (c.limit === true) expect([first.hasLimit, first.limit]).toEqual([true, undefined]);
  else if (c.limit !== undefined) expect([first.hasLimit, first.limit]).toEqual([true, c.limit]);
  if (c.copy) expect(first.copy).toEqual(c.copy);
  if (c.fileAccess !== undefined) expect(s.some((x) => x.fileAccess === true)).toBe(c.fileAccess);
  if (c.setting !== undefined) expect(first.setting).toBe(c.setting);
  if (c.ddl) expect(first.ddl).toEqual(c.ddl);
  if (c.explainAnalyze !== undefined) expect(first.explain?.analyze).toBe(c.explainAnalyze);
  if (c.writes) {
    const writes = s.flatMap((x) => x.writes ?? []).map((w) => `${w.kind} ${w.table} ${w.hasWhere ? "where" : "nowhere"}`);
    expect(writes).toEqual(expect.arrayContaining([...c.writes]));
  }
  if (c.errorCode) expect(first.errorCode).toBe(c.errorCode);
  for (const x of s) {
    expect(typeof x.normalized).toBe("string");
    expect(x.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  }
}

describe("postgres corpus", () => {
  it.each(postgresCorpus.map((c) => [c.sql, c] as const))("%s", (sql, c) => check(c, analyze(sql, "postgres", { bypassCache: true })));
});

describe("mysql corpus", () => {
  it.each(mysqlCorpus.map((c) => [c.sql, c] as const))("%s", (sql, c) => check(c, analyze(sql, "mysql", { bypassCache: true })));
});

describe("corpus size", () => {
  it("holds at least 110 statements across both dialects", () => {
    expect(postgresCorpus.length + mysqlCorpus.length).toBeGreaterThanOrEqual(110);
  });
});

describe.each(["postgres", "mysql"] as const)("hostile input (%s)", (dialect) => {
  it("rejects input over the size limit without parsing it", () => {
    const huge = `SELECT '${"x".repeat(10 * 1024 * 1024)}'`;
    expect(huge.length).toBeGreaterThan(MAX_INPUT_LENGTH);
    const a = analyze(huge, dialect);
    expect(a.statements).toHaveLength(1);
    expect(a.statements[0].kind).toBe("unknown");
    expect(a.statements[0].errorCode).toBe("input_too_large");
    expect(a.statements[0].text.length).toBeLessThan(1000);
  });

  it("answers unknown for 10,000 nested parentheses", () => {
    const deep = `SELECT ${"(".repeat(10_000)}1${")".repeat(10_000)}`;
    const a = analyze(deep, dialect, { bypassCache: true });
    expect(a.statements[0].kind).toBe("unknown");
  });

  it("answers unknown for deeply nested subqueries", () => {
    const deep = `SELECT * FROM ${"(SELECT * FROM ".repeat(2_000)}t${") x".repeat(2_000)}`;
    const a = analyze(deep, dialect, { bypassCache: true });
    expect(a.statements[0].kind).toBe("unknown");
  });

  it("answers unknown for unparseable text", () => {
    expect(analyze("this is not sql at all", dialect).statements[0].kind).toBe("unknown");
  });

  it("answers unknown when the time budget is spent", () => {
    const wide = `SELECT ${Array.from({ length: 3000 }, (_, i) => `upper(c${i})`).join(", ")} FROM t`;
    const a = analyze(wide, dialect, { bypassCache: true, timeBudgetMs: -1 });
    expect(a.statements[0].kind).toBe("unknown");
    expect(a.statements[0].errorCode).toBe("time_budget_exceeded");
  });
});

describe("cache", () => {
  it("returns the same frozen object for a repeat", () => {
    const a = analyze("SELECT id FROM customers WHERE id = 7", "postgres");
    const b = analyze("SELECT id FROM customers WHERE id = 7", "postgres");
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.statements[0])).toBe(true);
    expect(Object.isFrozen(a.statements[0].outputColumns[0].sources)).toBe(true);
  });

  it("keys by dialect", () => {
    expect(analyze("SELECT 1", "postgres").dialect).toBe("postgres");
    expect(analyze("SELECT 1", "mysql").dialect).toBe("mysql");
  });
});

describe("fingerprints", () => {
  it("are stable across constants and whitespace", () => {
    for (const dialect of ["postgres", "mysql"] as const) {
      const a = analyze("SELECT * FROM t WHERE id = 7", dialect).statements[0];
      const b = analyze("SELECT *  FROM t\nWHERE id = 42", dialect).statements[0];
      expect(a.fingerprint).toBe(b.fingerprint);
      expect(a.normalized).not.toContain("7");
    }
  });

  it("give each statement of a multi-statement text its own text", () => {
    const a = analyze("SELECT 1; DELETE FROM t WHERE id = 2", "postgres");
    expect(a.statements.map((s) => s.text)).toEqual(["SELECT 1", "DELETE FROM t WHERE id = 2"]);
    const m = analyze("SELECT 'é;'; DELETE FROM t", "postgres");
    expect(m.statements.map((s) => s.text)).toEqual(["SELECT 'é;'", "DELETE FROM t"]);
  });
});
