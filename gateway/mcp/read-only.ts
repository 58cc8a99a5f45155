import type { Analysis, Dialect, StatementAnalysis } from "../../lib/sql/types";
import { irreversibleEffects } from "../approvals/preview/effects";

// What the read-only `query` tool accepts, decided from Airlock's analysis before the engine sees the text (the
// engine then decides policy as usual). A client may run a read-only tool without asking its user, so this
// fails closed: every statement must be a plain read — SELECT / WITH … SELECT / TABLE / VALUES, EXPLAIN without
// ANALYZE of such a read, SHOW (and MySQL's DESCRIBE) — with no data-modifying WITH, no locking clause, no INTO,
// no variable assignment and no function outside the built-ins known to have no side effects. Anything else is
// refused with a pointer to `execute`.
//
// Statement text is scanned for the clauses the analysis does not report (FOR UPDATE, INTO, :=) with comments,
// strings and quoted identifiers set aside, under both readings of a backslash in a string (a clause either
// reading would see refuses), so no quoting trick hides one.

export type Check = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly hint: string };

const USE_EXECUTE = "`query` runs only reads that cannot change anything; send this statement with the `execute` tool (a write may wait for a person's approval).";
const READ_HEADS = new Set(["SELECT", "WITH", "TABLE", "VALUES"]);
const LOCKING = /\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\bLOCK\s+IN\s+SHARE\s+MODE\b/;
const INTO = /\bINTO\b/;
const ASSIGNMENT = /:=/;

/**
 * Built-ins that only compute or read, beyond the ones the approval preview already calls harmless
 * (approvals/preview/effects.ts): aggregates, window functions, JSON, math, dates and catalog look-ups that
 * agents use in reads. Unqualified, or `pg_catalog.` on PostgreSQL; a user's function of the same name in another
 * schema does not count.
 */
const READ_FUNCTIONS = new Set([
  // aggregates and window functions
  "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "percentile_cont", "percentile_disc",
  "mode", "corr", "covar_pop", "covar_samp", "bit_and", "bit_or", "bit_xor", "json_object_agg", "jsonb_object_agg",
  "json_arrayagg", "json_objectagg", "any_value", "ntile", "first_value", "last_value", "nth_value", "percent_rank",
  "cume_dist", "std",
  // json
  "json_extract_path", "json_extract_path_text", "jsonb_extract_path", "jsonb_extract_path_text",
  "json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
  "json_each", "jsonb_each", "json_each_text", "jsonb_each_text", "json_object_keys", "jsonb_object_keys",
  "json_typeof", "jsonb_typeof", "jsonb_pretty", "json_array_length", "jsonb_array_length", "row_to_json",
  "array_to_json", "json_contains", "json_keys", "json_length", "json_type", "json_valid", "json_search",
  // text and math
  "regexp_split_to_array", "regexp_split_to_table", "string_to_table", "regexp_like", "regexp_instr", "field",
  "elt", "find_in_set", "cbrt", "degrees", "radians", "pi", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
  "sha224", "sha256", "sha384", "sha512", "crc32", "inet_aton", "inet_ntoa",
  // dates
  "date_bin", "justify_days", "justify_hours", "justify_interval", "isfinite", "to_days", "from_days", "weekday",
  "weekofyear", "week", "quarter", "dayname", "monthname", "yearweek", "period_add", "period_diff", "makedate",
  "maketime", "sec_to_time", "time_to_sec", "convert_tz", "dayofyear",
  // the session's and catalog's own facts
  "current_database", "current_schema", "current_schemas", "current_user", "session_user", "version", "database",
  "schema", "pg_typeof", "format_type", "pg_size_pretty", "pg_total_relation_size", "pg_relation_size",
  "pg_table_size", "pg_indexes_size", "pg_database_size", "obj_description", "col_description",
]);

/** Every statement of the text is a read that changes nothing (data, locks, sequences, session state). */
export function checkReadOnly(analysis: Analysis): Check {
  for (const [index, statement] of analysis.statements.entries()) {
    const problem = readProblem(statement, analysis.dialect);
    if (problem !== undefined) {
      const which = analysis.statements.length > 1 ? `statement ${index + 1} of ${analysis.statements.length}` : "the statement";
      return { ok: false, reason: `${which} is not read-only: ${problem}`, hint: USE_EXECUTE };
    }
  }
  return { ok: true };
}

