// DO blocks: the body is PL/pgSQL text. libpg-query's PL/pgSQL parser yields every embedded SQL statement
// and expression; each is parsed and walked into the DO statement's facts, so a DELETE or pg_read_file
// inside a DO body shows up in tablesWritten / functions. Dynamic SQL (EXECUTE) is analysed when it is a
// string literal; anything computed at run time cannot be seen (the statement stays "procedural").

import { parsePlPgSQLSync, parseSync, type DoStmt, type Node, type RangeVar } from "libpg-query";
import { rangeVarName, stringValue, unwrap } from "./ast";
import { ddlOf, ddlTargets } from "./ddl";
import type { PgWalker } from "./walker";

/** PL/pgSQL parse modes of embedded expressions (RawParseMode): 0 statement, 2 expression, 3/4/5 assignment. */
const MODE_STATEMENT = 0;

export function scanDoBlock(stmt: DoStmt, w: PgWalker): void {
  let body: string | undefined;
  let language = "plpgsql";
  for (const arg of stmt.args ?? []) {
    const def = (arg as { DefElem?: { defname?: string; arg?: Node } }).DefElem;
    if (def?.defname === "as") body = stringValue(def.arg);
    if (def?.defname === "language") language = (stringValue(def.arg) ?? language).toLowerCase();
  }
  if (body === undefined || language !== "plpgsql") return;
  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(`DO $airlock_do$${body}$airlock_do$`);
  } catch {
    return;
  }
  const queries: { query: string; mode: number; dynamic: boolean }[] = [];
  collectQueries(tree, queries, false, 0);
  for (const { query, mode, dynamic } of queries) {
    w.budget.tick();
    walkEmbedded(query, mode, w);
    if (dynamic) {
      const literal = /^\s*'((?:[^']|'')*)'\s*$/.exec(query);
      if (literal) walkEmbedded(literal[1].replace(/''/g, "'"), MODE_STATEMENT, w);
    }
  }
}

function collectQueries(
  value: unknown,
  out: { query: string; mode: number; dynamic: boolean }[],
  dynamic: boolean,
  depth: number,
): void {
  if (value === null || typeof value !== "object" || depth > 200) return;
  if (Array.isArray(value)) {
    for (const item of value) collectQueries(item, out, dynamic, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  const expr = record.PLpgSQL_expr as { query?: string; parseMode?: number } | undefined;
  if (expr?.query !== undefined) {
    out.push({ query: expr.query, mode: expr.parseMode ?? 0, dynamic });
    return;
  }
  for (const key in record) {
    const isDynamic = dynamic || key === "PLpgSQL_stmt_dynexecute" || key === "PLpgSQL_stmt_dynfors";
    collectQueries(record[key], out, isDynamic, depth + 1);
  }
}

/** Parse one embedded statement or expression and walk it into the DO statement's facts. */
function walkEmbedded(query: string, mode: number, w: PgWalker): void {
  let sql = query;
  if (mode !== MODE_STATEMENT) {
    const assign = /^[^'"]*?:=/.exec(query);
    sql = `SELECT ${assign ? query.slice(assign[0].length) : query}`;
  }
  let parsed: { stmts?: { stmt?: Node }[] };
  try {
    parsed = parseSync(sql);
  } catch {
    return;
  }
  for (const { stmt } of parsed.stmts ?? []) {
    if (!stmt) continue;
    w.statement(stmt, undefined);
    const [tag, fields] = unwrap(stmt);
    const ddl = ddlOf(tag, fields);
    const targets = ddl ? ddlTargets(tag, fields, ddl.objectType) : [];
    if (tag === "TruncateStmt") {
      for (const rel of (fields.relations as Node[] | undefined) ?? []) {
        const rv = (rel as { RangeVar?: RangeVar }).RangeVar;
        if (rv) targets.push(rangeVarName(rv));
      }
    }
    for (const t of targets) w.facts.written.add(t);
  }
}
