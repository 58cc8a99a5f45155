// Queries and data-modifying statements: scopes (FROM, JOIN, LATERAL, CTEs), output-column lineage,
// predicate columns, and the tables each statement reads and writes.

import type {
  CommonTableExpr,
  DeleteStmt,
  InsertStmt,
  JoinExpr,
  MergeStmt,
  MergeWhenClause,
  Node,
  RangeFunction,
  RangeSubselect,
  RangeVar,
  ResTarget,
  SelectStmt,
  SortBy,
  UpdateStmt,
  WithClause,
} from "libpg-query";
import type { SourceColumn } from "../types";
import type { Budget } from "../core/budget";
import type { StatementFacts } from "../core/facts";
import { addSources, type ColumnLineage, mergeBranches, renameColumns, wholeRow } from "../core/lineage";
import { Scope } from "../core/scope";
import { intConstant, nameList, rangeVarName, stringValue, unwrap, type PgFields } from "./ast";
import { resolveColumnRef, walkExpr, walkFields } from "./expr";

type ReturningHolder = { returningClause?: { exprs?: Node[] }; returningList?: Node[] };

// The fields each statement case reads itself; `remaining()` walks any other field as a predicate. INTO is
// classify.ts's (a table written) and FOR UPDATE OF names FROM items already read, so neither is walked.
const SELECT_COMMON = ["withClause", "sortClause", "limitCount", "limitOffset", "limitOption", "op", "all", "intoClause", "lockingClause"];
const SELECT_FIELDS = {
  setOperation: new Set([...SELECT_COMMON, "larg", "rarg"]),
  values: new Set([...SELECT_COMMON, "valuesLists"]),
  plain: new Set([
    ...SELECT_COMMON,
    "targetList",
    "fromClause",
    "whereClause",
    "havingClause",
    "groupClause",
    "groupDistinct",
    "distinctClause",
    "windowClause",
  ]),
};
const DML_COMMON = ["relation", "withClause", "returningClause", "returningList"];
const INSERT_FIELDS = new Set([...DML_COMMON, "selectStmt", "onConflictClause", "override"]);
const UPDATE_FIELDS = new Set([...DML_COMMON, "targetList", "fromClause", "whereClause"]);
const DELETE_FIELDS = new Set([...DML_COMMON, "usingClause", "whereClause"]);
const MERGE_FIELDS = new Set([...DML_COMMON, "sourceRelation", "joinCondition", "mergeWhenClauses"]);
const ON_CONFLICT_FIELDS = new Set(["action", "infer", "targetList", "whereClause", "location"]);
const INFER_FIELDS = new Set(["whereClause", "conname", "location"]);
const MERGE_WHEN_FIELDS = new Set(["matchKind", "commandType", "override", "condition", "targetList", "values"]);
const CTE_FIELDS = new Set(["ctename", "aliascolnames", "ctematerialized", "ctequery", "location", "cterecursive", "cterefcount"]);

export class PgWalker {
  constructor(
    readonly facts: StatementFacts,
    readonly budget: Budget,
  ) {}

  /** Any statement that can yield rows inside a query (CTE body, subquery): its output lineage. */
  statement(node: Node, parent: Scope | undefined): ColumnLineage[] {
    const [tag, fields] = unwrap(node);
    switch (tag) {
      case "SelectStmt":
        return this.select(fields as SelectStmt, parent);
      case "InsertStmt":
        return this.insert(fields as InsertStmt, parent);
      case "UpdateStmt":
        return this.update(fields as UpdateStmt, parent);
      case "DeleteStmt":
        return this.delete(fields as DeleteStmt, parent);
      case "MergeStmt":
        return this.merge(fields as MergeStmt, parent);
      default: {
        const sink: SourceColumn[] = [];
        walkFields(this, fields, parent ?? this.scope(undefined), sink);
        return [];
      }
    }
  }

  scope(parent: Scope | undefined): Scope {
    return new Scope(parent, false);
  }

