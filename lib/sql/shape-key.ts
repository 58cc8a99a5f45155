import type { Dialect } from "./types";

// The analysis cache's second key: a statement's text with the constants it compares columns against replaced
// by `?`, so `… WHERE aid = 1` and `… WHERE aid = 2` share one analysis and only the first is parsed. Two texts
// with the same key must analyse alike in everything but their text, so the key is deliberately narrow:
//
// - only SELECT, INSERT, UPDATE, DELETE and WITH statements, one per text (a trailing `;` allowed);
// - only plain ASCII text this small lexer reads exactly as PostgreSQL and MySQL do: no comments, no backslash,
//   no dollar quoting, no escape-string or typed-literal prefixes, no double-quoted strings on MySQL, no number
//   glued to a word (`0x1F`, `1_000`, `1e5x`): anything else has no key, and only the exact text is cached;
// - only a constant in `column <op> constant`, with <op> one of = <> != < > <= >=, the column a plain (possibly
//   qualified) identifier after WHERE, AND, OR, ON, SET, WHEN, HAVING, `(` or `,`, and the constant followed by
//   the end, `)`, `,` or a clause keyword. LIMIT, OFFSET, ORDER BY positions, function arguments, casts, IN
//   lists and literals compared with literals (`'a' = 'a'`) keep their values.
//
// lib/sql/shape-key.test.ts checks over the analysis corpus that statements with one key analyse and are decided
// alike, and that the places above keep their values.

type Token = { readonly kind: "word" | "quoted" | "string" | "number" | "param" | "op" | "punct"; readonly text: string; readonly start: number };

const FIRST_WORDS = new Set(["select", "insert", "update", "delete", "with"]);
const COMPARISONS = new Set(["=", "<>", "!=", "<", ">", "<=", ">="]);
const BEFORE_COLUMN = new Set(["where", "and", "or", "on", "set", "when", "having", "(", ","]);
const AFTER_CONSTANT = new Set([")", ",", ";", "and", "or", "limit", "offset", "order", "group", "having", "returning", "where", "union", "except", "intersect", "for", "window", "then", "else", "end", "when", "on"]);
/** Words that are never a plain column name, so `current_user = 'x'` keeps its value. */
const NOT_COLUMNS = new Set([
  "all", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate", "column", "constraint", "create",
  "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
  "default", "desc", "distinct", "do", "else", "end", "except", "false", "for", "from", "grant", "group", "having", "in",
  "intersect", "into", "is", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only",
  "or", "order", "primary", "references", "returning", "select", "session_user", "some", "symmetric", "system_user",
  "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "values", "when", "where", "window",
  "with", "interval", "date", "time", "timestamp", "exists", "row", "binary", "like", "ilike", "between",
]);

const OP_CHARS = "+-*/<>=~!@#%^&|`?";

/** The shared key of texts that analyse alike but for compared constants; null when the text has none. */
export function analysisKey(sql: string, dialect: Dialect): string | null {
  const tokens = lex(sql, dialect);
  if (tokens === null || tokens.length < 2) return null;
  const first = tokens[0]!;
  if (first.kind !== "word" || !FIRST_WORDS.has(first.text.toLowerCase())) return null;
  const semicolons = tokens.filter((token) => token.text === ";");
  if (semicolons.length > 1 || (semicolons.length === 1 && tokens[tokens.length - 1]!.text !== ";")) return null;
  let replaced = 0;
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if ((token.kind === "string" || token.kind === "number") && comparedToColumn(tokens, i)) {
      out.push("?");
      replaced++;
    } else out.push(token.kind === "string" ? `s${token.text}` : token.text);
  }
  return replaced === 0 ? null : `${dialect}\u0000${out.join(" ")}`;
}

/** The statement's own text, as the parsers cut it: trimmed, without its trailing `;`. */
export function keyedStatementText(sql: string): string {
  const trimmed = sql.trim();
  return trimmed.endsWith(";") ? trimmed.slice(0, -1).trim() : trimmed;
}

