import { scanSync } from "libpg-query";
import { postgresParserReady } from "./postgres/analyze";
import { prepareMysql } from "./mysql/lexer";
import type { Dialect } from "./types";

// A statement's shape: its text with every constant replaced by `?` and every comment removed, for people who may
// see what agents ran but not the values in it (a policy author looking at recorded statements). Built from the
// dialect's own tokeniser, never from a parse: a text the parser rejects still has a shape. When the text cannot be
// tokenised (an unterminated string or comment) there is no shape, and the caller shows nothing of it.
// Identifiers are kept: they are the schema, which policies are written against.

const PG_CONSTANT_TOKENS = new Set(["SCONST", "USCONST", "ICONST", "FCONST", "BCONST", "XCONST"]);
const PG_COMMENT_TOKENS = new Set(["SQL_COMMENT", "C_COMMENT"]);
/** libpg-query names some constant tokens UNKNOWN (B'…', X'…', U&'…'): their text says what they are. */
const PG_CONSTANT_TEXT = /^(?:[bBxXnNeE]?'|[uU]&'|\$[^$]*\$|\.?[0-9])/;

/** The text with constants as `?` and without comments; null when it cannot be tokenised. */
export function statementShape(sql: string, dialect: Dialect): string | null {
  return dialect === "postgres" ? postgresShape(sql) : mysqlShape(sql);
}

function postgresShape(sql: string): string | null {
  if (!postgresParserReady()) return null;
  let tokens: { start: number; end: number; text: string; tokenName: string; keywordKind: number }[];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    return null;
  }
  // Offsets are in bytes of the UTF-8 text. Between two tokens, and after the last, there must be only white space:
  // anything else is text the scanner did not account for, and then nothing is shown.
  const bytes = Buffer.from(sql, "utf8");
  const blank = (from: number, to: number) => to <= from || bytes.subarray(from, to).toString("utf8").trim().length === 0;
  let shape = "";
  let end = 0;
  for (const token of tokens) {
    if (!blank(end, token.start)) return null;
    const spaced = token.start > end;
    end = token.end;
    if (PG_COMMENT_TOKENS.has(token.tokenName)) {
      shape += " ";
      continue;
    }
    const constant = PG_CONSTANT_TOKENS.has(token.tokenName) || (token.keywordKind === 0 && PG_CONSTANT_TEXT.test(token.text));
    shape += (spaced ? " " : "") + (constant ? "?" : token.text);
  }
  if (!blank(end, bytes.length)) return null;
  return shape.replace(/\s+/g, " ").trim();
}

function mysqlShape(sql: string): string | null {
  const prepared = prepareMysql(sql);
  if (!prepared.ok) return null;
  return prepared.statements.map((statement) => statement.normalized).join("; ");
}
