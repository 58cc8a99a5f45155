// One parsed MySQL/MariaDB statement → kind and per-kind fields; the walk fills the facts.

import type { StatementAnalysis } from "../types";
import { AnalysisAbort } from "../errors";
import type { Budget } from "../core/budget";
import { StatementFacts } from "../core/facts";
import { buildStatement, type Classification, type StatementText } from "../core/statement";
import { isNode, listItems, nameOf, numberValue, tableName, type MyNode } from "./ast";
import { MysqlWalker } from "./walker";

export function analyzeMysqlAst(ast: MyNode, identity: StatementText, budget: Budget): StatementAnalysis {
  const facts = new StatementFacts();
  const walker = new MysqlWalker(facts, budget);
  return buildStatement("mysql", identity, classify(ast, identity, walker), facts);
}

function classify(ast: MyNode, identity: StatementText, w: MysqlWalker): Classification {
  const keyword = typeof ast.keyword === "string" ? ast.keyword.toLowerCase() : undefined;
  switch (ast.type) {
    case "select": {
      const outputColumns = w.select(ast, undefined);
      return { kind: "select", outputColumns, ...limitOf(lastBranch(ast).limit) };
    }
    case "insert":
    case "replace":
      return { kind: "insert", outputColumns: w.insert(ast, undefined) };
    case "update":
      w.update(ast, undefined);
      return { kind: "update", hasWhere: ast.where !== null && ast.where !== undefined };
    case "delete":
      return { kind: "delete", outputColumns: w.delete(ast, undefined), hasWhere: ast.where !== null && ast.where !== undefined };
    case "load_data": {
      const table = isNode(ast.table) ? tableName(ast.table) : "?";
      w.facts.addWrite({ kind: "insert", table, hasWhere: true });
      w.facts.fileAccess = true;
      return { kind: "insert" };
    }
    case "truncate":
      for (const item of listItems(ast.name)) if (isNode(item)) w.facts.written.add(tableName(item));
      return { kind: "truncate" };
    case "create":
    case "alter":
    case "drop":
    case "rename":
      return ddl(ast, keyword, w);
    case "use":
      return { kind: "session", setting: "database" };
    case "set": {
      w.expr(ast.expr, w.scope(undefined), []);
      return { kind: "session", ...settingOf(ast, identity.normalized()) };
    }
    case "transaction":
      return { kind: "transaction" };
    case "lock":
    case "unlock":
      for (const item of listItems(ast.tables)) if (isNode(item) && isNode(item.table)) w.facts.read.add(tableName(item.table));
      return { kind: "lock" };
    case "show":
    case "desc":
      return { kind: "other" };
    case "grant":
    case "revoke":
      return { kind: "grant" };
    case "call":
      w.expr(ast.expr, w.scope(undefined), []);
      return { kind: "procedural" };
    case "explain": {
      const innerAst = isNode(ast.expr) ? ast.expr : undefined;
      if (!innerAst) return { kind: "explain" };
      const innerFacts = new StatementFacts();
      const inner = buildStatement("mysql", identity, classify(innerAst, identity, new MysqlWalker(innerFacts, w.budget)), innerFacts);
      w.facts.absorb(innerFacts, { writes: false });
      return { kind: "explain", explain: { analyze: false, inner } };
    }
    default:
      throw new AnalysisAbort("unanalysable", `unsupported MySQL statement type ${String(ast.type)}`);
  }
}

function ddl(ast: MyNode, keyword: string | undefined, w: MysqlWalker): Classification {
  const action = ast.type === "rename" ? "alter" : (ast.type as "create" | "alter" | "drop");
  const objectType = ast.type === "rename" || ast.type === "alter" ? (keyword ?? "table") : (keyword ?? "object");
  const tableLike = objectType === "table" || objectType === "view" || objectType === "index";
  const targets = ast.type === "drop" ? ast.name : ast.type === "rename" ? listItems(ast.table).flat() : ast.table;
  if (tableLike || ast.type === "rename" || ast.type === "alter") {
    for (const item of listItems(targets)) {
      if (isNode(item) && (item.table !== undefined || item.db !== undefined)) w.facts.written.add(tableName(item));
    }
  }
  // CREATE TABLE ... AS SELECT / CREATE VIEW ... AS SELECT read their query.
  for (const key of ["query_expr", "as", "select", "view"]) {
    const value = ast[key];
    if (isNode(value) && (value.type === "select" || isNode(value.ast))) {
      w.statement(isNode(value.ast) ? value.ast : value, undefined);
    }
  }
  if (isNode(ast.view)) w.facts.written.add(tableName(ast.view));
  return { kind: "ddl", ddl: { action, objectType } };
}

function lastBranch(ast: MyNode): MyNode {
  let node = ast;
  while (isNode(node._next)) node = node._next;
  return node;
}

/** LIMIT n, LIMIT offset, n and LIMIT n OFFSET m. */
function limitOf(limit: unknown): Pick<Classification, "hasLimit" | "limit"> {
  if (!isNode(limit)) return { hasLimit: false };
  const values = listItems(limit.value);
  if (values.length === 0) return { hasLimit: false };
  const countNode = limit.seperator === "," ? values[1] : values[0];
  const count = numberValue(countNode);
  return count !== undefined ? { hasLimit: true, limit: count } : { hasLimit: true };
}

/**
 * The variable a SET changes, as policy sees it: `global.<name>` when it changes the server's value for everyone
 * (GLOBAL, PERSIST, PERSIST_ONLY, @@global.…; the parser drops those keywords, so the text says it), the plain name
 * for the session's own. Several assignments in one SET leave the setting unknown, which policy treats as possibly
 * any setting (a block rule on settings then applies).
 */
function settingOf(ast: MyNode, text: string): { setting?: string } {
  const items = listItems(ast.expr);
  const userVariable = (item: unknown) => isNode(item) && isNode(item.left) && item.left.prefix === "@";
  if (items.length > 1 && items.every(userVariable)) return { setting: "user_variables" };
  if (items.length !== 1) return {};
  const first = items[0];
  const left = isNode(first) && isNode(first.left) ? first.left : undefined;
  const name = left ? nameOf(left.name)?.toLowerCase() : undefined;
  if (name === undefined) return {};
  const members = left && Array.isArray(left.members) ? (left.members as unknown[]).filter((m): m is string => typeof m === "string") : [];
  const scoped = members.length > 0 ? `${name}.${members.join(".").toLowerCase()}` : name;
  if (/^(global|persist|persist_only)\./.test(scoped)) return { setting: scoped.replace(/^(persist|persist_only)\./, "global.") };
  if (/^\s*set\s+(global|persist|persist_only)\b/i.test(text)) return { setting: `global.${scoped}` };
  if (/^(session|local)\./.test(scoped)) return { setting: scoped.replace(/^(session|local)\./, "") };
  return { setting: scoped };
}
