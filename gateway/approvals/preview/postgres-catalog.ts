import type pg from "pg";
import type { StatementAnalysis } from "../../../lib/sql/types";
import type { PreviewFlag } from "./types";

// What a PostgreSQL preview must know of the tables a statement writes, in one catalog read: the columns (to split
// the dry run's rows), the primary key (to pair each changed row with the row as it was), and whatever makes the
// write reach outside its transaction — a default drawing from a sequence (serial, identity, nextval), triggers and
// rewrite rules (code the analysis cannot see), a foreign table (another server's transaction rules), user-defined
// functions the write would call without naming them (in column defaults, CHECK constraints, index expressions,
// row-level security policies), a view's base tables' triggers, and foreign keys whose ON DELETE/UPDATE action
// reaches a table with triggers. Triggers, rules, defaults, constraints and indexes are read for the table and every
// inheritance child and partition below it (a write to the parent reaches them), CHECK constraints also for the
// domains its columns use. Built-in functions are not in pg_depend (they are pinned), so only user and extension
// functions are found that way: the built-in ones that matter (nextval) are checked by name. `userCode` then looks
// for code the statement runs without naming it as a function: user-defined operators and casts, and user functions
// that share a built-in's name (an overload in another schema may be the one called).

export interface WrittenTable {
  /** As the statement names it ("schema.table" or "table"). */
  readonly name: string;
  /** The name quoted for SQL ("schema"."table"), each part as the analysis spelled it. */
  readonly sql: string;
  readonly found: boolean;
  /** "x.y" could be table y of schema x or a table named "x.y", and both exist: which one the statement writes is unknown. */
  readonly ambiguous: boolean;
  readonly oid: number;
  readonly relkind: string;
  readonly columns: readonly string[];
  /** The columns' attribute numbers, in the same order: RowDescription names a result column's origin by them. */
  readonly attnums: readonly number[];
  /** Primary key columns in key order; empty when there is none. */
  readonly key: readonly string[];
  readonly drawsSequence: boolean;
  readonly triggers: readonly string[];
  readonly rules: boolean;
  /** An inheritance child or partition below it is a foreign table. */
  readonly foreignPart: boolean;
  /** User-defined functions in the table's defaults, CHECK constraints and index expressions (INSERT/UPDATE run them). */
  readonly writeFunctions: readonly string[];
  /** User-defined functions in its row-level security policies (every write runs them). */
  readonly policyFunctions: readonly string[];
  /** A view: triggers and rules of the relations it reads (a write through it lands there), as "table.trigger". */
  readonly baseTriggers: readonly string[];
  /** Tables whose foreign keys cascade (or set null/default) from this one and that have triggers. */
  readonly cascadesToTriggers: readonly string[];
}

