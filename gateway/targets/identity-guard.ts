import { parseSync } from "libpg-query";
import type { BlockDecision, RuleRef } from "../../lib/policy";
import type { Analysis, StatementAnalysis } from "../../lib/sql/types";
import { PG_IDENTITY_SETTINGS } from "./identity";

// The agent's identity on the target (identity.ts) is Airlock's to set: a statement that could change it is refused
// by the engine before policy is consulted, on every door, whatever the policies say (an editable policy could
// otherwise drop the rule and let one agent read another's rows). Reading the identity stays allowed, and so does
// `SET airlock.reason = '…'` (the agent's justification). Where the text cannot be read with certainty the
// statement is refused (fail closed); false refusals are statements no agent needs (a string that spells an
// assignment to @airlock_…, a DDL text with a SET clause next to the word airlock, a DO block or function that
// builds SQL at run time).
//
// PostgreSQL: the settings are airlock.agent, airlock.agent_groups, airlock.session and application_name
//   ("airlock:<agent>"): on the pooled path set with set_config(…, true) before every statement, but a SET in the
//   statement's own text overrides that for the rest of its transaction; on the PostgreSQL door they are startup
//   defaults, set once, so a SET would last for the session.
//   - SET / SET LOCAL / SET SESSION / RESET / SET … TO DEFAULT of them (any case or quoting, as the analysis names
//     them); set_config(…) unless every call's first argument is a plain string literal naming another setting, or
//     with the name in pieces ('set_' || 'config'); writes to pg_settings (its update rule calls set_config).
//   - Functions that run the SQL text they are given (query_to_xml, ts_stat, crosstab, …) unless every argument is
//     a constant, whose SQL is then read like a body.
//   - DO blocks and CREATE FUNCTION / PROCEDURE, read from the body PostgreSQL will run (the parser's, with adjacent
//     literals joined and escapes decoded): a language other than SQL or PL/pgSQL (its code can build any SQL); a
//     PL/pgSQL EXECUTE of anything but one constant string; a DO block or function inside the body; set_config,
//     SET/RESET of the settings, pg_settings with UPDATE, a name in Unicode escapes (U&"…") in the body; a
//     function's own SET clause for one of them.
//   - Other DDL, CALL and unreadable text: a SET clause next to the word airlock, SET/RESET application_name.
//   RESET ALL and DISCARD ALL stay allowed: on a pinned session they restore the identity (it is the session's
//   startup default), on the pooled path they can only clear it for the agent's own transaction (fail closed).
//   SET ROLE and SET SESSION AUTHORIZATION change none of these values (the default policy refuses them anyway).
// MySQL/MariaDB: a user variable named airlock_… (or whose name cannot be read plainly: quoted with a backslash,
//   non-ASCII) in a statement that can assign variables: SET and every statement kind other than SELECT, DML and
//   EXPLAIN; any text with `:=`; a SELECT with INTO. And PREPARE … FROM / EXECUTE IMMEDIATE of anything but one plain
//   string (a variable or an expression is text Airlock cannot see), anywhere in the text, executable comments
//   (/*! … */) included; the statement in such a string is read the same way.
//
// Not covered: functions already in the database that set these values or run text they are given (an existing
// wrapper of set_config or of EXECUTE, called with the setting's name): they are the operator's.

export const IDENTITY_RULE: RuleRef = {
  policyId: "airlock-built-in",
  ruleId: "protect-agent-identity",
  ruleName: "The agent's identity on the target cannot be changed",
};

