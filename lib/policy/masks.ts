import type { RuleRef } from "./decision";
import { compileGlob, compileQualifiedGlob, splitQualified, type Glob, type QualifiedGlob } from "./glob";
import type { MaskAction } from "./model";
import type { MaskStrategy } from "./strategy";

// The masked-column index, built once at compile time. A mask rule names columns as `table.column` globs;
// a pattern without a table (`ssn`) means that column in any table. Lookups are by column name first (a Map
// for literal column patterns) so a statement with many columns stays cheap.

export interface CompiledMask {
  /** Position in CompiledPolicy.masks; the evaluation's scope filter is indexed by it. */
  readonly slot: number;
  readonly ref: RuleRef;
  readonly strategy: MaskStrategy;
  readonly derived: MaskAction["derived"];
  readonly predicates: MaskAction["predicates"];
  readonly alternative?: string;
}

interface Entry {
  readonly mask: CompiledMask;
  readonly table: QualifiedGlob | undefined; // undefined: any table
  readonly column: Glob;
  readonly pattern: string;
}

export interface MaskHit {
  readonly mask: CompiledMask;
  readonly pattern: string;
}

export interface MaskIndex {
  readonly masks: readonly CompiledMask[];
  /** Active mask rules masking `table.column`. `column === "*"` is not looked up here. */
  hits(table: string, column: string, active: readonly boolean[]): MaskHit[];
  /** Could `table` have a masked column (some active rule's table pattern matches it)? */
  mayMaskTable(table: string, active: readonly boolean[]): MaskHit | undefined;
}

export function compileMasks(masks: readonly { ref: RuleRef; action: MaskAction }[]): MaskIndex {
  const compiled: CompiledMask[] = [];
  const byColumn = new Map<string, Entry[]>();
  const wild: Entry[] = [];
  const all: Entry[] = [];
  masks.forEach(({ ref, action }, slot) => {
    const mask: CompiledMask = {
      slot,
      ref,
      strategy: action.strategy,
      derived: action.derived,
      predicates: action.predicates,
      ...(action.alternative !== undefined ? { alternative: action.alternative } : {}),
    };
    compiled.push(mask);
    for (const pattern of action.columns) {
      const [tablePart, columnPart] = splitQualified(pattern);
      const entry: Entry = {
        mask,
        table: tablePart === undefined || tablePart === "*" ? undefined : compileQualifiedGlob(tablePart),
        column: compileGlob(columnPart),
        pattern,
      };
      all.push(entry);
      if (entry.column.literal) {
        const key = columnPart.replace(/\\(.)/g, "$1").toLowerCase();
        const list = byColumn.get(key);
        if (list === undefined) byColumn.set(key, [entry]);
        else list.push(entry);
      } else wild.push(entry);
    }
  });
  const tableMatches = (e: Entry, table: string) => e.table === undefined || e.table.matches(table);
  return {
    masks: compiled,
    hits(table, column, active) {
      const out: MaskHit[] = [];
      const listed = byColumn.get(column.toLowerCase());
      if (listed !== undefined)
        for (const e of listed) if (active[e.mask.slot] && tableMatches(e, table)) out.push({ mask: e.mask, pattern: e.pattern });
      for (const e of wild)
        if (active[e.mask.slot] && e.column.matches(column) && tableMatches(e, table))
          out.push({ mask: e.mask, pattern: e.pattern });
      return out;
    },
    mayMaskTable(table, active) {
      for (const e of all) if (active[e.mask.slot] && tableMatches(e, table)) return { mask: e.mask, pattern: e.pattern };
      return undefined;
    },
  };
}

const STRENGTH: Record<MaskStrategy["kind"], number> = { null: 5, redact: 4, hash: 3, card: 2, email: 2, partial: 1 };

/** The stronger of two strategies (null > redact > hash > card/email > partial). */
export function stronger(a: MaskStrategy, b: MaskStrategy): MaskStrategy {
  if (a.kind === "partial" && b.kind === "partial") return b.keepFirst + b.keepLast < a.keepFirst + a.keepLast ? b : a;
  return STRENGTH[b.kind] > STRENGTH[a.kind] ? b : a;
}

/** The full-strength strategy for a value computed from a masked column. */
export function derivedStrategy(option: "redact" | "null"): MaskStrategy {
  return option === "null" ? { kind: "null" } : { kind: "redact" };
}

/** Columns named by `table.column` globs, matched as mask rules match them (a pattern without a table: any table). */
export interface ColumnSet {
  readonly size: number;
  has(table: string, column: string): boolean;
}

export function compileColumnSet(patterns: readonly string[]): ColumnSet {
  const entries = patterns.map((pattern) => {
    const [tablePart, columnPart] = splitQualified(pattern);
    return { table: tablePart === undefined || tablePart === "*" ? undefined : compileQualifiedGlob(tablePart), column: compileGlob(columnPart) };
  });
  return {
    size: entries.length,
    has: (table, column) => entries.some((e) => e.column.matches(column) && (e.table === undefined || e.table.matches(table))),
  };
}