/**
 * The text the `explain` tool sends: `EXPLAIN (FORMAT TEXT) <statement>` (PostgreSQL) or `EXPLAIN <statement>`
 * (MySQL) for exactly one SELECT, INSERT, UPDATE, DELETE or MERGE whose functions are all known built-ins, and
 * only when the composed text is itself one plain EXPLAIN (never ANALYZE: the statement is not run).
 */
export function explainText(sql: string, analysis: Analysis, reanalyze: (text: string) => Analysis): { ok: true; text: string } | { ok: false; reason: string; hint: string } {
  const refuse = (reason: string, hint = "Send one SELECT, INSERT, UPDATE, DELETE or MERGE statement, without EXPLAIN; to run it, use `query` (reads) or `execute`.") => ({ ok: false as const, reason, hint });
  if (analysis.statements.length !== 1) return refuse("explain takes exactly one statement");
  const [statement] = analysis.statements as [StatementAnalysis];
  if (statement.kind === "unknown") return refuse(`Airlock could not analyse the statement${statement.error ? ` (${statement.error})` : ""}`, "Check the statement's syntax.");
  if (!["select", "insert", "update", "delete", "merge"].includes(statement.kind)) return refuse(`${statement.kind} statements have no plan to show`);
  const effect = functionEffects(statement, analysis.dialect);
  if (effect !== undefined) return refuse(`planning it could have side effects: ${effect}`, "Use `execute` with the EXPLAIN you need; it is decided by policy like any statement.");
  const inner = sql.trim().replace(/;\s*$/, "");
  const text = analysis.dialect === "postgres" ? `EXPLAIN (FORMAT TEXT) ${inner}` : `EXPLAIN ${inner}`;
  const composed = reanalyze(text);
  const explained = composed.statements[0];
  if (composed.statements.length !== 1 || explained?.kind !== "explain" || explained.explain?.analyze !== false) {
    return refuse("the statement cannot be explained as it is written");
  }
  return { ok: true, text };
}

function readProblem(statement: StatementAnalysis, dialect: Dialect): string | undefined {
  switch (statement.kind) {
    case "select":
      return selectProblem(statement, dialect);
    case "explain": {
      const inner = statement.explain?.inner;
      if (!statement.explain || statement.explain.analyze || !inner) return "EXPLAIN ANALYZE runs the statement it explains";
      if (inner.kind !== "select") return `it explains ${article(inner.kind)} ${inner.kind.toUpperCase()} statement (the \`explain\` tool shows any statement's plan)`;
      return clauseProblem(statement.text, dialect, false) ?? writeProblem(statement) ?? functionProblem(statement, dialect);
    }
    case "other": {
      const head = headOf(statement.text, dialect);
      if (head === "SHOW" || (dialect === "mysql" && (head === "DESCRIBE" || head === "DESC"))) return functionProblem(statement, dialect);
      return `${head ?? "this"} is not a read`;
    }
    case "unknown":
      return `Airlock could not analyse it${statement.error ? ` (${statement.error})` : ""}, so it cannot be shown to change nothing`;
    default:
      return `it is ${article(statement.kind)} ${statement.kind.toUpperCase()} statement`;
  }
}

function selectProblem(statement: StatementAnalysis, dialect: Dialect): string | undefined {
  const head = headOf(statement.text, dialect);
  if (head === undefined || !READ_HEADS.has(head)) return `${head ?? "it"} is not a plain SELECT`;
  return writeProblem(statement) ?? clauseProblem(statement.text, dialect, true) ?? functionProblem(statement, dialect);
}

function writeProblem(statement: StatementAnalysis): string | undefined {
  const writes = statement.writes ?? [];
  if (writes.length === 0) return undefined;
  return `it writes (${writes.map((write) => `${write.kind.toUpperCase()} on ${write.table}`).join(", ")})`;
}

