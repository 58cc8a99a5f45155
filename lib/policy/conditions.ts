import type { SourceColumn, StatementAnalysis } from "../sql/types";
import { compileGlob, compileGlobSet, compileQualifiedGlob, compileQualifiedGlobSet, splitQualified, type Glob, type QualifiedGlob } from "./glob";
import type { Match } from "./model";

// A rule's match compiled into a list of conditions, each a small closure. All must hold. `describe` is only
// called after a rule matched (to say what matched) or when a tracer asks, never on the fast path.

/** One statement as the conditions see it. The masked-column facts are computed lazily, once per statement. */
export interface StatementView {
  readonly stmt: StatementAnalysis;
  readonly index: number;
  readonly multi: boolean;
  /** e.g. "customers.*", when the statement reads whole rows of a table with masked columns. */
  maskedWholeRow(): string | undefined;
  /** e.g. "customers.card_number", when a masked column is used in a predicate. */
  maskedPredicate(): string | undefined;
}

export interface Condition {
  readonly label: string;
  /** Agent-facing advice when a block/approval rule matched through this condition. */
  readonly hint?: string;
  test(v: StatementView): boolean;
  describe(v: StatementView): string;
}

const WRITE_KINDS = new Set(["insert", "update", "delete", "merge", "truncate"]);

export function writesRows(s: StatementAnalysis): boolean {
  return (
    WRITE_KINDS.has(s.kind) ||
    s.tablesWritten.length > 0 ||
    (s.writes !== undefined && s.writes.length > 0) ||
    (s.kind === "copy" && s.copy?.direction === "from")
  );
}

export function missingWhere(s: StatementAnalysis): string | undefined {
  if ((s.kind === "update" || s.kind === "delete") && !s.hasWhere) return `${s.kind} without WHERE`;
  for (const w of s.writes ?? [])
    if ((w.kind === "update" || w.kind === "delete") && !w.hasWhere) return `${w.kind} of ${w.table} without WHERE`;
  return undefined;
}

function tablesOf(s: StatementAnalysis, access: NonNullable<Match["tableAccess"]>): string[] {
  const out: string[] = [];
  if (access !== "write") out.push(...s.tablesRead);
  if (access !== "read") {
    out.push(...s.tablesWritten);
    for (const w of s.writes ?? []) out.push(w.table);
  }
  return out;
}

function allColumns(s: StatementAnalysis): SourceColumn[] {
  const out: SourceColumn[] = [];
  for (const o of s.outputColumns) out.push(...o.sources);
  out.push(...s.predicateColumns);
  return out;
}

interface ColumnGlob {
  readonly source: string;
  readonly table: QualifiedGlob | undefined;
  readonly column: Glob;
}

function compileColumnGlob(pattern: string): ColumnGlob {
  const [t, c] = splitQualified(pattern);
  return { source: pattern, table: t === undefined || t === "*" ? undefined : compileQualifiedGlob(t), column: compileGlob(c) };
}

/**
 * @param uncertainMatches what to answer when the analysis cannot tell (a `*` column, a ddl statement without
 * its action, a session statement without its setting): true for block/approval rules (fail closed), false for
 * allow rules (an allow must be earned).
 */
