// MySQL queries and data-modifying statements: scopes, output lineage, predicates, reads and writes,
// over node-sql-parser's syntax tree. Mirrors postgres/walker.ts; the scope model is shared (core/scope).

import type { SourceColumn } from "../types";
import type { Budget } from "../core/budget";
import type { StatementFacts } from "../core/facts";
import { addSources, allSources, type ColumnLineage, mergeBranches, renameColumns } from "../core/lineage";
import { Scope, type Resolved } from "../core/scope";
import { isNode, listItems, nameOf, numberValue, subqueryAst, tableName, type MyNode } from "./ast";

const FILE_FUNCTIONS = new Set(["load_file"]);

// The keys of each statement's syntax tree that its case below reads itself; `remaining()` walks every other
// key as a predicate (LIMIT, INTO, locking, syntax a later node-sql-parser adds), so nothing in one goes unseen.
const SELECT_KEYS = new Set(["type", "loc", "with", "from", "columns", "where", "having", "groupby", "window", "orderby", "_orderby", "_next"]);
const INSERT_KEYS = new Set(["type", "loc", "table", "values", "set", "on_duplicate_update", "returning"]);
const UPDATE_KEYS = new Set(["type", "loc", "with", "table", "set", "where", "orderby"]);
const DELETE_KEYS = new Set(["type", "loc", "with", "table", "from", "where", "orderby", "returning"]);

export class MysqlWalker {
  constructor(
    readonly facts: StatementFacts,
    readonly budget: Budget,
  ) {}

  scope(parent: Scope | undefined): Scope {
    return new Scope(parent, true);
  }

  /** Any row-returning statement inside a query: its output lineage. */
  statement(ast: MyNode, parent: Scope | undefined): ColumnLineage[] {
    switch (ast.type) {
      case "select":
        return this.select(ast, parent);
      case "insert":
      case "replace":
        return this.insert(ast, parent);
      case "update":
        return this.update(ast, parent);
      case "delete":
        return this.delete(ast, parent);
      default:
        this.expr(ast, parent ?? this.scope(undefined), []);
        return [];
    }
  }

  select(ast: MyNode, parent: Scope | undefined): ColumnLineage[] {
    this.budget.enter();
    const outer = Array.isArray(ast.with) ? this.with(ast.with, parent) : parent;
    const scope = this.scope(outer);
    for (const item of listItems(ast.from)) if (isNode(item)) this.fromItem(item, scope);
    let columns = this.columns(ast.columns, scope);
    this.predicate(ast.where, scope);
    this.predicate(ast.having, scope);
    const group = isNode(ast.groupby) ? ast.groupby.columns : ast.groupby;
    for (const item of listItems(group)) this.predicateOrOutput(item, scope, columns);
    // WINDOW w AS (PARTITION BY … ORDER BY …): named windows shape window functions' values like OVER (…).
    this.predicate(ast.window, scope);
    if (isNode(ast.into) && typeof ast.into.keyword === "string") {
      const keyword = ast.into.keyword.toLowerCase();
      if (keyword === "outfile" || keyword === "dumpfile") this.facts.fileAccess = true;
    }
    if (isNode(ast._next)) {
      // UNION / INTERSECT / EXCEPT: the following branch, and ORDER BY/LIMIT written after it, apply to the union.
      columns = mergeBranches(columns, this.select(ast._next, outer));
    }
    // `(SELECT …) UNION (SELECT …) ORDER BY …` keeps the union's ORDER BY in `_orderby` of the first branch.
    for (const item of [...listItems(ast.orderby), ...listItems(ast._orderby)]) {
      if (isNode(item)) this.predicateOrOutput(item.expr, scope, columns);
    }
    this.remaining(ast, SELECT_KEYS, scope);
    this.budget.leave();
    return columns;
  }

  /** Keys of `ast` not in `walked`, walked as predicates. */
  private remaining(ast: MyNode, walked: ReadonlySet<string>, scope: Scope): void {
    for (const key in ast) if (!walked.has(key)) this.predicate(ast[key], scope);
  }

  private with(ctes: unknown[], parent: Scope | undefined): Scope {
    const scope = this.scope(parent);
    for (const cte of ctes) {
      if (!isNode(cte)) continue;
      const name = nameOf(cte.name);
      const body = subqueryAst(cte.stmt);
      if (!name || !body) continue;
      if (cte.recursive) scope.defineCte(name, []);
      const names = listItems(cte.columns).map((c) => (isNode(c) ? nameOf(c.column) : nameOf(c)) ?? "?");
      scope.defineCte(name, renameColumns(this.statement(body, scope), names));
    }
    return scope;
  }

