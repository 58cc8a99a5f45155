import type { StatementAnalysis } from "../../../lib/sql/types";
import { leadingKeywords } from "../../targets/statement-head";
import type { PreviewFlag } from "./types";

// What a rollback cannot undo, read from the analysis alone (no catalog): a preview runs its statement inside a
// transaction that is always rolled back, so anything that escapes that transaction must be flagged, and a flagged
// statement is only EXPLAINed. The engine modules add what only the catalog knows (sequence defaults, triggers,
// non-transactional tables). Several statements in one text are the pipeline's concern, not this function's.
//
// Fail closed: a function is harmless only when it is on the allowlist below; everything else (user functions,
// dblink*, lo_*, pg_* administration, set_config, sleep, …) may reach outside the transaction.

type Engine = "postgres" | "mysql";

/** Built-ins without side effects (pure, or reading only the clock, the statement's rows or a random source). */
const HARMLESS = new Set([
  // text
  "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length",
  "concat", "concat_ws", "substring", "substr", "left", "right", "trim", "btrim", "ltrim", "rtrim", "lpad",
  "rpad", "replace", "reverse", "repeat", "position", "strpos", "locate", "instr", "split_part", "format",
  "regexp_replace", "regexp_match", "regexp_matches", "regexp_substr", "ascii", "chr", "char", "md5", "sha1",
  "sha2", "encode", "decode", "hex", "unhex", "to_hex", "quote_literal", "quote_ident", "starts_with", "translate",
  // numbers
  "abs", "round", "trunc", "truncate", "floor", "ceil", "ceiling", "mod", "power", "pow", "sqrt", "sign", "exp",
  "ln", "log", "log10", "div", "random", "rand", "width_bucket", "greatest", "least",
  // conditionals
  "coalesce", "nullif", "if", "ifnull", "isnull", "nvl",
  // clock and dates
  "now", "current_timestamp", "current_date", "current_time", "localtime", "localtimestamp", "clock_timestamp",
  "statement_timestamp", "transaction_timestamp", "timeofday", "curdate", "curtime", "sysdate", "utc_timestamp",
  "utc_date", "unix_timestamp", "from_unixtime", "date_trunc", "date_part", "extract", "age", "make_date",
  "make_time", "make_timestamp", "make_timestamptz", "make_interval", "date_add", "date_sub", "adddate",
  "subdate", "datediff", "timestampdiff", "timestampadd", "date_format", "str_to_date", "year", "month", "day",
  "dayofweek", "dayofmonth", "hour", "minute", "second", "last_day", "timezone", "date", "time",
  // casts and formatting
  "cast", "convert", "to_char", "to_date", "to_timestamp", "to_number", "to_json", "to_jsonb",
  // identifiers, and reading a setting (row-level security and audit columns use airlock.agent)
  "gen_random_uuid", "uuid", "current_setting", "current_user", "session_user",
  // json and arrays
  "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array", "json_object",
  "json_array", "jsonb_set", "jsonb_insert", "json_extract", "json_unquote", "json_set", "json_value",
  "jsonb_strip_nulls", "array_length", "array_append", "array_prepend", "array_remove", "array_position",
  "cardinality", "unnest", "generate_series", "string_to_array", "array_to_string",
  // aggregates and window functions
  "count", "sum", "avg", "min", "max", "string_agg", "array_agg", "json_agg", "jsonb_agg", "group_concat",
  "bool_and", "bool_or", "every", "row_number", "rank", "dense_rank", "lag", "lead",
]);

/** Sequence functions: their effect on the sequence survives a rollback (currval/lastval read one, flagged alike). */
const SEQUENCE = new Set(["nextval", "setval", "currval", "lastval"]);

/** Statement kinds that change rows and can run inside a transaction that is rolled back. */
const WRITES = new Set(["insert", "update", "delete", "merge"]);