// to_regclass answers NULL (not an error) for a table that does not exist: EXPLAIN then reports the real error.
// The analysis writes both `x.y` and `"x.y"` as "x.y": the split reading is tried first, then the whole name.
const WRITTEN_TABLES = `
WITH w AS (
  SELECT n.ord, n.split, n.whole, to_regclass(n.split) AS split_oid, to_regclass(n.whole) AS whole_oid
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS n(split, whole, ord)
)
SELECT w.ord, c.oid IS NOT NULL AS found, CASE WHEN w.split_oid IS NOT NULL THEN w.split ELSE w.whole END AS ident,
  (w.split <> w.whole AND w.split_oid IS NOT NULL AND w.whole_oid IS NOT NULL AND w.split_oid <> w.whole_oid) AS ambiguous, coalesce(c.oid, 0)::int8::text AS oid, coalesce(c.relkind::text, '') AS relkind,
  ARRAY(SELECT a.attname::text FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns,
  ARRAY(SELECT a.attnum::int FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS attnums,
  ARRAY(SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = c.oid AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)) AS key,
  EXISTS (SELECT 1 FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%')) AS draws_sequence,
  ARRAY(SELECT DISTINCT t.tgname::text FROM pg_trigger t WHERE t.tgrelid = ANY (descendants.oids) AND NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY 1) AS triggers,
  EXISTS (SELECT 1 FROM pg_rewrite r WHERE r.ev_class = ANY (descendants.oids) AND r.ev_type <> '1') AS rules,
  EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = ANY (descendants.oids) AND k.relkind = 'f') AS foreign_part,
  ARRAY(SELECT DISTINCT p.proname::text FROM pg_depend dep JOIN pg_proc p ON dep.refclassid = 'pg_proc'::regclass AND dep.refobjid = p.oid
        WHERE (dep.classid = 'pg_attrdef'::regclass AND dep.objid IN (SELECT d.oid FROM pg_attrdef d WHERE d.adrelid = ANY (descendants.oids)))
           OR (dep.classid = 'pg_constraint'::regclass AND dep.objid IN (SELECT k.oid FROM pg_constraint k WHERE k.conrelid = ANY (descendants.oids)))
           OR (dep.classid = 'pg_constraint'::regclass AND dep.objid IN (SELECT k.oid FROM pg_constraint k JOIN pg_attribute a ON k.contypid = a.atttypid
                                                                        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
           OR (dep.classid = 'pg_class'::regclass AND dep.objid IN (SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = ANY (descendants.oids)))) AS write_functions,
  ARRAY(SELECT DISTINCT p.proname::text FROM pg_depend dep JOIN pg_proc p ON dep.refclassid = 'pg_proc'::regclass AND dep.refobjid = p.oid
        WHERE dep.classid = 'pg_policy'::regclass AND dep.objid IN (SELECT pol.oid FROM pg_policy pol WHERE pol.polrelid = c.oid)) AS policy_functions,
  ARRAY(SELECT DISTINCT format('%s.%s', b.relname, coalesce(t.tgname, CASE WHEN b.relkind IN ('v', 'm', 'f') THEN '(' || b.relkind::text || ')' ELSE NULL END, '(rule)'))
        FROM pg_rewrite rw JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class b ON b.oid = d.refobjid AND b.oid <> c.oid
        LEFT JOIN pg_trigger t ON t.tgrelid = b.oid AND NOT t.tgisinternal AND t.tgenabled <> 'D'
        WHERE rw.ev_class = c.oid AND c.relkind = 'v'
          AND (t.oid IS NOT NULL OR b.relkind IN ('v', 'm', 'f') OR EXISTS (SELECT 1 FROM pg_rewrite r2 WHERE r2.ev_class = b.oid AND r2.ev_type <> '1'))) AS base_triggers,
  ARRAY(SELECT DISTINCT r.relname::text FROM pg_constraint fk JOIN pg_class r ON r.oid = fk.conrelid
        WHERE fk.contype = 'f' AND fk.confrelid = c.oid AND (fk.confdeltype IN ('c', 'n', 'd') OR fk.confupdtype IN ('c', 'n', 'd'))
          AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = fk.conrelid AND NOT t.tgisinternal AND t.tgenabled <> 'D')) AS cascades_to_triggers
FROM w LEFT JOIN pg_class c ON c.oid = coalesce(w.split_oid, w.whole_oid)
  LEFT JOIN LATERAL (
    WITH RECURSIVE below(oid) AS (SELECT c.oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN below ON i.inhparent = below.oid)
    SELECT array_agg(below.oid) AS oids FROM below
  ) descendants ON true
ORDER BY w.ord`;

interface Row {
  found: boolean;
  ident: string;
  ambiguous: boolean;
  oid: string;
  relkind: string;
  columns: string[];
  attnums: number[];
  key: string[];
  draws_sequence: boolean;
  triggers: string[];
  rules: boolean;
  foreign_part: boolean;
  write_functions: string[];
  policy_functions: string[];
  base_triggers: string[];
  cascades_to_triggers: string[];
}

/** Every table the statement writes (top level and data-modifying WITH clauses), by name as the statement names it. */
export async function readWrittenTables(client: pg.PoolClient, statement: StatementAnalysis): Promise<Map<string, WrittenTable>> {
  const names = [...new Set([...(statement.writes ?? []).map((write) => write.table), ...statement.tablesWritten])];
  if (names.length === 0) return new Map();
  const split = names.map(quoteQualified);
  const whole = names.map(quoteIdentifier);
  const result = await client.query<Row>({ text: WRITTEN_TABLES, values: [split, whole] });
  const tables = new Map<string, WrittenTable>();
  names.forEach((name, i) => {
    const row = result.rows[i]!;
    tables.set(name, {
      name,
      sql: row.ident,
      found: row.found,
      ambiguous: row.ambiguous,
      oid: Number(row.oid),
      relkind: row.relkind,
      columns: row.columns,
      attnums: row.attnums,
      key: row.key,
      drawsSequence: row.draws_sequence,
      triggers: row.triggers,
      rules: row.rules,
      foreignPart: row.foreign_part,
      writeFunctions: row.write_functions,
      policyFunctions: row.policy_functions,
      baseTriggers: row.base_triggers,
      cascadesToTriggers: row.cascades_to_triggers,
    });
  });
  return tables;
}

