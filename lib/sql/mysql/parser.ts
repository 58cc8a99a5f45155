// node-sql-parser, MySQL grammar first and MariaDB's where MySQL's fails. The per-dialect builds are loaded
// instead of the all-dialects bundle; their CommonJS exports are read in a loader-neutral way.

import * as mysqlBuild from "node-sql-parser/build/mysql.js";
import * as mariadbBuild from "node-sql-parser/build/mariadb.js";
import { isNode, type MyNode } from "./ast";

interface SqlParser {
  astify(sql: string, options: { database: string }): unknown;
}
type ParserConstructor = new () => SqlParser;
type BuildModule = { Parser?: ParserConstructor; default?: { Parser?: ParserConstructor } };

function parserOf(build: unknown): SqlParser {
  const loaded = build as BuildModule;
  const Parser = loaded.Parser ?? loaded.default?.Parser;
  if (!Parser) throw new Error("node-sql-parser build has no Parser export");
  return new Parser();
}

let mysql: SqlParser | undefined;
let mariadb: SqlParser | undefined;

export type ParseOutcome = { ok: true; asts: MyNode[] } | { ok: false; message: string };

/** Parse one statement's code; the MySQL grammar's message is kept when both grammars fail. */
export function parseMysql(code: string): ParseOutcome {
  let firstMessage: string;
  try {
    mysql ??= parserOf(mysqlBuild);
    return { ok: true, asts: toList(mysql.astify(code, { database: "MySQL" })) };
  } catch (error) {
    if (error instanceof RangeError) throw error;
    firstMessage = error instanceof Error ? error.message : String(error);
  }
  try {
    mariadb ??= parserOf(mariadbBuild);
    return { ok: true, asts: toList(mariadb.astify(code, { database: "MariaDB" })) };
  } catch (error) {
    if (error instanceof RangeError) throw error;
    return { ok: false, message: firstMessage };
  }
}

function toList(result: unknown): MyNode[] {
  const list = Array.isArray(result) ? result : [result];
  return list.filter(isNode);
}
