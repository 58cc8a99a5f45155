// Statement analysis: `analyze(sql, dialect)` → one StatementAnalysis per statement. Pure and synchronous
// once `await initSqlParsers()` has loaded the PostgreSQL parser (WASM). Results are frozen and cached by
// (dialect, text), so a repeat costs one map lookup. Hostile input never throws: too large, too deep, too
// slow, empty or unparseable input each come back as an `unknown` statement with a reason.
//
// Decisions callers rely on:
// - Empty, whitespace-only or comment-only input → one `unknown` statement, errorCode "empty_statement".
// - `unknown` statements report hasWhere: false (fail closed), plus whatever a fallback scan could see.
// - `normalized` and `fingerprint` are computed on first read (libpg-query's fingerprint costs as much as a
//   parse), then kept; the object is frozen either way.
// - A time-budget failure is not cached (a GC pause must not make a text unknown forever).
// - A text that differs from an analysed one only in the constants it compares columns with (shape-key.ts:
//   `… WHERE id = 1` and `… WHERE id = 2`) reuses that analysis with its own text, without parsing.

import type { Analysis, Dialect, StatementAnalysis } from "./types";
import { LruCache } from "./cache";
import { ANALYSIS_TIME_BUDGET_MS, Budget } from "./core/budget";
import { hash64 } from "./core/hash";
import { plainIdentity, unknownStatement, withText } from "./core/statement";
import { analyzeMysql, mysqlIdentity } from "./mysql/analyze";
import { analyzePostgres, loadPostgresParser, postgresIdentity, postgresParserReady } from "./postgres/analyze";
import { analysisKey, keyedStatementText } from "./shape-key";

export type * from "./types";
export { ANALYSIS_TIME_BUDGET_MS, MAX_NESTING_DEPTH } from "./core/budget";
export { statementShape } from "./shape";

/** Inputs longer than this (in UTF-16 code units, ~1 MB of ASCII) are rejected unparsed. */
export const MAX_INPUT_LENGTH = 1024 * 1024;
/** Analyses kept per dialect. */
export const ANALYSIS_CACHE_CAPACITY = 4096;

export interface AnalyzeOptions {
  /** Skip the cache both ways (benchmarks, tests). */
  readonly bypassCache?: boolean;
  /** Override the walk's time budget in milliseconds. */
  readonly timeBudgetMs?: number;
}

const caches: Record<Dialect, LruCache<Analysis>> = {
  postgres: new LruCache(ANALYSIS_CACHE_CAPACITY),
  mysql: new LruCache(ANALYSIS_CACHE_CAPACITY),
};
/** Analyses by shape key (shape-key.ts): a text that differs from a cached one only in compared constants. */
const shapes: Record<Dialect, LruCache<StatementAnalysis>> = {
  postgres: new LruCache(ANALYSIS_CACHE_CAPACITY),
  mysql: new LruCache(ANALYSIS_CACHE_CAPACITY),
};

/** Load the parsers (PostgreSQL's is WebAssembly). Call once at start-up; safe to call again. */
export async function initSqlParsers(): Promise<void> {
  await loadPostgresParser();
}

/** True once `initSqlParsers()` has completed. */
export function sqlParsersReady(): boolean {
  return postgresParserReady();
}

export function clearAnalysisCache(): void {
  caches.postgres.clear();
  caches.mysql.clear();
  shapes.postgres.clear();
  shapes.mysql.clear();
}

/**
 * Analyse `sql` in `dialect`. Before `initSqlParsers()` resolves, PostgreSQL input yields one `unknown`
 * statement (code "not_initialised"); it is not cached.
 */
export function analyze(sql: string, dialect: Dialect, options: AnalyzeOptions = {}): Analysis {
  const cache = caches[dialect];
  if (!options.bypassCache) {
    const hit = cache.get(sql);
    if (hit) return hit;
  }
  if (dialect === "postgres" && !postgresParserReady()) {
    return seal(dialect, [rejected(dialect, sql, "not_initialised")]);
  }
  const key = options.bypassCache ? null : analysisKey(sql, dialect);
  const template = key === null ? undefined : shapes[dialect].get(key);
  if (template !== undefined) {
    const text = keyedStatementText(sql);
    // Not kept by its text as well: one shape with ever new constants would push every other text out.
    return seal(dialect, [withText(template, dialect === "postgres" ? postgresIdentity(text) : mysqlIdentity(text))]);
  }
  const analysis = seal(dialect, run(sql, dialect, options));
  if (!options.bypassCache && analysis.statements.every((s) => s.errorCode !== "time_budget_exceeded")) {
    cache.set(sql, analysis);
    // A shape is kept only for one statement that analysed, cut from the text as shape-key.ts cuts it.
    const only = analysis.statements.length === 1 ? analysis.statements[0]! : undefined;
    if (key !== null && only !== undefined && only.kind !== "unknown" && only.text === keyedStatementText(sql)) shapes[dialect].set(key, only);
  }
  return analysis;
}

function run(sql: string, dialect: Dialect, options: AnalyzeOptions): StatementAnalysis[] {
  if (sql.length > MAX_INPUT_LENGTH) return [rejected(dialect, sql, "input_too_large")];
  const budget = new Budget(options.timeBudgetMs ?? ANALYSIS_TIME_BUDGET_MS);
  return dialect === "postgres" ? analyzePostgres(sql, budget) : analyzeMysql(sql, budget);
}

function rejected(dialect: Dialect, sql: string, code: "input_too_large" | "not_initialised"): StatementAnalysis {
  // Huge input is neither copied into the answer nor hashed in full.
  const text = sql.length > 256 ? `${sql.slice(0, 256)}…` : sql;
  const fingerprint = hash64(`${sql.length}:${text}`);
  return unknownStatement(dialect, plainIdentity(text, () => fingerprint), code);
}

function seal(dialect: Dialect, statements: StatementAnalysis[]): Analysis {
  return Object.freeze({
    dialect,
    statements: Object.freeze(statements),
    multiStatement: statements.length > 1,
  });
}