/** What the catalog adds to the analysis' flags: effects a rollback cannot undo, or that no analysis can see. */
export function catalogFlags(statement: StatementAnalysis, tables: ReadonlyMap<string, WrittenTable>): PreviewFlag[] {
  const flags: PreviewFlag[] = [];
  const inserts = new Set((statement.writes ?? []).filter((write) => write.kind === "insert" || write.kind === "merge").map((write) => write.table));
  for (const table of tables.values()) {
    if (table.ambiguous) flags.push({ code: "unsupported", detail: `${table.name} names two tables (a schema-qualified one and one with a dot in its name)` });
    if (!table.found) {
      // The catalog must vouch for every table the write touches; one it cannot find is not run (EXPLAIN says why).
      flags.push({ code: "unsupported", detail: `${table.name} is not a table the preview can find` });
      continue;
    }
    if (inserts.has(table.name) && table.drawsSequence) {
      flags.push({ code: "sequence", detail: `${table.name} has a column whose default draws from a sequence (serial, identity or nextval): a rolled-back INSERT still advances it` });
    } else if (table.drawsSequence && /\bdefault\b/i.test(statement.text)) {
      // `UPDATE t SET id = DEFAULT` draws from it too (read loosely from the text: a false alarm only skips the run).
      flags.push({ code: "sequence", detail: `${table.name} has a column whose default draws from a sequence, and the statement may set a column to DEFAULT` });
    }
    if (table.triggers.length > 0) {
      flags.push({ code: "volatile_function", detail: `${table.name} has triggers (${table.triggers.join(", ")}) whose effects a preview cannot check` });
    }
    if (table.rules) flags.push({ code: "volatile_function", detail: `${table.name} has rewrite rules whose effects a preview cannot check` });
    const kinds = new Set<string>((statement.writes ?? []).filter((write) => write.table === table.name).map((write) => write.kind));
    if (kinds.size === 0) kinds.add(statement.kind);
    const storesRows = kinds.has("insert") || kinds.has("update") || kinds.has("merge");
    if (storesRows && table.writeFunctions.length > 0) {
      flags.push({ code: "volatile_function", detail: `${table.name}'s defaults, constraints or indexes call ${table.writeFunctions.join(", ")}, whose effects a preview cannot check` });
    }
    if (table.policyFunctions.length > 0) {
      flags.push({ code: "volatile_function", detail: `${table.name}'s row-level security policies call ${table.policyFunctions.join(", ")}, whose effects a preview cannot check` });
    }
    if (table.baseTriggers.length > 0) {
      flags.push({ code: "volatile_function", detail: `${table.name} is a view over relations with triggers, rules or further views (${table.baseTriggers.join(", ")}) whose effects a preview cannot check` });
    }
    if ((kinds.has("delete") || kinds.has("update") || kinds.has("merge")) && table.cascadesToTriggers.length > 0) {
      flags.push({ code: "volatile_function", detail: `${table.name}'s foreign keys cascade to tables with triggers (${table.cascadesToTriggers.join(", ")})` });
    }
    if (table.relkind === "f") flags.push({ code: "non_transactional", detail: `${table.name} is a foreign table: another server's transaction rules apply` });
    else if (table.foreignPart) flags.push({ code: "non_transactional", detail: `${table.name} has a foreign table among its partitions or children: another server's transaction rules apply` });
  }
  return flags;
}

/**
 * How many of these functions (bare names) exist in a form the planner may call while planning (IMMUTABLE or
 * STABLE). Counted loosely by name in every schema: any match makes EXPLAIN unsafe, which errs on the safe side.
 */
