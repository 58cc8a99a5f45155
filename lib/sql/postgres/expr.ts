// Expressions: every column reference resolved to source columns, every function call recorded, every
// subquery analysed in the enclosing scope. Node types without special meaning are walked field by field,
// so new syntax (JSON constructors, XML, ...) still yields its column references.

import type { ColumnRef, FuncCall, Node, SubLink } from "libpg-query";
import type { SourceColumn } from "../types";
import { addSources, allSources } from "../core/lineage";
import type { Resolved, Scope } from "../core/scope";
import { isWrappedNode, nameList, stringValue, unwrap, type PgFields } from "./ast";
import type { PgWalker } from "./walker";

/** Walk `node`, appending the source columns its value derives from to `out`. */
export function walkExpr(w: PgWalker, node: Node | undefined, scope: Scope, out: SourceColumn[]): void {
  if (!node) return;
  w.budget.enter();
  const [tag, fields] = unwrap(node);
  switch (tag) {
    case "ColumnRef":
      addSources(out, resolveColumnRef(fields as ColumnRef, scope).sources);
      break;
    case "FuncCall":
      walkFuncCall(w, fields as FuncCall, scope, out);
      break;
    case "SubLink": {
      const link = fields as SubLink;
      walkExpr(w, link.testexpr, scope, out);
      if (link.subselect) addSources(out, allSources(w.statement(link.subselect, scope)));
      break;
    }
    case "A_Const":
    case "ParamRef":
    case "TypeName":
    case "String":
    case "Integer":
    case "Float":
    case "Boolean":
      break;
    case "SelectStmt":
    case "InsertStmt":
    case "UpdateStmt":
    case "DeleteStmt":
    case "MergeStmt":
      addSources(out, allSources(w.statement(node, scope)));
      break;
    case "RangeVar":
      w.readRangeVar(fields, scope);
      break;
    default:
      walkFields(w, fields, scope, out);
  }
  w.budget.leave();
}

/** Walk every field of an inline struct or an unrecognised node. */
export function walkFields(w: PgWalker, fields: PgFields, scope: Scope, out: SourceColumn[]): void {
  for (const key in fields) {
    if (key === "typeName" || key === "location") continue;
    const value = fields[key];
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (const item of value) walkValue(w, item, scope, out);
    } else {
      walkValue(w, value, scope, out);
    }
  }
}

function walkValue(w: PgWalker, value: unknown, scope: Scope, out: SourceColumn[]): void {
  if (value === null || typeof value !== "object") return;
  if (isWrappedNode(value)) walkExpr(w, value, scope, out);
  else if (Array.isArray(value)) for (const item of value) walkValue(w, item, scope, out);
  else {
    w.budget.enter();
    walkFields(w, value as PgFields, scope, out);
    w.budget.leave();
  }
}

function walkFuncCall(w: PgWalker, call: FuncCall, scope: Scope, out: SourceColumn[]): void {
  w.facts.functions.add(nameList(call.funcname).join("."));
  for (const arg of call.args ?? []) walkExpr(w, arg, scope, out);
  // Ordering, filtering and windowing shape the value without being it: they probe like predicates.
  const probe: SourceColumn[] = [];
  for (const sort of call.agg_order ?? []) walkExpr(w, sort, scope, probe);
  walkExpr(w, call.agg_filter, scope, probe);
  if (call.over) walkFields(w, call.over as unknown as PgFields, scope, probe);
  if (probe.length > 0) {
    w.facts.addPredicate(probe);
    // An ordered aggregate's output order still derives from its ordering keys.
    if (call.agg_order) addSources(out, probe);
  }
}

/**
 * A column reference: `col`, `t.col`, `s.t.col`, `*`, `t.*`, or a bare relation name (a whole-row
 * reference: `SELECT c FROM customers c`, `row_to_json(c)`, `c::text`).
 */
export function resolveColumnRef(ref: ColumnRef, scope: Scope): Resolved {
  const fields = ref.fields ?? [];
  const names: string[] = [];
  let star = false;
  for (const field of fields) {
    const s = stringValue(field);
    if (s !== undefined) names.push(s);
    else if ("A_Star" in field) star = true;
  }
  if (star) {
    const qualifier = names.length > 0 ? names.join(".") : undefined;
    const sources: SourceColumn[] = [];
    for (const column of scope.star(qualifier)) addSources(sources, column.sources);
    return { sources, direct: false };
  }
  if (names.length === 1) {
    const relation = scope.findRelation(names[0]);
    const asColumn = scope.resolveUnqualified(names[0]);
    if (!relation) return asColumn;
    // A relation name in column position is a whole-row reference, unless a column of that name wins;
    // report both so the lineage covers whichever PostgreSQL picks.
    const sources = scope.wholeRowOf(relation);
    addSources(sources, asColumn.sources);
    return { sources, direct: false };
  }
  const column = names[names.length - 1];
  const qualifier = names.slice(0, -1).join(".");
  const resolved = scope.resolveQualified(qualifier, column);
  if (names.length > 2 && !scope.findRelation(qualifier)) {
    // db.schema.table.col or schema.table.col: the relation may be listed by its bare name.
    const bare = names[names.length - 2];
    if (scope.findRelation(bare)) return scope.resolveQualified(bare, column);
  }
  return resolved;
}