const MESSAGE = "This statement would change the agent identity Airlock gives the database";
const HINTS: Record<"postgres" | "mysql", string> = {
  postgres:
    "Airlock sets airlock.agent, airlock.agent_groups and airlock.session (and application_name) for every statement, so the database's row-level security and logs know who runs it: read them with current_setting('airlock.agent', true), but leave them as they are. SET airlock.reason = '…' still gives your reason. A DO block or function whose SQL Airlock cannot read (EXECUTE of built text, a language other than SQL or PL/pgSQL) is refused for the same reason.",
  mysql:
    "Airlock sets @airlock_agent, @airlock_agent_groups and @airlock_session for every statement, so the database's views, triggers and logs know who runs it: read them (SELECT @airlock_agent), but do not assign @airlock_… variables. PREPARE and EXECUTE IMMEDIATE take a plain string, not a variable or an expression.",
};

/** A block decision when a statement of `analysis` could change the agent's identity on the target; else undefined. */
export function identityTampering(analysis: Analysis): BlockDecision | undefined {
  for (const [index, statement] of analysis.statements.entries()) {
    const what = analysis.dialect === "mysql" ? mysqlTampering(statement) : pgTampering(statement);
    if (what !== undefined) return block(index, what, analysis.dialect === "mysql" ? "mysql" : "postgres");
  }
  return undefined;
}

function block(statementIndex: number, what: string, dialect: "postgres" | "mysql"): BlockDecision {
  const message = `${MESSAGE} (${what})`;
  return {
    action: "block",
    message,
    code: "rule_block",
    statementIndex,
    matched: [{ ...IDENTITY_RULE, action: "block", statementIndex, what }],
    reasons: [{ code: "rule_block", message, statementIndex, rule: IDENTITY_RULE }],
    hints: [HINTS[dialect]],
  };
}

// ── PostgreSQL ──────────────────────────────────────────────────────────────────────────────────────────────

/** What Airlock sets for every statement (identity.ts): the three settings, and application_name ("airlock:<agent>"). */
const PG_PROTECTED: ReadonlySet<string> = new Set([...Object.values(PG_IDENTITY_SETTINGS), "application_name"]);

/** `set_config`, `"set_config"`, then `(` and a plain literal as the first argument. */
const SET_CONFIG = /(?<![\w$])set_config/gi;
const LITERAL_FIRST_ARGUMENT = /^"?\s*\(\s*'((?:[^']|'')*)'\s*,/;
const SET_WORD = /\bset\b/i;
const NAMES_AIRLOCK = /airlock|u&["']/i;
/** Languages whose bodies Airlock reads; any other (plperl, plpython3u, pltcl, plv8, c, internal, …) builds SQL freely. */
const READABLE_LANGUAGES: ReadonlySet<string> = new Set(["sql", "plpgsql"]);
/** Functions that run SQL text they are given in the caller's session: built-in, tablefunc, xml2. */
const SQL_RUNNERS: ReadonlySet<string> = new Set([
  "query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema", "ts_stat", "ts_rewrite",
  "crosstab", "crosstab2", "crosstab3", "crosstab4", "connectby", "xpath_table",
]);
const SQL_RUNNER_NAME = /(?<![\w$])"?(query_to_xml_and_xmlschema|query_to_xmlschema|query_to_xml|ts_stat|ts_rewrite|crosstab[234]?|connectby|xpath_table)\b"?/gi;
/** A constant argument: a plain or dollar-quoted string, a boolean, NULL, a number; then an optional `::type`. */
const CONSTANT = /'((?:[^'\\]|'')*)'|\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$([\s\S]*?)\$\2\$|(?:true|false|null)\b|[+-]?\d+(?:\.\d+)?(?![\w.])/iy;
const CAST = /::\s*[A-Za-z_][\w.]*(?:\s*\[\s*\])?/y;
/** A PL/pgSQL EXECUTE of a constant string: `EXECUTE 'text' | $$text$$` then `;`, USING, INTO or the end. */
const CONSTANT_STRING = /'(?:[^'\\]|'')*'|\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$[\s\S]*?\$\1\$/y;
const MAX_NESTING = 8;

/** Characters the scans below may still read for the statement at hand (linear in its length, whatever its shape). */
let workLeft = 0;
class TooMuchWork extends Error {}