  select(stmt: SelectStmt, parent: Scope | undefined): ColumnLineage[] {
    this.budget.enter();
    const outer = stmt.withClause ? this.with(stmt.withClause, parent) : parent;
    const scope = this.scope(outer);
    let columns: ColumnLineage[];
    let handled: ReadonlySet<string>;
    if (stmt.op && stmt.op !== "SETOP_NONE" && stmt.larg && stmt.rarg) {
      columns = mergeBranches(this.select(stmt.larg, outer), this.select(stmt.rarg, outer));
      handled = SELECT_FIELDS.setOperation;
    } else if (stmt.valuesLists) {
      columns = this.values(stmt.valuesLists, scope);
      handled = SELECT_FIELDS.values;
    } else {
      for (const item of stmt.fromClause ?? []) this.fromItem(item, scope);
      columns = this.targetList(stmt.targetList, scope);
      this.predicate(stmt.whereClause, scope);
      this.predicate(stmt.havingClause, scope);
      for (const item of stmt.groupClause ?? []) this.predicateOrOutput(item, scope, columns, false);
      for (const item of stmt.distinctClause ?? []) if (Object.keys(item).length > 0) this.predicate(item, scope);
      for (const window of stmt.windowClause ?? []) this.predicate(window, scope);
      handled = SELECT_FIELDS.plain;
    }
    this.orderBy(stmt.sortClause, scope, columns);
    // LIMIT / OFFSET / FETCH FIRST shape the result without being part of it, like WHERE.
    this.predicate(stmt.limitCount, scope);
    this.predicate(stmt.limitOffset, scope);
    this.remaining(stmt, handled, scope);
    this.budget.leave();
    return columns;
  }

  /**
   * The fields of a statement node that its case above does not read (syntax added by a later PostgreSQL, or
   * a clause in a branch that does not use it), walked as predicates: what they read and call is never unseen.
   */
  private remaining(node: object, handled: ReadonlySet<string>, scope: Scope): void {
    for (const [key, value] of Object.entries(node)) {
      if (handled.has(key) || value === null || typeof value !== "object") continue;
      const probe: SourceColumn[] = [];
      walkFields(this, { [key]: value }, scope, probe);
      this.facts.addPredicate(probe);
    }
  }

  private values(lists: readonly Node[], scope: Scope): ColumnLineage[] {
    const columns: { name: string; sources: SourceColumn[]; direct: boolean }[] = [];
    for (const list of lists) {
      const items = (list as { List?: { items?: Node[] } }).List?.items ?? [];
      items.forEach((item, i) => {
        columns[i] ??= { name: `column${i + 1}`, sources: [], direct: false };
        walkExpr(this, item, scope, columns[i].sources);
      });
    }
    return columns;
  }

  targetList(targets: readonly Node[] | undefined, scope: Scope): ColumnLineage[] {
    const columns: ColumnLineage[] = [];
    for (const target of targets ?? []) {
      const rt = (target as { ResTarget?: ResTarget }).ResTarget;
      if (!rt?.val) continue;
      const [tag, fields] = unwrap(rt.val);
      if (tag === "ColumnRef") {
        const ref = fields as { fields?: Node[] };
        const last = ref.fields?.[ref.fields.length - 1];
        if (last && "A_Star" in last) {
          const qualifier = nameList(ref.fields).join(".");
          columns.push(...scope.star(qualifier || undefined));
          continue;
        }
        const resolved = resolveColumnRef(fields, scope);
        const name = rt.name ?? stringValue(last) ?? "?column?";
        columns.push({ name, sources: resolved.sources, direct: resolved.direct && resolved.sources.length === 1 });
        continue;
      }
      const sources: SourceColumn[] = [];
      walkExpr(this, rt.val, scope, sources);
      columns.push({ name: rt.name ?? defaultName(rt.val), sources, direct: false });
    }
    return columns;
  }