function comparedToColumn(tokens: readonly Token[], i: number): boolean {
  const op = tokens[i - 1];
  if (!op || op.kind !== "op" || !COMPARISONS.has(op.text)) return false;
  const next = tokens[i + 1];
  if (next !== undefined && !AFTER_CONSTANT.has(next.text.toLowerCase())) return false;
  // the column: ident, or ident.ident (.ident), right before the operator
  let j = i - 2;
  if (!isColumnWord(tokens[j])) return false;
  while (tokens[j - 1]?.text === "." && isColumnWord(tokens[j - 2])) j -= 2;
  const before = tokens[j - 1];
  return before !== undefined && BEFORE_COLUMN.has(before.text.toLowerCase());
}

function isColumnWord(token: Token | undefined): boolean {
  if (token === undefined) return false;
  if (token.kind === "quoted") return true;
  return token.kind === "word" && !NOT_COLUMNS.has(token.text.toLowerCase());
}

/** Tokens of the narrow subset described above; null for anything outside it. */
function lex(sql: string, dialect: Dialect): Token[] | null {
  if (/[^\x20-\x7e\t\n\r]|\\/.test(sql)) return null; // non-ASCII, control characters, backslashes anywhere
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const ch = sql[i]!;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    if (ch === "#" || (ch === "$" && !/[0-9]/.test(sql[i + 1] ?? ""))) return null;
    const start = i;
    if (isWordStart(ch)) {
      while (i < n && isWordChar(sql[i]!)) i++;
      const word = sql.slice(start, i);
      if (sql[i] === "'" || sql[i] === "&") return null; // E'…', B'…', X'…', N'…', U&'…', _utf8'…'
      out.push({ kind: "word", text: word, start });
      continue;
    }
    if (ch >= "0" && ch <= "9" || (ch === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i, i + 64));
      if (!match) return null;
      i += match[0].length;
      if (i < n && (isWordChar(sql[i]!) || sql[i] === ".")) return null; // 0x1F, 1_000, 1.2.3, 1e5x
      out.push({ kind: "number", text: match[0], start });
      continue;
    }
    if (ch === "$") {
      while (++i < n && /[0-9]/.test(sql[i]!));
      if (i < n && isWordChar(sql[i]!)) return null;
      out.push({ kind: "param", text: sql.slice(start, i), start });
      continue;
    }
    if (ch === "'") {
      i++;
      for (;;) {
        if (i >= n) return null;
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") i += 2;
          else break;
        } else i++;
      }
      i++;
      // 'a' 'b' is one string across a newline and an error on one line: which, the whitespace says; no key
      if (out[out.length - 1]?.kind === "string") return null;
      out.push({ kind: "string", text: sql.slice(start, i), start });
      continue;
    }
    if (ch === '"' || (ch === "`" && dialect === "mysql")) {
      if (ch === '"' && dialect === "mysql") return null; // a string or an identifier, by sql_mode
      i++;
      while (i < n && sql[i] !== ch) i++;
      if (i >= n || sql[i + 1] === ch) return null;
      i++;
      out.push({ kind: "quoted", text: sql.slice(start, i), start });
      continue;
    }
    if (OP_CHARS.includes(ch)) {
      while (i < n && OP_CHARS.includes(sql[i]!)) i++;
      const op = sql.slice(start, i);
      if (op.includes("--") || op.includes("/*") || op.includes("*/") || op.includes("`")) return null;
      // Only operators read the same by both lexers' longest-match rules are kept whole; the rest has no key.
      if (op.length > 1 && !COMPARISONS.has(op) && op !== "||" && op !== "::") return null;
      out.push({ kind: "op", text: op, start });
      continue;
    }
    if ("(),;.[]:".includes(ch)) {
      if (ch === ":" && sql[i + 1] === ":") {
        out.push({ kind: "op", text: "::", start });
        i += 2;
        continue;
      }
      if (ch === ":" || ch === "[" || ch === "]") return null;
      out.push({ kind: "punct", text: ch, start });
      i++;
      continue;
    }
    return null;
  }
  return out;
}

function isWordStart(ch: string): boolean {
  return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "_";
}

function isWordChar(ch: string): boolean {
  return isWordStart(ch) || (ch >= "0" && ch <= "9") || ch === "$";
}