function spend(characters: number): void {
  workLeft -= characters;
  if (workLeft < 0) throw new TooMuchWork();
}

function pgTampering(statement: StatementAnalysis): string | undefined {
  workLeft = 16 * statement.text.length + 100_000;
  try {
    return pgStatementTampering(statement);
  } catch (error) {
    if (error instanceof TooMuchWork) return "a text Airlock cannot read in the time it has";
    throw error;
  }
}

function pgStatementTampering(statement: StatementAnalysis): string | undefined {
  const text = statement.text;
  const setting = statement.setting?.toLowerCase();
  if (statement.kind === "session" && setting !== undefined && PG_PROTECTED.has(setting)) return `sets ${setting}`;
  const configCall = setConfigTampering(text, statement.functions.some((name) => bareName(name) === "set_config"));
  if (configCall !== undefined) return configCall;
  if (statement.tablesWritten.some((table) => bareName(table) === "pg_settings")) return "writes pg_settings";
  const runner = sqlRunnerTampering(text, 0);
  if (runner !== undefined) return runner;
  if (statement.functions.some((name) => SQL_RUNNERS.has(bareName(name))) && !hasSqlRunnerCall(text)) {
    return "a function that runs SQL text, spelled so Airlock cannot read its arguments";
  }
  const code = codeBlock(statement);
  if (code === "unreadable") return "a DO block or function Airlock could not read";
  if (code !== undefined) return codeTampering(code, text);
  if (statement.kind === "unknown" && statement.syntaxError === undefined && nestedCode(text)) {
    return "a DO block or function Airlock could not read";
  }
  if (statement.kind === "ddl" || statement.kind === "procedural" || statement.kind === "unknown" || statement.kind === "other") {
    if (SET_WORD.test(text) && NAMES_AIRLOCK.test(text)) return "a SET clause naming airlock settings";
    const set = setsProtected(text); // ALTER ROLE … SET application_name = …
    if (set !== undefined) return `a SET clause for ${set}`;
  }
  return undefined;
}

/** `analysed`: the analysis saw a call of set_config (which the text may spell with Unicode escapes). */
function setConfigTampering(text: string, analysed: boolean): string | undefined {
  const calls = [...text.matchAll(SET_CONFIG)];
  if (calls.length === 0 && analysed) return "set_config, spelled so Airlock cannot read its arguments";
  for (const call of calls) {
    const rest = text.slice(call.index + call[0].length);
    const literal = LITERAL_FIRST_ARGUMENT.exec(rest);
    if (!literal) return "set_config with a setting name that is not a plain string";
    const name = literal[1]!.trim().toLowerCase();
    // with standard_conforming_strings off a backslash escapes: such a name is not read as written
    if (name.includes("\\")) return "set_config with a setting name that is not a plain string";
    if (PG_PROTECTED.has(name)) return `set_config of ${name}`;
  }
  // 'set_' || 'config', 'set_con'<newline>'fig': the name in pieces, for a function that runs what it is given
  if (occurrences(squashed(text), "set_config") > occurrences(text.toLowerCase(), "set_config")) return "set_config written in pieces";
  return undefined;
}

/** The text without quotes, dollar-quote tags, whitespace and `||`, lower-cased: string pieces joined up. */
function squashed(text: string): string {
  return text.toLowerCase().replace(/\|\||['"\s]|\$[a-z0-9_]*\$/g, "");
}

function occurrences(text: string, word: string): number {
  let count = 0;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) count++;
  return count;
}

function bareName(name: string): string {
  const parts = name.toLowerCase().replace(/"/g, "").split(".");
  return parts[parts.length - 1]!;
}

/** Index of the first character from `at` that is neither whitespace nor a comment (block comments nest). */
function skipGap(text: string, at: number): number {
  const i = gapEnd(text, at);
  spend(i - at + 1);
  return i;
}

function gapEnd(text: string, at: number): number {
  let i = at;
  for (;;) {
    if (i >= text.length) return text.length;
    if (/\s/.test(text[i]!)) {
      i++;
    } else if (text.startsWith("--", i)) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end + 1;
    } else if (text.startsWith("/*", i)) {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (text.startsWith("*/", i)) {
          depth--;
          i += 2;
        } else {
          i++;
        }
      }
    } else {
      return i;
    }
  }
}