  predicate(node: Node | undefined, scope: Scope): void {
    if (!node) return;
    const probe: SourceColumn[] = [];
    walkExpr(this, node, scope, probe);
    this.facts.addPredicate(probe);
  }

  /** ORDER BY / GROUP BY item: an output name or ordinal refers to that output column's lineage. */
  private predicateOrOutput(node: Node, scope: Scope, columns: readonly ColumnLineage[], preferOutput: boolean): void {
    const ordinal = intConstant(node);
    if (ordinal !== undefined) {
      const column = columns[ordinal - 1];
      if (column) this.facts.addPredicate(column.sources);
      return;
    }
    const ref = (node as { ColumnRef?: { fields?: Node[] } }).ColumnRef;
    const single = ref?.fields?.length === 1 ? stringValue(ref.fields[0]) : undefined;
    const output = single !== undefined ? columns.find((c) => c.name === single) : undefined;
    if (output) {
      this.facts.addPredicate(output.sources);
      if (preferOutput || scope.relations.length === 0) return;
    }
    this.predicate(node, scope);
  }

  private orderBy(sorts: readonly Node[] | undefined, scope: Scope, columns: readonly ColumnLineage[]): void {
    for (const sort of sorts ?? []) {
      const by = (sort as { SortBy?: SortBy }).SortBy;
      if (by?.node) this.predicateOrOutput(by.node, scope, columns, true);
    }
  }

  with(clause: WithClause, parent: Scope | undefined): Scope {
    const scope = this.scope(parent);
    for (const node of clause.ctes ?? []) {
      const cte = (node as { CommonTableExpr?: CommonTableExpr }).CommonTableExpr;
      if (!cte?.ctename || !cte.ctequery) continue;
      // A recursive CTE sees itself; its self-reference adds nothing the other branch does not carry.
      if (clause.recursive) scope.defineCte(cte.ctename, []);
      const columns = this.statement(cte.ctequery, scope);
      scope.defineCte(cte.ctename, renameColumns(columns, nameList(cte.aliascolnames)));
      this.remaining(cte, CTE_FIELDS, scope);
    }
    return scope;
  }

  /** Add one FROM item to `scope`; LATERAL items see the items listed before them. */
  fromItem(node: Node, scope: Scope): void {
    this.budget.enter();
    const [tag, fields] = unwrap(node);
    switch (tag) {
      case "RangeVar":
        this.readRangeVar(fields, scope);
        break;
      case "JoinExpr": {
        const join = fields as JoinExpr;
        if (join.larg) this.fromItem(join.larg, scope);
        if (join.rarg) this.fromItem(join.rarg, scope);
        this.predicate(join.quals, scope);
        for (const name of nameList(join.usingClause)) this.facts.addPredicate(scope.resolveUnqualified(name).sources);
        break;
      }
      case "RangeSubselect": {
        const sub = fields as RangeSubselect;
        const columns = sub.subquery ? this.statement(sub.subquery, scope) : [];
        const alias = sub.alias?.aliasname ?? "?subquery?";
        scope.add({ alias, columns: renameColumns(columns, nameList(sub.alias?.colnames)) });
        break;
      }
      case "RangeFunction": {
        const fn = fields as RangeFunction;
        const sources: SourceColumn[] = [];
        let firstName = "?function?";
        for (const item of fn.functions ?? []) {
          const parts = (item as { List?: { items?: Node[] } }).List?.items ?? [];
          const call = parts[0];
          if (call) {
            const [callTag, callFields] = unwrap(call);
            if (callTag === "FuncCall" && firstName === "?function?") {
              firstName = nameList((callFields as { funcname?: Node[] }).funcname).pop() ?? firstName;
            }
            walkExpr(this, call, scope, sources);
          }
        }
        const colnames = nameList(fn.alias?.colnames);
        const alias = fn.alias?.aliasname ?? firstName;
        if (colnames.length > 0) {
          scope.add({ alias, columns: colnames.map((name) => ({ name, sources: sources.slice(), direct: false })) });
        } else {
          scope.add({ alias, opaque: sources });
        }
        break;
      }
      default: {
        // TABLESAMPLE, XMLTABLE, JSON_TABLE, ...: record what they read; their columns derive from everything inside.
        const sources: SourceColumn[] = [];
        const before = scope.relations.length;
        walkFields(this, fields, scope, sources);
        const alias = (fields.alias as { aliasname?: string } | undefined)?.aliasname;
        for (const relation of scope.relations.splice(before)) addSources(sources, scope.wholeRowOf(relation));
        scope.add({ alias: alias ?? "?relation?", opaque: sources });
      }
    }
    this.budget.leave();
  }

