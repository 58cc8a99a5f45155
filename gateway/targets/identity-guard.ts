import type { BlockDecision, RuleRef } from "../../lib/policy";
import type { Analysis, StatementAnalysis } from "../../lib/sql/types";
import { PG_IDENTITY_SETTINGS } from "./identity";

// The agent's identity on the target (identity.ts) is Airlock's to set: a statement that could change it is refused
// by the engine before policy is consulted, on every door, whatever the policies say (an editable policy could
// otherwise drop the rule and let one agent read another's rows). Reading the identity stays allowed, and so does
// `SET airlock.reason = '…'` (the agent's justification). Where the text cannot be read with certainty the
// statement is refused (fail closed); false refusals are statements no agent needs (a string that spells an
// assignment to @airlock_…, a DDL text with a SET clause next to the word airlock).
//
// PostgreSQL: SET / SET LOCAL / RESET / SET … TO DEFAULT of airlock.agent, airlock.agent_groups, airlock.session
//   (any case or quoting, as the analysis names them); set_config(…) unless every call's first argument is a plain
//   string literal naming another setting; writes to pg_settings (its update rule calls set_config); a SET clause
//   in DDL or a DO block next to the word airlock (CREATE FUNCTION … SET airlock.agent = …).
//   RESET ALL and DISCARD ALL stay allowed: on a pinned session they restore the identity (it is the session's
//   startup default), on the pooled path they can only clear it for the agent's own transaction (fail closed).
// MySQL/MariaDB: a user variable named airlock_… (or whose name cannot be read plainly: quoted with a backslash,
//   non-ASCII) in a statement that can assign variables: SET and every statement kind other than SELECT, DML and
//   EXPLAIN; any text with `:=`; a SELECT with INTO. And PREPARE … FROM @variable (text Airlock cannot see).

export const IDENTITY_RULE: RuleRef = {
  policyId: "airlock-built-in",
  ruleId: "protect-agent-identity",
  ruleName: "The agent's identity on the target cannot be changed",
};

const MESSAGE = "This statement would change the agent identity Airlock gives the database";
const HINTS: Record<"postgres" | "mysql", string> = {
  postgres:
    "Airlock sets airlock.agent, airlock.agent_groups and airlock.session (and application_name) for every statement, so the database's row-level security and logs know who runs it: read them with current_setting('airlock.agent', true), but leave them as they are. SET airlock.reason = '…' still gives your reason.",
  mysql:
    "Airlock sets @airlock_agent, @airlock_agent_groups and @airlock_session for every statement, so the database's views, triggers and logs know who runs it: read them (SELECT @airlock_agent), but do not assign @airlock_… variables.",
};

const PG_PROTECTED: ReadonlySet<string> = new Set(Object.values(PG_IDENTITY_SETTINGS));

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

/** `set_config`, `"set_config"`, then `(` and a plain literal as the first argument. */
const SET_CONFIG = /(?<![\w$])set_config/gi;
const LITERAL_FIRST_ARGUMENT = /^"?\s*\(\s*'((?:[^']|'')*)'\s*,/;
const SET_WORD = /\bset\b/i;
const NAMES_AIRLOCK = /airlock|u&["']/i;

function pgTampering(statement: StatementAnalysis): string | undefined {
  const setting = statement.setting?.toLowerCase();
  if (statement.kind === "session" && setting !== undefined && PG_PROTECTED.has(setting)) return `sets ${setting}`;
  const configCall = setConfigTampering(statement);
  if (configCall !== undefined) return configCall;
  if (statement.tablesWritten.some((table) => bareName(table) === "pg_settings")) return "writes pg_settings";
  if ((statement.kind === "ddl" || statement.kind === "procedural" || statement.kind === "unknown" || statement.kind === "other") && SET_WORD.test(statement.text) && NAMES_AIRLOCK.test(statement.text)) {
    return "a SET clause naming airlock settings";
  }
  return undefined;
}

function setConfigTampering(statement: StatementAnalysis): string | undefined {
  const calls = [...statement.text.matchAll(SET_CONFIG)];
  const analysed = statement.functions.some((name) => bareName(name) === "set_config");
  if (calls.length === 0) return analysed ? "set_config, spelled so Airlock cannot read its arguments" : undefined;
  for (const call of calls) {
    const rest = statement.text.slice(call.index + call[0].length);
    const literal = LITERAL_FIRST_ARGUMENT.exec(rest);
    if (!literal) return "set_config with a setting name that is not a plain string";
    const name = literal[1]!.trim().toLowerCase();
    // with standard_conforming_strings off a backslash escapes: such a name is not read as written
    if (name.includes("\\")) return "set_config with a setting name that is not a plain string";
    if (PG_PROTECTED.has(name)) return `set_config of ${name}`;
  }
  return undefined;
}

function bareName(name: string): string {
  const parts = name.toLowerCase().replace(/"/g, "").split(".");
  return parts[parts.length - 1]!;
}

// ── MySQL / MariaDB ─────────────────────────────────────────────────────────────────────────────────────────

/** Statement kinds that assign a user variable only with `:=` or SELECT … INTO. */
const NO_PLAIN_ASSIGNMENT = new Set(["select", "insert", "update", "delete", "merge", "explain"]);
/** `@name`, `@'name'`, `@"name"`, `` @`name` `` — not `@@system_variable`. */
const USER_VARIABLE = /(?<!@)@(?!@)(?:`((?:[^`]|``)*)`|'((?:[^'\\]|\\.|'')*)'|"((?:[^"\\]|\\.|"")*)"|([^\s`'"@=:;,()+\-*/<>!|&^~%]+))/g;
const PREPARE_FROM_VARIABLE = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*prepare\b[\s\S]*\bfrom\s*(?:\/\*[\s\S]*?\*\/\s*)*@(?!@)/i;

function mysqlTampering(statement: StatementAnalysis): string | undefined {
  const text = statement.text;
  if (PREPARE_FROM_VARIABLE.test(text)) return "PREPARE from a variable, whose text Airlock cannot see";
  const named = protectedVariable(text);
  if (named === undefined) return undefined;
  if (!NO_PLAIN_ASSIGNMENT.has(statement.kind)) return `assigns ${named}`;
  if (text.includes(":=")) return `assigns ${named} with :=`;
  if ((statement.kind === "select" || statement.kind === "explain") && /\binto\b/i.test(text)) return `selects into ${named}`;
  return undefined;
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