export function irreversibleEffects(statement: StatementAnalysis, engine: Engine): PreviewFlag[] {
  const flags: PreviewFlag[] = [];
  const kindFlag = kindEffect(statement, engine);
  if (kindFlag !== undefined) flags.push(kindFlag);
  if (statement.fileAccess === true) flags.push({ code: "unsupported", detail: "the statement reads or writes files on the database server" });
  for (const name of new Set(statement.functions)) {
    const flag = functionEffect(name, engine);
    if (flag !== undefined) flags.push(flag);
  }
  return flags;
}

/** True when the statement's kind is one a preview may run (inside a transaction that is rolled back). */
export function isPreviewableWrite(statement: StatementAnalysis): boolean {
  return WRITES.has(statement.kind);
}

/**
 * The functions flagged "volatile_function" (names as the statement wrote them). Planning alone can call some of
 * them (PostgreSQL folds IMMUTABLE functions with constant arguments), so an EXPLAIN needs care with these.
 */
export function unknownFunctions(statement: StatementAnalysis, engine: Engine): string[] {
  return [...new Set(statement.functions)].filter((name) => functionEffect(name, engine)?.code === "volatile_function");
}

function kindEffect(statement: StatementAnalysis, engine: Engine): PreviewFlag | undefined {
  switch (statement.kind) {
    case "insert":
    case "update":
    case "delete":
    case "merge":
      return undefined;
    case "ddl": {
      const what = statement.ddl ? `${statement.ddl.action.toUpperCase()} ${statement.ddl.objectType}` : "DDL";
      return { code: "ddl", detail: `${what}: DDL is never run for a preview` };
    }
    case "truncate":
      // PostgreSQL's TRUNCATE is transactional, but it takes an ACCESS EXCLUSIVE lock and MySQL commits it
      // implicitly: treated as DDL on both.
      return { code: "ddl", detail: engine === "mysql" ? "TRUNCATE commits implicitly" : "TRUNCATE is treated as DDL" };
    case "select":
      // A SELECT with data-modifying WITH clauses writes, but its rows affected cannot be told from its result.
      if (statement.writes !== undefined && statement.writes.length > 0) {
        return { code: "unsupported", detail: "a SELECT whose WITH clause writes: only its plan is shown" };
      }
      return { code: "not_a_write", detail: "the statement changes no rows: only its plan is shown" };
    case "explain":
      return { code: "not_a_write", detail: "EXPLAIN changes no rows" };
    case "other":
      if (engine === "postgres" && leadingKeywords(statement.text, 1)[0] === "NOTIFY") {
        return { code: "notification", detail: "NOTIFY sends a notification to listening sessions" };
      }
      return { code: "unsupported", detail: "previews cover INSERT, UPDATE, DELETE and MERGE" };
    default:
      return { code: "unsupported", detail: `previews cover INSERT, UPDATE, DELETE and MERGE, not ${statement.kind} statements` };
  }
}

function functionEffect(qualified: string, engine: Engine): PreviewFlag | undefined {
  const name = builtinName(qualified, engine);
  if (name === undefined) return { code: "volatile_function", detail: `${qualified}() is not a known built-in function without side effects` };
  if (SEQUENCE.has(name)) return { code: "sequence", detail: `${qualified}() changes or reads a sequence outside the transaction` };
  if (engine === "postgres" && name === "pg_notify") return { code: "notification", detail: "pg_notify() sends a notification to listening sessions" };
  if (HARMLESS.has(name)) return undefined;
  return { code: "volatile_function", detail: `${qualified}() is not a known built-in function without side effects` };
}

/**
 * The built-in's bare name, or undefined when the name points elsewhere: on PostgreSQL only `pg_catalog.` is the
 * built-ins' schema (`public.lower` is somebody's own function); on MySQL a qualified name is a stored function.
 */
function builtinName(qualified: string, engine: Engine): string | undefined {
  const name = qualified.toLowerCase();
  if (!name.includes(".")) return name;
  if (engine === "postgres" && name.startsWith("pg_catalog.") && !name.slice("pg_catalog.".length).includes(".")) {
    return name.slice("pg_catalog.".length);
  }
  return undefined;
}