  private columns(list: unknown, scope: Scope): ColumnLineage[] {
    if (list === "*") return scope.star();
    const out: ColumnLineage[] = [];
    for (const item of listItems(list)) {
      if (!isNode(item)) continue;
      const expr = item.expr;
      const alias = nameOf(item.as);
      if (isNode(expr) && expr.type === "column_ref") {
        const column = nameOf(expr.column) ?? "?";
        if (column === "*") {
          out.push(...scope.star(qualifierOf(expr)));
          continue;
        }
        const resolved = this.columnRef(expr, scope);
        out.push({ name: alias ?? column, sources: resolved.sources, direct: resolved.direct });
        continue;
      }
      const sources: SourceColumn[] = [];
      this.expr(expr, scope, sources);
      out.push({ name: alias ?? defaultName(expr), sources, direct: false });
    }
    return out;
  }

  columnRef(ref: MyNode, scope: Scope): Resolved {
    const column = nameOf(ref.column) ?? "?";
    const qualifier = qualifierOf(ref);
    if (column === "*") {
      const sources: SourceColumn[] = [];
      for (const c of scope.star(qualifier)) addSources(sources, c.sources);
      return { sources, direct: false };
    }
    if (qualifier !== undefined) {
      if (!scope.findRelation(qualifier) && isNode(ref) && ref.db) {
        const bare = nameOf(ref.table);
        if (bare && scope.findRelation(bare)) return scope.resolveQualified(bare, column);
      }
      return scope.resolveQualified(qualifier, column);
    }
    return scope.resolveUnqualified(column);
  }

  predicate(node: unknown, scope: Scope): void {
    if (node === null || node === undefined) return;
    const probe: SourceColumn[] = [];
    this.expr(node, scope, probe);
    this.facts.addPredicate(probe);
  }

  private predicateOrOutput(node: unknown, scope: Scope, columns: readonly ColumnLineage[]): void {
    const ordinal = numberValue(node);
    if (ordinal !== undefined) {
      const column = columns[ordinal - 1];
      if (column) this.facts.addPredicate(column.sources);
      return;
    }
    if (isNode(node) && node.type === "column_ref" && !node.table) {
      const name = nameOf(node.column)?.toLowerCase();
      const output = columns.find((c) => c.name.toLowerCase() === name);
      if (output) {
        this.facts.addPredicate(output.sources);
        return;
      }
    }
    this.predicate(node, scope);
  }

  /** Add one FROM item (table, join, derived table, LATERAL) to `scope`. */
  fromItem(item: MyNode, scope: Scope): void {
    this.budget.enter();
    const sub = subqueryAst(item);
    const alias = nameOf(item.as);
    if (sub) {
      const columns = this.statement(sub, scope);
      scope.add({ alias: alias ?? "?subquery?", columns });
    } else if (item.table !== undefined && item.table !== null) {
      const table = tableName(item);
      const bare = nameOf(item.table) ?? table;
      const cte = item.db ? undefined : scope.findCte(bare);
      if (cte) scope.add({ alias: alias ?? bare, columns: cte });
      else {
        this.facts.read.add(table);
        scope.add({ alias: alias ?? bare, table });
      }
    } else if (item.type !== "dual") {
      // JSON_TABLE, VALUES and other table expressions: their columns derive from everything inside.
      const sources: SourceColumn[] = [];
      this.expr(item.expr ?? item, scope, sources);
      scope.add({ alias: alias ?? "?relation?", opaque: sources });
    }
    this.predicate(item.on, scope);
    for (const name of listItems(item.using)) {
      const column = nameOf(name);
      if (column) this.facts.addPredicate(scope.resolveUnqualified(column).sources);
    }
    this.budget.leave();
  }

  /** Walk an expression, appending the source columns its value derives from to `out`. */
  /** An expression whose value a write stores: its reads are recorded as stored columns. */
  private stored(node: unknown, scope: Scope): void {
    const sources: SourceColumn[] = [];
    this.expr(node, scope, sources);
    this.facts.addStored(sources);
  }