// query_to_xml('SELECT set_' || 'config(…)', …): a function that runs the SQL text it is given. Refused unless every
// argument is a constant, and then the SQL in those constants is read as a body is.

function hasSqlRunnerCall(text: string): boolean {
  return [...text.matchAll(SQL_RUNNER_NAME)].length > 0;
}

function sqlRunnerTampering(text: string, depth: number): string | undefined {
  for (const match of text.matchAll(SQL_RUNNER_NAME)) {
    const open = skipGap(text, match.index + match[0].length);
    if (text[open] !== "(") continue; // a column or a type of that name, not a call
    const name = match[1]!.toLowerCase();
    const constants = constantArguments(text, open + 1);
    if (constants === undefined) return `${name} of SQL text that is not a plain string`;
    for (const sql of constants) {
      const problem = bodyTampering(sql, "sql", depth + 1);
      if (problem !== undefined) return `${name} of SQL that ${problem}`;
    }
  }
  return undefined;
}

/** The strings among a call's arguments (from just after its `(`) when every argument is a constant; else undefined. */
function constantArguments(text: string, from: number): string[] | undefined {
  const strings: string[] = [];
  let at = skipGap(text, from);
  if (text[at] === ")") return strings;
  for (;;) {
    CONSTANT.lastIndex = at;
    const constant = CONSTANT.exec(text);
    if (!constant) return undefined;
    spend(constant[0].length);
    if (constant[1] !== undefined) strings.push(constant[1].replace(/''/g, "'"));
    if (constant[3] !== undefined) strings.push(constant[3]);
    at = skipGap(text, at + constant[0].length);
    CAST.lastIndex = at;
    const cast = CAST.exec(text);
    if (cast) at = skipGap(text, at + cast[0].length);
    if (text[at] === ")") return strings;
    if (text[at] !== ",") return undefined;
    at = skipGap(text, at + 1);
  }
}

// DO blocks and CREATE FUNCTION / PROCEDURE: the body as PostgreSQL will run it (the parser joins adjacent literals
// and decodes escapes), read in its own language. Only SQL and PL/pgSQL are read; in them SQL can be built at run time
// only by EXECUTE or a function that runs text (above), so an EXECUTE of anything but a constant string is refused.

interface CodeBlock {
  readonly language: string;
  /** The body strings (`AS '…'`, `DO '…'`), decoded. */
  readonly bodies: readonly string[];
  /** Settings the function's own SET / RESET clauses change while it runs. */
  readonly settings: readonly string[];
  /** A SQL-standard body (BEGIN ATOMIC … END, RETURN …): part of the statement's text itself. */
  readonly standardBody: boolean;
}

interface DefElem {
  readonly defname?: string;
  readonly arg?: { String?: { sval?: string }; List?: { items?: { String?: { sval?: string } }[] }; VariableSetStmt?: { name?: string } };
}

