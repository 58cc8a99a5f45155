// Statements node-sql-parser does not parse but whose meaning is unambiguous from their leading words
// (SAVEPOINT, SET NAMES, REVOKE, OPTIMIZE TABLE, EXPLAIN ANALYZE, DO, PREPARE, CREATE USER, ...). Each
// pattern matches the whole statement shape; anything else stays `unknown` — never a guessed harmless kind.

import type { Classification } from "../core/statement";

export interface FallbackMatch {
  readonly classification: Classification;
  /** Tables named by the statement (OPTIMIZE TABLE a, b). */
  readonly tables?: readonly string[];
  readonly tablesWritten?: readonly string[];
  readonly fileAccess?: boolean;
  /** SQL to analyse in its place and fold in: EXPLAIN ANALYZE's statement, DO's expressions, PREPARE's text. */
  readonly inner?: { readonly code: string; readonly executes: boolean; readonly asSelect?: boolean };
}

const IDENT = String.raw`(?:\x60(?:[^\x60]|\x60\x60)+\x60|[\w$]+)`;
const QUALIFIED = `${IDENT}(?:\\.${IDENT})?`;
const TABLE_LIST = new RegExp(`^(${QUALIFIED}(?:\\s*,\\s*${QUALIFIED})*)`);

function tableList(rest: string): string[] | undefined {
  const m = TABLE_LIST.exec(rest.trim());
  if (!m) return undefined;
  return m[1].split(",").map((t) => t.trim().replace(/\x60/g, ""));
}

export function recognizeMysql(code: string): FallbackMatch | undefined {
  const text = code.trim().replace(/\s+/g, " ");
  const lower = text.toLowerCase();
  let m: RegExpExecArray | null;
  if (
    /^savepoint \S+$/.test(lower) ||
    /^release savepoint \S+$/.test(lower) ||
    /^rollback( work)? to( savepoint)? \S+$/.test(lower) ||
    /^(commit|rollback)( work)?( and( no)? chain)?( (no )?release)?$/.test(lower) ||
    /^begin( work)?$/.test(lower) ||
    /^xa (start|begin|end|prepare|commit|rollback|recover)\b/.test(lower) ||
    /^set( global| session| local)? transaction\b/.test(lower)
  ) {
    return { classification: { kind: "transaction" } };
  }
  if ((m = /^set (names|character set|charset)\b/.exec(lower))) {
    return { classification: { kind: "session", setting: m[1] === "names" ? "names" : "character_set" } };
  }
  if (/^(deallocate|drop) prepare \S+$/.test(lower)) return { classification: { kind: "session", setting: "prepare" } };
  if (/^revoke\b/.test(lower)) return { classification: { kind: "grant" } };
  if ((m = /^(optimize|analyze|check|repair|checksum)( no_write_to_binlog| local)? tables? (.+)$/.exec(lower))) {
    const tables = tableList(text.slice(text.length - m[3].length));
    if (tables) return { classification: { kind: "maintenance" }, tables };
  }
  if (/^flush\b/.test(lower)) return { classification: { kind: "maintenance" } };
  if (/^kill( connection| query)? \d+$/.test(lower)) return { classification: { kind: "other" } };
  if ((m = /^(?:explain|describe|desc)( analyze)?( format ?= ?\w+)? ((?:select|insert|update|delete|replace|with|table)\b.*)$/.exec(lower))) {
    const analyze = m[1] !== undefined;
    return {
      classification: { kind: "explain", explain: undefined },
      inner: { code: text.slice(text.length - m[3].length), executes: analyze },
    };
  }
  if ((m = /^analyze ((?:select|insert|update|delete|replace|with)\b.*)$/.exec(lower))) {
    // MariaDB's ANALYZE <statement> runs the statement.
    return { classification: { kind: "explain" }, inner: { code: text.slice(text.length - m[1].length), executes: true } };
  }
  if ((m = /^do (.+)$/.exec(lower))) {
    return { classification: { kind: "procedural" }, inner: { code: text.slice(text.length - m[1].length), executes: true, asSelect: true } };
  }
  if ((m = /^prepare \S+ from '((?:[^'\\]|\\.|'')*)'$/i.exec(text))) {
    const inner = m[1].replace(/''/g, "'").replace(/\\(.)/g, "$1");
    return { classification: { kind: "other" }, inner: { code: inner, executes: true } };
  }
  if ((m = /^(create|alter|drop|rename) (user|role)\b/.exec(lower))) {
    const action = m[1] === "rename" ? "alter" : (m[1] as "create" | "alter" | "drop");
    return { classification: { kind: "ddl", ddl: { action, objectType: m[2] } } };
  }
  if ((m = /^(create|alter|drop)( or replace)?( definer ?= ?\S+)? (procedure|function|trigger|event|sequence|server|tablespace|logfile group)\b/.exec(lower))) {
    return { classification: { kind: "ddl", ddl: { action: m[1] as "create" | "alter" | "drop", objectType: m[4] } } };
  }
  if ((m = /^load (?:data|xml)\b.*? into table (\S+)/.exec(lower))) {
    const tables = tableList(text.slice(lower.indexOf(m[1], lower.indexOf(" into table ") + 11)));
    return { classification: { kind: "insert" }, tablesWritten: tables ?? [m[1]], fileAccess: true };
  }
  return undefined;
}

const NOT_FUNCTIONS = new Set(
  "in values exists as on using into table key index not and or from select where by join when then else all any some set over partition like regexp between is case if".split(" "),
);

/** For statements left unknown: the names called like functions, and whether server files are touched. */
export function scanUnknown(code: string): { functions: string[]; fileAccess: boolean } {
  const functions = new Set<string>();
  for (const m of code.matchAll(/([A-Za-z_][\w$]*)\s*\(/g)) {
    const name = m[1].toLowerCase();
    if (!NOT_FUNCTIONS.has(name)) functions.add(name);
  }
  const fileAccess = /\b(load_file\s*\(|into\s+(outfile|dumpfile)\b|load\s+(data|xml)\b)/i.test(code);
  return { functions: [...functions], fileAccess };
}
