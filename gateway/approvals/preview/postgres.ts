import type pg from "pg";
import type { StatementAnalysis } from "../../../lib/sql/types";
import { identityValues, PG_TRANSACTION_IDENTITY_SQL, pgTransactionIdentityParams } from "../../targets/identity";
import { pgError } from "../../targets/postgres/errors";
import { wholeLimit, wholeMs } from "../../targets/watch";
import { irreversibleEffects, isPreviewableWrite, unknownFunctions } from "./effects";
import { failedPreview, maskedSample, statementBody, unmaskablePreview, type PlanEstimate } from "./outcome";
import { catalogFlags, foldableFunctions, readWrittenTables, userCode, type WrittenTable } from "./postgres-catalog";
import type { PreviewFlag, PreviewRequest, PreviewSample, WritePreview } from "./types";

// The dry run of one write on PostgreSQL, on a pooled client the caller owns:
//
//   BEGIN; SET LOCAL statement_timeout = …; SET LOCAL lock_timeout = …    a preview never queues for long
//   catalog read of the written tables                                     columns, primary key, what escapes a rollback
//   EXPLAIN (FORMAT JSON) <statement>                                      estimated rows and cost, always when safe
//   WITH airlock_changed AS (<statement> RETURNING *) SELECT …             the count and a before/after sample, one statement
//   ROLLBACK                                                               always
//
// The sample comes from one statement because every part of a statement sees the same snapshot: the outer query
// reading the table sees the rows as they were before the WITH clause changed them, joined back on the primary key.
// An UPDATE (or ON CONFLICT DO UPDATE) that assigns a primary-key column is not paired (the new key could name
// another row): its sample has the rows after only, flagged key_changed.
//
// Nothing here throws: database errors come back as a "failed" preview. The caller releases the client and must
// drop it instead (release(true)) when `client.getTransactionStatus() !== "I"` afterwards (the ROLLBACK failed).

const EXPLAINABLE = new Set(["select", "insert", "update", "delete", "merge"]);

/** How the dry run is read back, by what the statement allows. */
type RunShape =
  | "sample" // RETURNING * appended inside a WITH: count and sample
  | "count" // it has its own RETURNING: counted inside a WITH, its rows never leave the server
  | "tag"; // MERGE (no RETURNING before PostgreSQL 17), or data-modifying WITH clauses (cannot nest): the command tag

interface DryRun {
  readonly rowsAffected: number;
  readonly before?: (readonly unknown[] | null)[];
  readonly after?: (readonly unknown[] | null)[];
  readonly table?: WrittenTable;
  /** An UPDATE that assigns a primary-key column: `before` is all null (unpaired). */
  readonly keyChanged?: boolean;
}

