// MySQL/MariaDB entry point: prepare the text (split, expand executable comments, normalize), then parse
// and analyse each statement. A statement neither grammar parses is `unknown` with the parser's message,
// unless fallback.ts recognises its exact shape.

import type { StatementAnalysis } from "../types";
import { describeFailure } from "../errors";
import type { Budget } from "../core/budget";
import { StatementFacts } from "../core/facts";
import { hash64 } from "../core/hash";
import { buildStatement, unknownStatement, type StatementText } from "../core/statement";
import { analyzeMysqlAst } from "./classify";
import { recognizeMysql, scanUnknown, type FallbackMatch } from "./fallback";
import { fingerprintText, prepareMysql, type PreparedStatement } from "./lexer";
import { parseMysql } from "./parser";

/** Parenthesis nesting beyond which MySQL text is not handed to the (recursive) parser at all. */
export const MAX_MYSQL_PAREN_DEPTH = 100;

export function analyzeMysql(input: string, budget: Budget): StatementAnalysis[] {
  const prepared = prepareMysql(input);
  if (!prepared.ok) {
    return [unknownStatement("mysql", rawIdentity(input.trim()), "parse_error", prepared.message)];
  }
  if (input.includes("\\") && !sameReading(prepared.statements, prepareMysql(input, false))) {
    // The split depends on sql_mode NO_BACKSLASH_ESCAPES ('a\'; DROP TABLE t; -- '): refuse to pick one.
    return [unknownStatement("mysql", rawIdentity(input.trim()), "parse_error", "statement boundaries depend on backslash escaping in strings")];
  }
  if (prepared.statements.length === 0) {
    return [unknownStatement("mysql", rawIdentity(input.trim()), "empty_statement")];
  }
  return prepared.statements.map((statement) => analyzeOne(statement, budget));
}

function sameReading(a: readonly PreparedStatement[], b: ReturnType<typeof prepareMysql>): boolean {
  if (!b.ok || b.statements.length !== a.length) return false;
  return a.every((s, i) => s.normalized === b.statements[i].normalized);
}

function identityOf(statement: PreparedStatement): StatementText {
  return {
    text: statement.text,
    normalized: () => statement.normalized,
    fingerprint: () => hash64(fingerprintText(statement.normalized)),
  };
}

function rawIdentity(text: string): StatementText {
  return { text, normalized: () => text, fingerprint: () => hash64(text) };
}

function analyzeOne(statement: PreparedStatement, budget: Budget): StatementAnalysis {
  const identity = identityOf(statement);
  if (statement.depth > MAX_MYSQL_PAREN_DEPTH) return unknownStatement("mysql", identity, "nesting_too_deep");
  try {
    const parsed = parseMysql(statement.code);
    if (parsed.ok) {
      if (parsed.asts.length !== 1) {
        return unknownStatement("mysql", identity, "parse_error", "one statement expected, parser found several");
      }
      return analyzeMysqlAst(parsed.asts[0], identity, budget);
    }
    const match = recognizeMysql(statement.code);
    if (match) return fromFallback(match, identity, budget);
    const scan = scanUnknown(statement.code);
    const facts = new StatementFacts();
    for (const f of scan.functions) facts.functions.add(f);
    facts.fileAccess = scan.fileAccess;
    return unknownStatement("mysql", identity, "parse_error", parsed.message, { facts });
  } catch (error) {
    const { code, message } = describeFailure(error);
    return unknownStatement("mysql", identity, code, message);
  }
}

function fromFallback(match: FallbackMatch, identity: StatementText, budget: Budget): StatementAnalysis {
  const facts = new StatementFacts();
  for (const t of match.tables ?? []) facts.read.add(t);
  for (const t of match.tablesWritten ?? []) facts.addWrite({ kind: "insert", table: t, hasWhere: true });
  if (match.fileAccess) facts.fileAccess = true;
  const classification = { ...match.classification };
  if (match.inner) {
    // PREPARE's text comes out of a string, never through prepareMysql: its comments, executable comments
    // and `--` must be read the way the server will read them before it reaches the parser.
    const prepared = prepareInner(match.inner.code);
    if (!prepared.ok) return unknownStatement("mysql", identity, "parse_error", prepared.message);
    const code = match.inner.asSelect ? `SELECT ${prepared.code}` : prepared.code;
    const parsed = parseMysql(code);
    if (!parsed.ok || parsed.asts.length !== 1) {
      return unknownStatement("mysql", identity, "parse_error", parsed.ok ? "one statement expected" : parsed.message);
    }
    const inner = analyzeMysqlAst(parsed.asts[0], identity, budget);
    if (inner.kind === "unknown") return inner;
    absorbAnalysis(facts, inner, match.inner.executes);
    if (classification.kind === "explain") {
      classification.explain = { analyze: match.inner.executes, inner };
      classification.hasWhere = match.inner.executes ? inner.hasWhere : true;
    }
  } else if (classification.kind === "explain") {
    delete classification.explain;
  }
  return buildStatement("mysql", identity, classification, facts);
}

/** Code nested in a statement (PREPARE's text, DO's expressions, EXPLAIN's statement), as one prepared statement. */
function prepareInner(code: string): { ok: true; code: string } | { ok: false; message: string } {
  const prepared = prepareMysql(code);
  if (!prepared.ok) return prepared;
  if (code.includes("\\") && !sameReading(prepared.statements, prepareMysql(code, false))) {
    return { ok: false, message: "statement boundaries depend on backslash escaping in strings" };
  }
  if (prepared.statements.length !== 1) return { ok: false, message: "one statement expected" };
  const [statement] = prepared.statements as [PreparedStatement];
  if (statement.depth > MAX_MYSQL_PAREN_DEPTH) return { ok: false, message: "nesting too deep" };
  return { ok: true, code: statement.code };
}

/** Fold a nested statement's findings into the enclosing one (its writes only when it runs). */
function absorbAnalysis(facts: StatementFacts, inner: StatementAnalysis, executes: boolean): void {
  for (const t of inner.tablesRead) facts.read.add(t);
  for (const f of inner.functions) facts.functions.add(f);
  facts.addPredicate(inner.predicateColumns);
  if (inner.fileAccess) facts.fileAccess = true;
  if (!executes) return;
  for (const t of inner.tablesWritten) facts.written.add(t);
  for (const w of inner.writes ?? []) facts.writes.push(w);
}

/** The text identity of one already-split MySQL statement (its normalized form computed on first read). */
export function mysqlIdentity(text: string): StatementText {
  let normalized: string | undefined;
  const normal = () => (normalized ??= (() => {
    const prepared = prepareMysql(text);
    return prepared.ok && prepared.statements.length === 1 ? prepared.statements[0]!.normalized : text;
  })());
  return { text, normalized: normal, fingerprint: () => hash64(fingerprintText(normal())) };
}