  /** A table or CTE reference in FROM; records base tables as read. */
  readRangeVar(fields: PgFields, scope: Scope): void {
    const rv = fields as RangeVar;
    const alias = rv.alias?.aliasname;
    if (!rv.schemaname && !rv.catalogname && rv.relname) {
      const cte = scope.findCte(rv.relname);
      if (cte) {
        scope.add({ alias: alias ?? rv.relname, columns: renameColumns(cte, nameList(rv.alias?.colnames)) });
        return;
      }
    }
    const table = rangeVarName(rv);
    this.facts.read.add(table);
    if (rv.alias?.colnames?.length) scope.add({ alias: alias ?? rv.relname ?? table, opaque: [wholeRow(table)] });
    else scope.add({ alias: alias ?? rv.relname ?? table, table });
  }

  /** The target of INSERT/UPDATE/DELETE/MERGE: written, and visible by its alias. */
  private target(rv: RangeVar | undefined, scope: Scope, kind: "insert" | "update" | "delete" | "merge", hasWhere: boolean, assigned?: readonly string[]): string {
    const table = rv ? rangeVarName(rv) : "?";
    this.facts.addWrite({ kind, table, hasWhere, ...(assigned ? { assigned } : {}) });
    scope.add({ alias: rv?.alias?.aliasname ?? rv?.relname ?? table, table });
    return table;
  }

  private returning(stmt: ReturningHolder, scope: Scope): ColumnLineage[] {
    const exprs = stmt.returningClause?.exprs ?? stmt.returningList;
    return exprs ? this.targetList(exprs, scope) : [];
  }

  insert(stmt: InsertStmt, parent: Scope | undefined): ColumnLineage[] {
    const outer = stmt.withClause ? this.with(stmt.withClause, parent) : parent;
    if (stmt.selectStmt) {
      const [, fields] = unwrap(stmt.selectStmt);
      this.select(fields as SelectStmt, outer);
    }
    const scope = this.scope(outer);
    const conflict = stmt.onConflictClause;
    const assigned = conflict?.targetList?.flatMap((set) => (set as { ResTarget?: ResTarget }).ResTarget?.name ?? []);
    const table = this.target(stmt.relation, scope, "insert", true, assigned?.length ? assigned : undefined);
    if (conflict) {
      scope.add({ alias: "excluded", table });
      this.assignments(conflict.targetList, scope);
      this.predicate(conflict.whereClause, scope);
      if (conflict.infer) {
        this.predicate(conflict.infer.whereClause, scope);
        this.remaining(conflict.infer, INFER_FIELDS, scope);
      }
      this.remaining(conflict, ON_CONFLICT_FIELDS, scope);
    }
    // `cols` among the rest: a subscript in `INSERT INTO t (a[i])` is an expression.
    this.remaining(stmt, INSERT_FIELDS, scope);
    return this.returning(stmt as ReturningHolder, scope);
  }

