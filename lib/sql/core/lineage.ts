// Source-column sets: small arrays kept free of duplicates, keyed by table and column.

import type { OutputColumn, SourceColumn, TableName } from "../types";

export type ColumnLineage = OutputColumn;

export function sourceKey(source: SourceColumn): string {
  return `${source.table}\u0000${source.column}`;
}

/** Append `extra` to `into`, skipping sources already present. */
export function addSources(into: SourceColumn[], extra: readonly SourceColumn[]): void {
  outer: for (const source of extra) {
    for (const existing of into) {
      if (existing.table === source.table && existing.column === source.column) continue outer;
    }
    into.push(source);
  }
}

export function uniqueSources(sources: readonly SourceColumn[]): SourceColumn[] {
  const out: SourceColumn[] = [];
  addSources(out, sources);
  return out;
}

export function wholeRow(table: TableName): SourceColumn {
  return { table, column: "*" };
}

/** Column i of a set operation: the union of every branch's column i, named after the first branch. */
export function mergeBranches(left: readonly ColumnLineage[], right: readonly ColumnLineage[]): ColumnLineage[] {
  const width = Math.max(left.length, right.length);
  const out: ColumnLineage[] = [];
  for (let i = 0; i < width; i++) {
    const sources: SourceColumn[] = [];
    const l = left[i];
    const r = right[i];
    if (l) addSources(sources, l.sources);
    if (r) addSources(sources, r.sources);
    out.push({ name: l?.name ?? r?.name ?? "?column?", sources, direct: false });
  }
  return out;
}

/** Every source of every column (the whole-row lineage of a derived relation). */
export function allSources(columns: readonly ColumnLineage[]): SourceColumn[] {
  const out: SourceColumn[] = [];
  for (const column of columns) addSources(out, column.sources);
  return out;
}

/** Rename columns by position (`AS x(a, b)` or `WITH x(a, b) AS`). */
export function renameColumns(columns: readonly ColumnLineage[], names: readonly string[]): ColumnLineage[] {
  if (names.length === 0) return columns.slice();
  return columns.map((column, i) => (i < names.length ? { ...column, name: names[i] } : column));
}