export async function previewPostgres(client: pg.PoolClient, request: PreviewRequest): Promise<WritePreview> {
  const started = performance.now();
  const { statement } = request;
  const flags: PreviewFlag[] = irreversibleEffects(statement, "postgres");
  if (!EXPLAINABLE.has(statement.kind)) return { status: "explained", engine: "postgres", flags, durationMs: performance.now() - started };
  const shape = runShape(statement, request.sampleRows);
  if (shape === undefined) flags.push({ code: "unsupported", detail: "a write with RETURNING whose WITH clause also writes: only its plan is shown" });
  const sql = statementBody(statement.text);
  let plan: PlanEstimate = {};
  let run: DryRun | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${wholeMs(request.statementTimeoutMs)}; SET LOCAL lock_timeout = ${wholeMs(request.lockTimeoutMs)}`);
    // The agent's identity, transaction-local like the statement's own run, so row-level security previews what it would do.
    if (request.identity) await client.query(PG_TRANSACTION_IDENTITY_SQL, pgTransactionIdentityParams(wholeMs(request.statementTimeoutMs), identityValues(request.identity)));
    const tables = isPreviewableWrite(statement) ? await readWrittenTables(client, statement) : new Map<string, WrittenTable>();
    flags.push(...catalogFlags(statement, tables));
    const unknown = unknownFunctions(statement, "postgres");
    const hidden = await userCode(client, statement, statement.functions.filter((name) => !unknown.includes(name)));
    flags.push(...hidden);
    // Planning calls IMMUTABLE (and, for partition pruning, STABLE) functions with constant arguments: a user
    // function declared so by mistake would run during EXPLAIN, so EXPLAIN is skipped when one might be (an
    // operator's or a cast's function too).
    if (hidden.length === 0 && (await foldableFunctions(client, unknown)) === 0) plan = await explain(client, sql, request.params);
    if (flags.length > 0 || !isPreviewableWrite(statement) || shape === undefined) {
      return { status: "explained", engine: "postgres", flags, ...plan, durationMs: performance.now() - started };
    }
    run = await dryRun(client, statement, sql, request, shape, tables);
    if (run.keyChanged) flags.push({ code: "key_changed", detail: run.table!.key.join(", ") });
  } catch (error) {
    return failedPreview("postgres", flags, pgError(error), started, plan);
  } finally {
    // Also after a BEGIN that went through when a SET LOCAL did not. A failed ROLLBACK leaves the client in a
    // transaction, which the caller sees (getTransactionStatus) and drops the client for.
    await client.query("ROLLBACK").catch(() => undefined);
  }
  // Masked after the ROLLBACK: the masker may take its time, the dry run's locks must not wait for it.
  let sample: PreviewSample | undefined;
  if (run.table !== undefined && run.before !== undefined && run.after !== undefined) {
    try {
      sample = await maskedSample(request.mask, run.table.name, run.table.columns, run.before, run.after);
    } catch {
      return unmaskablePreview("postgres", flags, started, plan);
    }
  }
  return { status: "ran", engine: "postgres", flags, rowsAffected: run.rowsAffected, ...plan, ...(sample ? { sample } : {}), durationMs: performance.now() - started };
}

function runShape(statement: StatementAnalysis, sampleRows: number): RunShape | undefined {
  const nestedWrites = (statement.writes?.length ?? 0) > 1;
  const returns = statement.outputColumns.length > 0;
  if (statement.kind === "merge") return "tag";
  if (nestedWrites) return returns ? undefined : "tag"; // its rows would all come back to count them
  if (returns) return "count";
  return wholeLimit(sampleRows) > 0 ? "sample" : "tag";
}

async function explain(client: pg.PoolClient, sql: string, params: readonly unknown[]): Promise<PlanEstimate> {
  const result = await query(client, `EXPLAIN (FORMAT JSON) ${sql}`, params);
  return planEstimate(result.rows[0]?.[0]);
}

interface PlanNode {
  readonly "Node Type"?: string;
  readonly "Plan Rows"?: number;
  readonly "Total Cost"?: number;
  readonly "Parent Relationship"?: string;
  readonly Plans?: readonly PlanNode[];
}

/** Rows: a ModifyTable's own estimate is 0 without RETURNING, so its scan's (the "Outer" child) is the one to show. */
export function planEstimate(json: unknown): PlanEstimate {
  const top = Array.isArray(json) ? (json[0] as { Plan?: PlanNode } | undefined)?.Plan : undefined;
  if (top === undefined) return {};
  const child = top["Node Type"] === "ModifyTable" ? (top.Plans?.find((plan) => plan["Parent Relationship"] === "Outer") ?? top.Plans?.[0]) : undefined;
  const rows = (child ?? top)["Plan Rows"];
  const cost = top["Total Cost"];
  return { ...(typeof rows === "number" ? { estimatedRows: rows } : {}), ...(typeof cost === "number" ? { estimatedCost: cost } : {}) };
}

async function dryRun(client: pg.PoolClient, statement: StatementAnalysis, sql: string, request: PreviewRequest, shape: RunShape, tables: ReadonlyMap<string, WrittenTable>): Promise<DryRun> {
  if (shape === "tag") return { rowsAffected: (await query(client, sql, request.params)).rowCount ?? 0 };
  // A new line before what follows the statement: a trailing `-- comment` would swallow it otherwise.
  if (shape === "count") {
    const counted = await query(client, `WITH airlock_changed AS (\n${sql}\n) SELECT count(*) FROM airlock_changed`, request.params);
    return { rowsAffected: Number(counted.rows[0]?.[0] ?? 0) };
  }
  const table = tables.get(mainTable(statement));
  if (table === undefined || !table.found || table.columns.length === 0) {
    return { rowsAffected: (await query(client, sql, request.params)).rowCount ?? 0 };
  }
  const keyChanged = table.key.length > 0 && assignsKey(statement, table);
  const joined = statement.kind !== "delete" && table.key.length > 0 && !keyChanged;
  const result = await query(client, sampleQuery(sql, table, wholeLimit(request.sampleRows), joined), request.params);
  const rowsAffected = Number(result.rows[0]?.[0] ?? 0);
  const width = table.columns.length;
  // The masker is told which column each value is in: the server must agree (the origins in RowDescription) that
  // these are the catalog's columns of the table the statement wrote, else there is no sample at all.
  if (!sameColumns(result.fields.slice(1, 1 + width), table) || (joined && !sameColumns(result.fields.slice(result.fields.length - width), table))) {
    return { rowsAffected };
  }
  const keyAt = table.key.map((column) => table.columns.indexOf(column));
  const before: (readonly unknown[] | null)[] = [];
  const after: (readonly unknown[] | null)[] = [];
  for (const row of result.rows) {
    const changed = row.slice(1, 1 + width);
    const old = joined ? row.slice(row.length - width) : null;
    // A LEFT JOIN that found nothing gives NULL key columns, which a primary key never holds.
    const found = old !== null && keyAt.some((at) => old[at] !== null);
    if (statement.kind === "delete") {
      before.push(changed);
      after.push(null);
    } else {
      before.push(found ? old : null);
      after.push(changed);
    }
  }
  return { rowsAffected, before, after, table, ...(keyChanged ? { keyChanged } : {}) };
}

/** The statement's own UPDATE (or ON CONFLICT DO UPDATE) assigns one of the table's primary-key columns. */
function assignsKey(statement: StatementAnalysis, table: WrittenTable): boolean {
  const assigned = statement.writes?.find((write) => write.kind === statement.kind)?.assigned;
  const inKey = (columns: readonly string[]) => columns.some((column) => table.key.includes(column));
  if (statement.kind === "insert") return inKey(assigned ?? []);
  // An UPDATE without the list (not the PostgreSQL parser's analysis): the pairing cannot be trusted either.
  if (statement.kind === "update") return assigned === undefined || inKey(assigned);
  return false;
}

function sameColumns(fields: readonly pg.FieldDef[], table: WrittenTable): boolean {
  return fields.length === table.attnums.length && fields.every((field, i) => field.tableID >>> 0 === table.oid && field.columnID === table.attnums[i]);
}

/**
 * WITH airlock_changed(airlock_c1, …) AS (<statement> RETURNING *), airlock_sample AS (… LIMIT n)
 * SELECT (SELECT count(*) FROM airlock_changed), s.*, o.* FROM airlock_sample s LEFT JOIN <table> o ON <key>
 *
 * The column list renames the written table's columns, which RETURNING * lists first (an UPDATE … FROM or
 * DELETE … USING adds the other tables' columns after them): the join needs no alias of the statement's own, and
 * a column of another table with the same name cannot make it ambiguous. Zero rows back means zero rows changed.
 */
function sampleQuery(sql: string, table: WrittenTable, sampleRows: number, joined: boolean): string {
  const aliases = table.columns.map((_, i) => `airlock_c${i + 1}`);
  const changed = `WITH airlock_changed(${aliases.join(", ")}) AS (\n${sql}\nRETURNING *\n), airlock_sample AS (SELECT * FROM airlock_changed LIMIT ${sampleRows})\n`;
  const count = "(SELECT count(*) FROM airlock_changed) AS airlock_n";
  if (!joined) return `${changed}SELECT ${count}, s.* FROM airlock_sample s`;
  const oldKey = table.key.map((column) => `o."${column.replace(/"/g, '""')}"`);
  const newKey = table.key.map((column) => aliases[table.columns.indexOf(column)]!);
  return `${changed}SELECT ${count}, s.*, o.* FROM airlock_sample s LEFT JOIN ${table.sql} o ON (${oldKey.join(", ")}) = (${newKey.map((alias) => `s.${alias}`).join(", ")})`;
}

/** The table the statement itself writes (not one of its WITH clauses). */
function mainTable(statement: StatementAnalysis): string {
  return statement.writes?.find((write) => write.kind === statement.kind)?.table ?? statement.tablesWritten[0] ?? "";
}

/** Always the extended protocol: one statement per message, whatever the text holds, and values bound by the server. */
function query(client: pg.PoolClient, text: string, params: readonly unknown[]): Promise<pg.QueryArrayResult> {
  return client.query({ text, values: [...params], rowMode: "array", queryMode: "extended" } as never);
}