  update(stmt: UpdateStmt, parent: Scope | undefined): ColumnLineage[] {
    const outer = stmt.withClause ? this.with(stmt.withClause, parent) : parent;
    const scope = this.scope(outer);
    const assigned = (stmt.targetList ?? []).flatMap((set) => (set as { ResTarget?: ResTarget }).ResTarget?.name ?? []);
    this.target(stmt.relation, scope, "update", stmt.whereClause !== undefined, assigned);
    for (const item of stmt.fromClause ?? []) this.fromItem(item, scope);
    this.assignments(stmt.targetList, scope);
    this.predicate(stmt.whereClause, scope);
    this.remaining(stmt, UPDATE_FIELDS, scope);
    return this.returning(stmt as ReturningHolder, scope);
  }

  delete(stmt: DeleteStmt, parent: Scope | undefined): ColumnLineage[] {
    const outer = stmt.withClause ? this.with(stmt.withClause, parent) : parent;
    const scope = this.scope(outer);
    this.target(stmt.relation, scope, "delete", stmt.whereClause !== undefined);
    for (const item of stmt.usingClause ?? []) this.fromItem(item, scope);
    this.predicate(stmt.whereClause, scope);
    this.remaining(stmt, DELETE_FIELDS, scope);
    return this.returning(stmt as ReturningHolder, scope);
  }

  merge(stmt: MergeStmt, parent: Scope | undefined): ColumnLineage[] {
    const outer = stmt.withClause ? this.with(stmt.withClause, parent) : parent;
    const scope = this.scope(outer);
    this.target(stmt.relation, scope, "merge", true);
    if (stmt.sourceRelation) this.fromItem(stmt.sourceRelation, scope);
    this.predicate(stmt.joinCondition, scope);
    for (const node of stmt.mergeWhenClauses ?? []) {
      const when = (node as { MergeWhenClause?: MergeWhenClause }).MergeWhenClause;
      if (!when) continue;
      this.predicate(when.condition, scope);
      this.assignments(when.targetList, scope);
      for (const value of when.values ?? []) this.sink(value, scope);
      this.remaining(when, MERGE_WHEN_FIELDS, scope);
    }
    this.remaining(stmt, MERGE_FIELDS, scope);
    return this.returning(stmt as ReturningHolder, scope);
  }

  /**
   * SET lists (UPDATE, ON CONFLICT DO UPDATE, MERGE) and MERGE's INSERT column list: each value is stored; a
   * subscript or field selection on the target (`SET a[i] = v`) picks where it goes, like a predicate.
   */
  private assignments(targets: readonly Node[] | undefined, scope: Scope): void {
    for (const set of targets ?? []) {
      const rt = (set as { ResTarget?: ResTarget }).ResTarget;
      if (!rt) continue;
      this.sink(rt.val, scope);
      for (const item of rt.indirection ?? []) this.predicate(item, scope);
    }
  }

  /** An expression whose value is stored, not returned: only its reads and calls matter. */
  private sink(node: Node | undefined, scope: Scope): void {
    const sources: SourceColumn[] = [];
    walkExpr(this, node, scope, sources);
    this.facts.addStored(sources);
  }
}

/** PostgreSQL's default output name: the function or column name, else "?column?". */
function defaultName(node: Node): string {
  const [tag, fields] = unwrap(node);
  switch (tag) {
    case "FuncCall":
      return nameList((fields as { funcname?: Node[] }).funcname).pop() ?? "?column?";
    case "TypeCast": {
      const cast = fields as { arg?: Node; typeName?: { names?: Node[] } };
      const inner = cast.arg ? defaultName(cast.arg) : "?column?";
      return inner !== "?column?" ? inner : (nameList(cast.typeName?.names).pop() ?? "?column?");
    }
    case "ColumnRef":
      return nameList((fields as { fields?: Node[] }).fields).pop() ?? "?column?";
    case "SubLink": {
      const link = fields as { subLinkType?: string };
      return link.subLinkType === "EXISTS_SUBLINK" ? "exists" : link.subLinkType === "ARRAY_SUBLINK" ? "array" : "?column?";
    }
    case "CaseExpr":
      return "case";
    default:
      return "?column?";
  }
}