function codeBlock(statement: StatementAnalysis): CodeBlock | "unreadable" | undefined {
  const routine = statement.kind === "ddl" && statement.ddl?.action === "create" && (statement.ddl.objectType === "function" || statement.ddl.objectType === "procedure");
  if (statement.kind !== "procedural" && !routine) return undefined;
  let stmt: { DoStmt?: { args?: { DefElem?: DefElem }[] }; CreateFunctionStmt?: { options?: { DefElem?: DefElem }[]; sql_body?: unknown } } | undefined;
  try {
    stmt = (parseSync(statement.text) as { stmts?: { stmt?: typeof stmt }[] }).stmts?.[0]?.stmt;
  } catch {
    return "unreadable";
  }
  const routineStmt = stmt?.CreateFunctionStmt;
  if (stmt?.DoStmt === undefined && routineStmt === undefined) return routine ? "unreadable" : undefined; // CALL
  let language = stmt?.DoStmt ? "plpgsql" : "sql";
  const bodies: string[] = [];
  const settings: string[] = [];
  for (const option of stmt?.DoStmt?.args ?? routineStmt?.options ?? []) {
    const def = option.DefElem;
    if (def?.defname === "language") language = (def.arg?.String?.sval ?? language).toLowerCase();
    if (def?.defname === "as") {
      if (def.arg?.String) bodies.push(def.arg.String.sval ?? "");
      for (const item of def.arg?.List?.items ?? []) bodies.push(item.String?.sval ?? "");
    }
    if (def?.defname === "set") settings.push((def.arg?.VariableSetStmt?.name ?? "").toLowerCase());
  }
  return { language, bodies, settings, standardBody: routineStmt?.sql_body !== undefined };
}

