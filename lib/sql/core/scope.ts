// Name resolution shared by both dialects: which relation a column reference belongs to, and through it
// which base-table columns it reads. Unknown base-table schemas make resolution conservative: an unqualified
// column is attributed to every base table in the innermost scope that could hold it.

import type { SourceColumn, TableName } from "../types";
import { addSources, allSources, type ColumnLineage, wholeRow } from "./lineage";

/** Something in a FROM list: a base table, or a derived relation (subquery, CTE, function) with known lineage. */
export interface Relation {
  /** The name visible in the query: the alias, else the table or CTE name. */
  readonly alias: string;
  /** Base table, as reported in tablesRead. */
  readonly table?: TableName;
  /** Derived relations: output columns with lineage. */
  readonly columns?: readonly ColumnLineage[];
  /** Derived relations whose column names are unknown: the lineage of any of their columns. */
  readonly opaque?: readonly SourceColumn[];
}

export interface Resolved {
  readonly sources: SourceColumn[];
  readonly direct: boolean;
}

export class Scope {
  readonly relations: Relation[] = [];
  private ctes: Map<string, readonly ColumnLineage[]> | undefined;

  constructor(
    readonly parent: Scope | undefined,
    /** MySQL compares aliases case-insensitively; PostgreSQL already folded unquoted names. */
    private readonly fold: boolean,
  ) {}

  key(name: string): string {
    return this.fold ? name.toLowerCase() : name;
  }

  defineCte(name: string, columns: readonly ColumnLineage[]): void {
    (this.ctes ??= new Map()).set(this.key(name), columns);
  }

  findCte(name: string): readonly ColumnLineage[] | undefined {
    const key = this.key(name);
    for (const s of outward(this)) {
      const found = s.ctes?.get(key);
      if (found) return found;
    }
    return undefined;
  }

  add(relation: Relation): void {
    this.relations.push(relation);
  }

  /** The relation called `name` (alias, or the bare or qualified table name), innermost scope first. */
  findRelation(name: string): Relation | undefined {
    const key = this.key(name);
    for (const s of outward(this)) {
      for (const relation of s.relations) {
        if (this.key(relation.alias) === key) return relation;
      }
      for (const relation of s.relations) {
        if (relation.table !== undefined && this.key(relation.table) === key) return relation;
      }
    }
    return undefined;
  }

  /** `q.col`: the column `col` of the relation named `q`; an unknown qualifier is taken as a table name. */
  resolveQualified(qualifier: string, column: string): Resolved {
    const relation = this.findRelation(qualifier);
    if (!relation) return { sources: [{ table: qualifier, column }], direct: true };
    return columnOf(relation, column, this);
  }

  /** An unqualified column: every candidate relation of the innermost scope that can hold it. */
  resolveUnqualified(column: string): Resolved {
    for (const s of outward(this)) {
      const sources: SourceColumn[] = [];
      let candidates = 0;
      let direct = true;
      for (const relation of s.relations) {
        if (relation.table === undefined && relation.columns && !hasColumn(relation, column, this)) continue;
        const found = columnOf(relation, column, this);
        candidates++;
        direct &&= found.direct;
        addSources(sources, found.sources);
      }
      if (candidates > 0) return { sources, direct: direct && candidates === 1 && sources.length === 1 };
    }
    return { sources: [], direct: false };
  }

  /** Whole-row sources of one relation (`t.*`, `row_to_json(t)`, `t::text`). */
  wholeRowOf(relation: Relation): SourceColumn[] {
    if (relation.table !== undefined) return [wholeRow(relation.table)];
    if (relation.columns) return allSources(relation.columns);
    return relation.opaque ? relation.opaque.slice() : [];
  }

  /** `*`: the relations of the innermost scope that has any, expanded to output columns. */
  star(qualifier?: string): ColumnLineage[] {
    if (qualifier !== undefined) {
      const relation = this.findRelation(qualifier);
      if (!relation) return [{ name: "*", sources: [wholeRow(qualifier)], direct: true }];
      return starOf(relation, this);
    }
    for (const s of outward(this)) {
      if (s.relations.length === 0) continue;
      const out: ColumnLineage[] = [];
      for (const relation of s.relations) out.push(...starOf(relation, this));
      return out;
    }
    return [];
  }
}

/** `scope`, then each enclosing scope, innermost first. */
function* outward(scope: Scope): Generator<Scope, void, undefined> {
  for (let s: Scope | undefined = scope; s; s = s.parent) yield s;
}

function hasColumn(relation: Relation, column: string, scope: Scope): boolean {
  const key = scope.key(column);
  return relation.columns!.some((c) => scope.key(c.name) === key || c.name === "*");
}

function columnOf(relation: Relation, column: string, scope: Scope): Resolved {
  if (relation.table !== undefined) return { sources: [{ table: relation.table, column }], direct: true };
  if (relation.columns) {
    const key = scope.key(column);
    const found = relation.columns.find((c) => scope.key(c.name) === key);
    if (found) return { sources: found.sources.slice(), direct: found.direct };
    // A derived "*" column (a star over a base table) may hold any name: report its whole rows.
    const stars = relation.columns.filter((c) => c.name === "*");
    if (stars.length > 0) {
      // A base table's whole row narrows to the named column; other lineage is kept whole.
      const sources: SourceColumn[] = [];
      for (const star of stars) {
        addSources(sources, star.sources.map((s) => (s.column === "*" ? { table: s.table, column } : s)));
      }
      return { sources, direct: stars.length === 1 && stars[0].direct && sources.length === 1 };
    }
    return { sources: allSources(relation.columns), direct: false };
  }
  return { sources: relation.opaque ? relation.opaque.slice() : [], direct: false };
}

function starOf(relation: Relation, scope: Scope): ColumnLineage[] {
  if (relation.table !== undefined) return [{ name: "*", sources: [wholeRow(relation.table)], direct: true }];
  if (relation.columns) return relation.columns.slice();
  return [{ name: "*", sources: scope.wholeRowOf(relation), direct: false }];
}