export async function foldableFunctions(client: pg.PoolClient, names: readonly string[]): Promise<number> {
  if (names.length === 0) return 0;
  const bare = names.map((name) => (name.split(".").pop() ?? name).toLowerCase());
  const result = await client.query<{ n: number }>({ text: "SELECT count(*)::int AS n FROM pg_proc WHERE lower(proname) = ANY ($1::text[]) AND provolatile <> 'v'", values: [bare] });
  return result.rows[0]?.n ?? 1;
}

// What counts as user code: outside pg_catalog and information_schema, and not part of an extension (citext's or
// PostGIS's operators are everywhere and do not reach outside the transaction; dblink's functions are flagged by name).
const USER_CODE = `
WITH own AS (SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema')),
extension_member AS (SELECT objid, classid FROM pg_depend WHERE deptype = 'e')
SELECT
  ARRAY(SELECT DISTINCT p.proname::text FROM pg_proc p
        WHERE p.pronamespace IN (SELECT oid FROM own) AND lower(p.proname) = ANY ($1::text[])
          AND NOT EXISTS (SELECT 1 FROM extension_member e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)) AS functions,
  ARRAY(SELECT DISTINCT o.oprname::text FROM pg_operator o
        WHERE o.oprnamespace IN (SELECT oid FROM own) AND strpos($2, o.oprname) > 0
          AND NOT EXISTS (SELECT 1 FROM extension_member e WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid)) AS operators,
  ARRAY(SELECT DISTINCT format('%s to %s', k.castsource::regtype, k.casttarget::regtype) FROM pg_cast k JOIN pg_proc p ON p.oid = k.castfunc
        JOIN pg_type s ON s.oid = k.castsource JOIN pg_type t ON t.oid = k.casttarget
        WHERE p.pronamespace IN (SELECT oid FROM own)
          AND NOT EXISTS (SELECT 1 FROM extension_member e WHERE e.classid = 'pg_cast'::regclass AND e.objid = k.oid)
          -- a cast the statement can reach: a type it names, or the type of a column of a table it reads or writes
          AND (lower($2) ~ ('\\m' || lower(s.typname) || '\\M') OR lower($2) ~ ('\\m' || lower(t.typname) || '\\M')
               OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.atttypid = k.castsource AND a.attnum > 0 AND NOT a.attisdropped
                          AND a.attrelid = ANY (SELECT to_regclass(name) FROM unnest($3::text[]) AS name)))) AS casts`;

/**
 * Code the statement may run that the analysis does not name as a function of its own: a user-defined operator whose
 * name appears in the text, a user cast when the text casts and names one of its types or reads a column of its
 * source type, a user function named like one of the built-ins
 * the statement calls (`builtins`). Read loosely (by name, in every schema): a false alarm only means the preview is not run.
 */
export async function userCode(client: pg.PoolClient, statement: StatementAnalysis, builtins: readonly string[]): Promise<PreviewFlag[]> {
  const bare = [...new Set(builtins.map((name) => (name.split(".").pop() ?? name).toLowerCase()))];
  const tables = [...new Set([...statement.tablesRead, ...statement.tablesWritten])].map(quoteQualified);
  const result = await client.query<{ functions: string[]; operators: string[]; casts: string[] }>({ text: USER_CODE, values: [bare, statement.text, tables] });
  const row = result.rows[0] ?? { functions: [], operators: [], casts: [] };
  const flags: PreviewFlag[] = [];
  if (row.functions.length > 0) flags.push({ code: "volatile_function", detail: `user-defined functions named like ones it calls (${row.functions.join(", ")}) may be the ones that run` });
  if (row.operators.length > 0) flags.push({ code: "volatile_function", detail: `it may use user-defined operators (${row.operators.join(" ")})` });
  if (row.casts.length > 0 && /::|\bcast\s*\(|\btreat\s*\(/i.test(statement.text)) flags.push({ code: "volatile_function", detail: `it casts, and user-defined casts exist (${row.casts.slice(0, 3).join("; ")})` });
  return flags;
}

/** "schema.table" → "schema"."table", each part kept as the analysis spelled it (unquoted names come lower-cased). */
export function quoteQualified(name: string): string {
  return name.split(".").map(quoteIdentifier).join(".");
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