function codeTampering(code: CodeBlock, text: string): string | undefined {
  const setting = code.settings.find((name) => PG_PROTECTED.has(name));
  if (setting !== undefined) return `a function that sets ${setting}`;
  if (!READABLE_LANGUAGES.has(code.language)) return `a body in ${code.language}, whose SQL Airlock cannot read`;
  if (code.standardBody && writesPgSettings(text)) return "writes pg_settings";
  for (const body of code.bodies) {
    const problem = bodyTampering(body, code.language, 0);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** SQL or PL/pgSQL text that PostgreSQL will run (a body, a constant given to a SQL runner). */
function bodyTampering(body: string, language: string, depth: number): string | undefined {
  if (depth > MAX_NESTING) return "is nested too deep to read";
  if (nestedCode(body)) return "a DO block or function inside a body, which Airlock does not read";
  const configCall = setConfigTampering(body, false);
  if (configCall !== undefined) return configCall;
  if (/u&"/i.test(body)) return "a name spelled with Unicode escapes";
  const setting = setsProtected(body);
  if (setting !== undefined) return `sets ${setting}`;
  if (writesPgSettings(body)) return "writes pg_settings";
  const runner = sqlRunnerTampering(body, depth);
  if (runner !== undefined) return runner;
  if (language === "plpgsql" && runsBuiltSql(body)) return "EXECUTE of SQL built at run time";
  return undefined;
}

/** `DO '…'`, `DO $$…$$`, `DO LANGUAGE …`, `CREATE [OR REPLACE] FUNCTION | PROCEDURE`. */
function nestedCode(text: string): boolean {
  for (const match of text.matchAll(/\bdo\b/gi)) {
    const at = skipGap(text, match.index + 2);
    if (/^(?:language\b|\$|'|e'|u&')/i.test(text.slice(at, at + 9))) return true;
  }
  for (const match of text.matchAll(/\bcreate\b/gi)) {
    let at = skipGap(text, match.index + 6);
    if (/^or\b/i.test(text.slice(at, at + 3))) {
      at = skipGap(text, at + 2);
      if (/^replace\b/i.test(text.slice(at, at + 8))) at = skipGap(text, at + 7);
    }
    if (/^(?:function|procedure)\b/i.test(text.slice(at, at + 10))) return true;
  }
  return false;
}

/** SET / SET SESSION / SET LOCAL / RESET (also in ALTER … SET) of airlock.… or application_name: which. */
function setsProtected(text: string): string | undefined {
  for (const match of text.matchAll(/\b(?:re)?set\b/gi)) {
    let at = skipGap(text, match.index + match[0].length);
    const scope = /^(?:session|local)\b/i.exec(text.slice(at, at + 8));
    if (scope) at = skipGap(text, at + scope[0].length);
    const name = /^"?(airlock|application_name)\b|^u&/i.exec(text.slice(at, at + 20));
    if (name) return name[1] === undefined ? "a setting spelled with Unicode escapes" : name[1].toLowerCase() === "airlock" ? "airlock settings" : "application_name";
  }
  return undefined;
}

/** pg_settings and UPDATE in the same body (its update rule calls set_config; the name can be built at run time). */
function writesPgSettings(text: string): boolean {
  return /\bpg_settings\b/i.test(text) && /\bupdate\b/i.test(text);
}

/** A PL/pgSQL EXECUTE (also RETURN QUERY / FOR … IN / OPEN … FOR EXECUTE) of anything but one constant string. */
function runsBuiltSql(body: string): boolean {
  for (const match of body.matchAll(/\bexecute\b/gi)) {
    const at = skipGap(body, match.index + match[0].length);
    if (/^(?:function|procedure)\b/i.test(body.slice(at, at + 10))) continue; // CREATE TRIGGER … EXECUTE FUNCTION f()
    CONSTANT_STRING.lastIndex = at;
    const constant = CONSTANT_STRING.exec(body);
    if (!constant) return true;
    spend(constant[0].length);
    const after = skipGap(body, at + constant[0].length);
    if (!/^(?:;|using\b|into\b|$)/i.test(body.slice(after, after + 6))) return true;
  }
  return false;
}

// ── MySQL / MariaDB ─────────────────────────────────────────────────────────────────────────────────────────

/** Statement kinds that assign a user variable only with `:=` or SELECT … INTO. */
const NO_PLAIN_ASSIGNMENT = new Set(["select", "insert", "update", "delete", "merge", "explain"]);
/** `@name`, `@'name'`, `@"name"`, `` @`name` `` — not `@@system_variable`. */
const USER_VARIABLE = /(?<!@)@(?!@)(?:`((?:[^`]|``)*)`|'((?:[^'\\]|\\.|'')*)'|"((?:[^"\\]|\\.|"")*)"|([^\s`'"@=:;,()+\-*/<>!|&^~%]+))/g;
// In the keyword view (keywordView) a string is \u0001<n>\u0001 when plain (no backslash), \u0002<n>\u0002 otherwise,
// a `quoted identifier` is \u0003, comments are spaces and executable comments (/*! … */, /*M! … */) their content.
const PREPARE_FROM = /\bprepare(?:\s+[\w$\u0080-\uffff]+|\s*[\u0001\u0002]\d+[\u0001\u0002]|\s*\u0003)\s*from\b/gi;
const EXECUTE_IMMEDIATE = /\bexecute\s+immediate\b/gi;
const PLAIN_STRING_THEN_END = /^\s*\u0001(\d+)\u0001\s*(?:;|$)/;
const PLAIN_STRING_THEN_USING = /^\s*\u0001(\d+)\u0001\s*(?:;|$|using\b)/i;

function mysqlTampering(statement: StatementAnalysis): string | undefined {
  return mysqlTextTampering(statement.text, statement.kind, 0);
}

function mysqlTextTampering(text: string, kind: string, depth: number): string | undefined {
  const dynamic = mysqlDynamicSql(text, depth);
  if (dynamic !== undefined) return dynamic;
  const named = protectedVariable(text);
  if (named === undefined) return undefined;
  if (!NO_PLAIN_ASSIGNMENT.has(kind)) return `assigns ${named}`;
  if (text.includes(":=")) return `assigns ${named} with :=`;
  if ((kind === "select" || kind === "explain") && /\binto\b/i.test(text)) return `selects into ${named}`;
  return undefined;
}

/**
 * PREPARE … FROM and MariaDB's EXECUTE IMMEDIATE run text: refused unless it is one plain string (whose statement is
 * then read like any other), anywhere in the text, executable comments included. The text is read both with and
 * without backslash escapes (sql_mode NO_BACKSLASH_ESCAPES), so a string cannot hide the keywords from either.
 */
function mysqlDynamicSql(text: string, depth: number): string | undefined {
  for (const backslashEscapes of [true, false]) {
    const view = keywordView(text, backslashEscapes);
    for (const [pattern, end, what] of [
      [PREPARE_FROM, PLAIN_STRING_THEN_END, "PREPARE"],
      [EXECUTE_IMMEDIATE, PLAIN_STRING_THEN_USING, "EXECUTE IMMEDIATE"],
    ] as const) {
      for (const match of view.text.matchAll(pattern)) {
        const literal = end.exec(view.text.slice(match.index + match[0].length));
        if (!literal) return `${what} of text Airlock cannot see (a variable or an expression)`;
        if (depth >= 2) return `${what} nested too deep to read`; // MySQL prepares neither inside the other
        const inner = view.strings[Number(literal[1])]!;
        const problem = mysqlTextTampering(inner, firstKeyword(inner), depth + 1);
        if (problem !== undefined) return `${what} of a statement Airlock refuses: ${problem}`;
      }
    }
  }
  return undefined;
}

/** The statement kind a prepared text starts with, as far as NO_PLAIN_ASSIGNMENT needs it ("other" otherwise). */
function firstKeyword(text: string): string {
  const word = /^\s*([a-z]+)/i.exec(keywordView(text, true).text)?.[1]?.toLowerCase() ?? "";
  return NO_PLAIN_ASSIGNMENT.has(word) ? word : "other";
}

/** The text as the server's keywords read it: strings and quoted names as placeholders, comments as spaces. */
function keywordView(sql: string, backslashEscapes: boolean): { text: string; strings: string[] } {
  let out = "";
  const strings: string[] = [];
  let executable = false;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let value = "";
      let plain = true;
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) {
          plain = false;
          break;
        }
        const d = sql[j]!;
        if (d === "\\") plain = false;
        if (d === "\\" && backslashEscapes) {
          value += sql[j + 1] ?? "";
          j += 2;
        } else if (d === c && sql[j + 1] === c) {
          value += c;
          j += 2;
        } else if (d === c) {
          j++;
          break;
        } else {
          value += d;
          j++;
        }
      }
      const mark = plain ? "\u0001" : "\u0002";
      out += ` ${mark}${strings.length}${mark} `;
      strings.push(value);
      i = j;
    } else if (c === "`") {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "`" && sql[j + 1] !== "`")) j += sql[j] === "`" ? 2 : 1;
      out += "\u0003";
      i = j + 1;
    } else if (sql.startsWith("/*", i)) {
      const opening = /^\/\*M?!\d*/.exec(sql.slice(i, i + 16));
      if (opening && !executable) {
        executable = true;
        i += opening[0].length;
      } else {
        const close = sql.indexOf("*/", i + 2);
        i = close < 0 ? sql.length : close + 2;
      }
      out += " ";
    } else if (executable && sql.startsWith("*/", i)) {
      executable = false;
      out += " ";
      i += 2;
    } else if (c === "#" || (sql.startsWith("--", i) && (i + 2 >= sql.length || /[\s\x00-\x1f]/.test(sql[i + 2]!)))) {
      const end = sql.indexOf("\n", i);
      out += " ";
      i = end < 0 ? sql.length : end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, strings };
}

/** The first user variable in the text that is, or may be, an @airlock_… variable. */
function protectedVariable(text: string): string | undefined {
  for (const match of text.matchAll(USER_VARIABLE)) {
    const quoted = match[1] ?? match[2] ?? match[3];
    const name = quoted ?? match[4] ?? "";
    // a backslash (an escape in a quoted name) or a non-ASCII letter (collations fold some onto ASCII): unreadable
    if (name.includes("\\") || /[^\x20-\x7e]/.test(name)) return "@…";
    if (name.toLowerCase().startsWith("airlock_")) return `@${name.toLowerCase()}`;
  }
  return undefined;
}
