// Small accessors over libpg-query's JSON syntax tree. A `Node` is an object with one key, the node's
// type ("SelectStmt", "ColumnRef", ...), whose value is that node's fields.

import type { Node, RangeVar } from "libpg-query";

export type { Node } from "libpg-query";

export type PgFields = Record<string, unknown>;

/** The type tag and fields of a wrapped node. */
export function unwrap(node: Node): [tag: string, fields: PgFields] {
  for (const tag in node) return [tag, (node as unknown as Record<string, PgFields>)[tag]];
  return ["", {}];
}

/** A value that looks like a wrapped node: an object with one key that starts with a capital letter. */
export function isWrappedNode(value: unknown): value is Node {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  let count = 0;
  let first = "";
  for (const key in value) {
    if (count++ === 0) first = key;
    else return false;
  }
  const c = first.charCodeAt(0);
  return count === 1 && c >= 65 && c <= 90;
}

/** The `sval` of a String node, or undefined. */
export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const s = (node as { String?: { sval?: string } }).String;
  return s ? (s.sval ?? "") : undefined;
}

/** The svals of a list of String nodes (a qualified name). */
export function nameList(nodes: readonly Node[] | undefined): string[] {
  const out: string[] = [];
  for (const node of nodes ?? []) {
    const s = stringValue(node);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** "schema.table" as written (unquoted names arrive lower-cased from the parser). */
export function rangeVarName(rv: RangeVar): string {
  const parts: string[] = [];
  if (rv.catalogname) parts.push(rv.catalogname);
  if (rv.schemaname) parts.push(rv.schemaname);
  parts.push(rv.relname ?? "");
  return parts.join(".");
}

/** An integer constant, or undefined. */
export function intConstant(node: Node | undefined): number | undefined {
  if (!node) return undefined;
  const c = (node as { A_Const?: { ival?: { ival?: number }; isnull?: boolean } }).A_Const;
  if (!c || c.isnull) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  return undefined;
}

/** `ObjectType` enum value ("OBJECT_MATVIEW") as a readable object type ("materialized view"). */
export function objectTypeName(objectType: string | undefined): string {
  if (!objectType) return "object";
  const raw = objectType.replace(/^OBJECT_/, "").toLowerCase();
  const renamed: Record<string, string> = {
    matview: "materialized view",
    foreign_table: "foreign table",
    tsconfiguration: "text search configuration",
    tsdictionary: "text search dictionary",
    fdw: "foreign data wrapper",
    foreign_server: "server",
    event_trigger: "event trigger",
    access_method: "access method",
    largeobject: "large object",
  };
  return renamed[raw] ?? raw.replace(/_/g, " ");
}