export function compileConditions(m: Match, uncertainMatches: boolean): Condition[] {
  const out: Condition[] = [];
  if (m.dialects !== undefined) {
    const set = new Set<string>(m.dialects);
    out.push({ label: `dialect in [${m.dialects.join(", ")}]`, test: (v) => set.has(v.stmt.dialect), describe: (v) => `dialect ${v.stmt.dialect}` });
  }
  if (m.kinds !== undefined) {
    const set = new Set<string>(m.kinds);
    const hit = (s: StatementAnalysis): string | undefined => {
      if (set.has(s.kind)) return s.kind;
      for (const w of s.writes ?? []) if (set.has(w.kind)) return `${w.kind} (nested)`;
      return undefined;
    };
    out.push({ label: `kind in [${m.kinds.join(", ")}]`, test: (v) => hit(v.stmt) !== undefined, describe: (v) => `kind ${hit(v.stmt)}` });
  }
  if (m.ddl !== undefined) {
    const set = new Set<string>(m.ddl);
    out.push({
      label: `ddl in [${m.ddl.join(", ")}]`,
      test: (v) => v.stmt.kind === "ddl" && (v.stmt.ddl === undefined ? uncertainMatches : set.has(v.stmt.ddl.action)),
      describe: (v) => (v.stmt.ddl === undefined ? "ddl (action unknown)" : `${v.stmt.ddl.action} ${v.stmt.ddl.objectType}`),
    });
  }
  if (m.tables !== undefined) {
    const globs = compileQualifiedGlobSet(m.tables);
    const access = m.tableAccess ?? "any";
    const hit = (s: StatementAnalysis) => tablesOf(s, access).find((t) => globs.matches(t));
    out.push({ label: `tables (${access}) match [${m.tables.join(", ")}]`, test: (v) => hit(v.stmt) !== undefined, describe: (v) => `table ${hit(v.stmt)}` });
  }
  if (m.columns !== undefined) {
    const globs = m.columns.map(compileColumnGlob);
    const matches = (c: SourceColumn) =>
      globs.some((g) => (g.table === undefined || g.table.matches(c.table)) && (c.column === "*" ? uncertainMatches : g.column.matches(c.column)));
    const hit = (s: StatementAnalysis) => allColumns(s).find(matches);
    out.push({
      label: `columns match [${m.columns.join(", ")}]`,
      test: (v) => hit(v.stmt) !== undefined,
      describe: (v) => {
        const c = hit(v.stmt);
        return c === undefined ? "column" : `column ${c.table}.${c.column}`;
      },
    });
  }
  if (m.functions !== undefined) {
    const globs = compileQualifiedGlobSet(m.functions);
    const hit = (s: StatementAnalysis) => s.functions.find((f) => globs.matches(f));
    out.push({ label: `functions match [${m.functions.join(", ")}]`, test: (v) => hit(v.stmt) !== undefined, describe: (v) => `function ${hit(v.stmt)}` });
  }
  if (m.noWhere) out.push({ label: "update/delete without WHERE", hint: "add a WHERE clause", test: (v) => missingWhere(v.stmt) !== undefined, describe: (v) => missingWhere(v.stmt) ?? "" });
  if (m.writes) out.push({ label: "writes rows", test: (v) => writesRows(v.stmt), describe: () => "writes rows" });
  if (m.noLimit)
    out.push({ label: "select without LIMIT", hint: "add a LIMIT", test: (v) => v.stmt.kind === "select" && !v.stmt.hasLimit, describe: () => "select without LIMIT" });
  if (m.multiStatement) out.push({ label: "part of a multi-statement text", hint: "send one statement at a time", test: (v) => v.multi, describe: () => "multi-statement text" });
  if (m.unknown)
    out.push({ label: "statement could not be analysed", test: (v) => v.stmt.kind === "unknown", describe: (v) => `unanalysable statement${v.stmt.error ? ` (${v.stmt.error})` : ""}` });
  if (m.maskedWholeRow)
    out.push({ label: "whole-row access to a masked table", hint: "select named columns instead of `*` or row values", test: (v) => v.maskedWholeRow() !== undefined, describe: (v) => `whole-row access to ${v.maskedWholeRow()}` });
  if (m.maskedPredicate)
    out.push({ label: "masked column in a predicate", hint: "masked columns cannot be used in WHERE, JOIN, ORDER BY or GROUP BY", test: (v) => v.maskedPredicate() !== undefined, describe: (v) => `masked column ${v.maskedPredicate()} in a predicate` });
  if (m.copy !== undefined) {
    const dirs = m.copy.direction === undefined ? undefined : new Set<string>(m.copy.direction);
    const targets = m.copy.target === undefined ? undefined : new Set<string>(m.copy.target);
    out.push({
      label: "copy",
      test: (v) => {
        const c = v.stmt.copy;
        if (c === undefined) return v.stmt.kind === "copy" && uncertainMatches;
        return (dirs === undefined || dirs.has(c.direction)) && (targets === undefined || targets.has(c.target));
      },
      describe: (v) => (v.stmt.copy ? `copy ${v.stmt.copy.direction} ${v.stmt.copy.target}` : "copy (details unknown)"),
    });
  }
  if (m.fileAccess) out.push({ label: "server file access", test: (v) => v.stmt.fileAccess === true, describe: () => "server file access" });
  if (m.settings !== undefined) {
    const globs = compileGlobSet(m.settings);
    out.push({
      label: `setting in [${m.settings.join(", ")}]`,
      test: (v) => v.stmt.kind === "session" && (v.stmt.setting === undefined ? uncertainMatches : globs.matches(v.stmt.setting)),
      describe: (v) => `setting ${v.stmt.setting ?? "(unknown)"}`,
    });
  }
  if (m.regex !== undefined) {
    const re = new RegExp(m.regex.pattern, m.regex.flags.replace(/[gy]/g, ""));
    out.push({ label: `text matches /${m.regex.pattern}/`, test: (v) => re.test(v.stmt.normalized), describe: () => `text matches /${m.regex?.pattern}/` });
  }
  return out;
}
