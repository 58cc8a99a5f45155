// Accessors over node-sql-parser's syntax tree, whose shapes vary by statement and version: names may be
// plain strings or `{ type, value }` objects, lists may be arrays or `{ type: "expr_list", value }`.

export type MyNode = Record<string, unknown>;

export function isNode(value: unknown): value is MyNode {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A name that may be a string, `{ value }`, `{ expr: { value } }` or `{ name: [{ value }] }`. */
export function nameOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (!isNode(value)) return undefined;
  if (typeof value.value === "string") return value.value;
  if (isNode(value.expr)) return nameOf(value.expr);
  if (Array.isArray(value.name)) return value.name.map(nameOf).filter((s) => s !== undefined).join(".");
  if (typeof value.name === "string") return value.name;
  return undefined;
}

/** A table reference `{ db, table }` as written: "db.table" or "table". */
export function tableName(ref: MyNode): string {
  const table = nameOf(ref.table) ?? "?";
  const db = nameOf(ref.db) ?? nameOf(ref.schema);
  return db ? `${db}.${table}` : table;
}

/** Items of a list that is either an array or an `expr_list` node. */
export function listItems(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isNode(value) && value.type === "expr_list") return listItems(value.value);
  return value === null || value === undefined ? [] : [value];
}

/** The select syntax tree of a subquery wrapper (`{ ast }`, `{ expr: { ast } }`), if `value` is one. */
export function subqueryAst(value: unknown): MyNode | undefined {
  if (!isNode(value)) return undefined;
  if (isNode(value.ast)) return value.ast;
  if (isNode(value.expr) && isNode(value.expr.ast)) return value.expr.ast;
  return undefined;
}

export function numberValue(value: unknown): number | undefined {
  if (isNode(value) && value.type === "number" && typeof value.value === "number") return value.value;
  return undefined;
}