  expr(node: unknown, scope: Scope, out: SourceColumn[]): void {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const item of node) this.expr(item, scope, out);
      return;
    }
    this.budget.enter();
    const n = node as MyNode;
    const sub = isNode(n.ast) ? n.ast : undefined;
    if (sub) {
      addSources(out, allSources(this.statement(sub, scope)));
    } else {
      switch (n.type) {
        case "column_ref":
          addSources(out, this.columnRef(n, scope).sources);
          break;
        case "function":
        case "aggr_func":
          this.call(n, scope, out);
          break;
        case "select":
          addSources(out, allSources(this.select(n, scope)));
          break;
        default:
          for (const key in n) {
            if (key === "loc" || key === "target" || key === "as") continue;
            this.expr(n[key], scope, out);
          }
      }
    }
    this.budget.leave();
  }

  private call(n: MyNode, scope: Scope, out: SourceColumn[]): void {
    const name = (nameOf(n.name) ?? "?").toLowerCase();
    this.facts.functions.add(name);
    if (FILE_FUNCTIONS.has(name)) this.facts.fileAccess = true;
    const args = n.args;
    if (isNode(args) && args.type !== "expr_list") {
      // Aggregates: { expr, distinct, orderby, separator }.
      this.expr(args.expr, scope, out);
      this.expr(args.separator, scope, out);
      const probe: SourceColumn[] = [];
      this.expr(args.orderby, scope, probe);
      this.facts.addPredicate(probe);
      addSources(out, probe);
    } else {
      this.expr(listItems(args), scope, out);
    }
    if (n.over) {
      const probe: SourceColumn[] = [];
      this.expr(n.over, scope, probe);
      this.facts.addPredicate(probe);
    }
  }

  private targets(tables: unknown, scope: Scope, kind: "insert" | "update" | "delete", hasWhere: boolean): void {
    for (const item of listItems(tables)) {
      if (!isNode(item)) continue;
      // DELETE t FROM t JOIN u: the target names a FROM item by alias.
      const bare = nameOf(item.table) ?? "?";
      const relation = !item.db ? scope.findRelation(bare) : undefined;
      const table = relation?.table ?? tableName(item);
      this.facts.addWrite({ kind, table, hasWhere });
      if (!relation) scope.add({ alias: nameOf(item.as) ?? bare, table });
    }
  }

  insert(ast: MyNode, parent: Scope | undefined): ColumnLineage[] {
    const scope = this.scope(parent);
    const values = ast.values;
    const query = isNode(values) && values.type === "select" ? values : subqueryAst(values);
    if (query) this.select(query, parent);
    else this.expr(values, scope, []);
    this.targets(ast.table, scope, "insert", true);
    for (const set of listItems(ast.set)) if (isNode(set)) this.stored(set.value, scope);
    const dup = isNode(ast.on_duplicate_update) ? ast.on_duplicate_update.set : undefined;
    for (const set of listItems(dup)) if (isNode(set)) this.stored(set.value, scope);
    this.remaining(ast, INSERT_KEYS, scope);
    return this.columns(ast.returning, scope);
  }

  update(ast: MyNode, parent: Scope | undefined): ColumnLineage[] {
    const outer = Array.isArray(ast.with) ? this.with(ast.with, parent) : parent;
    const scope = this.scope(outer);
    const hasWhere = ast.where !== null && ast.where !== undefined;
    const tables = listItems(ast.table).filter(isNode);
    for (const item of tables) this.fromItem(item, scope);
    // Multi-table UPDATE writes the tables its SET list names; a single-table UPDATE writes its table.
    const setTargets = new Set<string>();
    for (const set of listItems(ast.set)) {
      if (!isNode(set)) continue;
      this.stored(set.value, scope);
      const q = nameOf(set.table);
      const relation = q ? scope.findRelation(q) : scope.relations.length === 1 ? scope.relations[0] : undefined;
      if (relation?.table) setTargets.add(relation.table);
      else for (const r of scope.relations) if (r.table) setTargets.add(r.table);
    }
    for (const table of setTargets) this.facts.addWrite({ kind: "update", table, hasWhere });
    if (tables.length === 1 && scope.relations[0]?.table) this.facts.read.delete(scope.relations[0].table);
    this.predicate(ast.where, scope);
    this.orderBy(ast.orderby, scope);
    this.remaining(ast, UPDATE_KEYS, scope);
    return [];
  }

  delete(ast: MyNode, parent: Scope | undefined): ColumnLineage[] {
    const outer = Array.isArray(ast.with) ? this.with(ast.with, parent) : parent;
    const scope = this.scope(outer);
    const hasWhere = ast.where !== null && ast.where !== undefined;
    for (const item of listItems(ast.from)) if (isNode(item)) this.fromItem(item, scope);
    this.targets(ast.table, scope, "delete", hasWhere);
    // A single-table DELETE lists its table in FROM too: it is written, not read.
    if (listItems(ast.from).length === 1 && scope.relations[0]?.table) this.facts.read.delete(scope.relations[0].table);
    this.predicate(ast.where, scope);
    this.orderBy(ast.orderby, scope);
    this.remaining(ast, DELETE_KEYS, scope);
    return this.columns(ast.returning, scope);
  }

  private orderBy(list: unknown, scope: Scope): void {
    for (const item of listItems(list)) if (isNode(item)) this.predicate(item.expr, scope);
  }
}

function qualifierOf(ref: MyNode): string | undefined {
  const table = nameOf(ref.table);
  if (!table) return undefined;
  const db = nameOf(ref.db);
  return db ? `${db}.${table}` : table;
}

/** MySQL names an unaliased expression column after its text; the function name is a readable stand-in. */
function defaultName(expr: unknown): string {
  if (isNode(expr) && (expr.type === "function" || expr.type === "aggr_func")) {
    return (nameOf(expr.name) ?? "?column?").toLowerCase();
  }
  return "?column?";
}