/** Clauses the analysis does not report, in the statement's code (both readings of backslashes in strings). */
function clauseProblem(text: string, dialect: Dialect, checkInto: boolean): string | undefined {
  for (const backslashes of [false, true]) {
    const code = codeOf(text, dialect, backslashes);
    if (code === undefined) return "its quoting could not be read";
    if (LOCKING.test(code)) return "it locks rows (FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE)";
    if (checkInto && INTO.test(code)) return "SELECT … INTO stores its rows (in a table, a variable or a file)";
    if (ASSIGNMENT.test(code)) return "it assigns a variable (:=)";
  }
  return undefined;
}

/** Functions that are not known side-effect-free built-ins (sequences, notifications, user functions, …). */
function functionProblem(statement: StatementAnalysis, dialect: Dialect): string | undefined {
  const effect = functionEffects(statement, dialect);
  return effect === undefined ? undefined : `it may have side effects: ${effect}`;
}

function functionEffects(statement: StatementAnalysis, dialect: Dialect): string | undefined {
  // As a SELECT without writes, so only the functions (and server file access) are judged.
  const functions = statement.functions.filter((name) => !READ_FUNCTIONS.has(builtin(name, dialect)));
  const flags = irreversibleEffects({ ...statement, kind: "select", writes: undefined, functions }, dialect).filter((flag) => flag.code !== "not_a_write");
  return flags.length === 0 ? undefined : flags.map((flag) => flag.detail).join("; ");
}

/** A built-in's bare name; "" for a name that points elsewhere (another schema, a MySQL stored function). */
function builtin(qualified: string, dialect: Dialect): string {
  const name = qualified.toLowerCase();
  if (!name.includes(".")) return name;
  return dialect === "postgres" && /^pg_catalog\.[^.]+$/.test(name) ? name.slice("pg_catalog.".length) : "";
}

/** The first keyword of the statement's code (comments and parentheses skipped), upper-cased. */
function headOf(text: string, dialect: Dialect): string | undefined {
  const code = codeOf(text, dialect, false);
  return code === undefined ? undefined : /^[\s(]*([A-Z_]+)/.exec(code)?.[1];
}

/**
 * The statement's code, upper-cased, with comments removed and strings, dollar-quoted strings and quoted
 * identifiers replaced by a placeholder; undefined when a quote or comment is left open. PostgreSQL comments
 * nest; MySQL's `#` and `-- ` comments are honoured and its executable comments (`/*! … *\/`) kept as code.
 */
export function codeOf(text: string, dialect: Dialect, backslashEscapes: boolean): string | undefined {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "-" && next === "-" && (dialect === "postgres" || /[\s]/.test(text[i + 2] ?? " "))) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      out += " ";
    } else if (c === "#" && dialect === "mysql") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
      out += " ";
    } else if (c === "/" && next === "*") {
      if (dialect === "mysql" && /^\/\*(?:!|M!|\+)/.test(text.slice(i, i + 4))) {
        // Executable comment or optimizer hint: MySQL reads what is inside.
        i += text[i + 2] === "M" ? 4 : 3;
        out += " ";
        continue;
      }
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (dialect === "postgres" && text[j] === "/" && text[j + 1] === "*") {
          depth++;
          j += 2;
        } else if (text[j] === "*" && text[j + 1] === "/") {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) return undefined;
      i = j;
      out += " ";
    } else if (c === "*" && next === "/" && dialect === "mysql") {
      // The end of an executable comment.
      i += 2;
      out += " ";
    } else if (c === "'" || c === '"' || c === "`") {
      const end = closingQuote(text, i, c, backslashEscapes && c !== "`");
      if (end < 0) return undefined;
      i = end + 1;
      out += " _ ";
    } else if (c === "$" && dialect === "postgres" && !/[\w$]/.test(text[i - 1] ?? " ")) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 65))?.[0];
      if (tag === undefined) {
        out += c;
        i++;
        continue;
      }
      const end = text.indexOf(tag, i + tag.length);
      if (end < 0) return undefined;
      i = end + tag.length;
      out += " _ ";
    } else {
      out += c;
      i++;
    }
  }
  return out.toUpperCase();
}

/** Index of the quote closing the one at `start` (doubled quotes, and backslash escapes when asked, skipped). */
function closingQuote(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j];
    if (backslashEscapes && c === "\\") {
      j++;
    } else if (c === quote) {
      if (text[j + 1] === quote) j++;
      else return j;
    }
  }
  return -1;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}
