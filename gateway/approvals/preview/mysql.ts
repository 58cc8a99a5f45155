import type { FieldPacket, PoolConnection, ResultSetHeader } from "mysql2";
import type { StatementAnalysis } from "../../../lib/sql/types";
import { mysqlError } from "../../targets/mysql/errors";
import { wholeLimit, wholeMs } from "../../targets/watch";
import { irreversibleEffects, isPreviewableWrite, unknownFunctions } from "./effects";
import { mysqlTableFlags } from "./mysql-catalog";
import { failedPreview, maskedSample, statementBody, unmaskablePreview, type PlanEstimate } from "./outcome";
import type { PreviewFlag, PreviewRequest, PreviewSample, WritePreview } from "./types";

// The dry run of one write on MySQL/MariaDB, on a pooled connection the caller owns (its session's timeout and
// read-only flag already applied by the target):
//
//   information_schema: the written tables' engines, AUTO_INCREMENT columns, triggers     what escapes a rollback
//   EXPLAIN <statement>                                                                    estimated rows
//   START TRANSACTION; <statement>; ROLLBACK                                               rows affected, exact
//
// Lock waits are bounded per statement: on MariaDB by `SET STATEMENT … FOR <statement>` (nothing stays on the
// session); on MySQL by session variables that are put back afterwards. When the ROLLBACK or that restore fails,
// the connection is closed here (a later release() is then a no-op): it must never go back to the pool.
//
// Samples: MariaDB's DELETE … RETURNING * hands back the deleted rows (the "before"), so a single-table DELETE
// carries one; other statements have none (MySQL cannot read a row's old values from the statement).

const EXPLAINABLE = new Set(["select", "insert", "update", "delete"]);
/** Above this estimate a DELETE is not asked to RETURN its rows (they would all cross the network to be counted). */
const MAX_RETURNED_ROWS = 10_000;

interface Outcome {
  readonly fields: readonly FieldPacket[];
  /** Rows received (all of them counted, only the first `keep` kept). */
  readonly count: number;
  readonly rows: unknown[][];
  readonly header: ResultSetHeader | undefined;
}

export async function previewMysql(connection: PoolConnection, request: PreviewRequest): Promise<WritePreview> {
  const started = performance.now();
  const { statement } = request;
  const flags: PreviewFlag[] = irreversibleEffects(statement, "mysql");
  if (!EXPLAINABLE.has(statement.kind)) return { status: "explained", engine: "mysql", flags, durationMs: performance.now() - started };
  const mariadb = (connection as PoolConnection & { _isMariaDB?: boolean })._isMariaDB === true;
  const lockSeconds = Math.max(1, Math.ceil(wholeMs(request.lockTimeoutMs) / 1000));
  const bounded = mariadb
    ? (sql: string) => `SET STATEMENT max_statement_time = ${(wholeMs(request.statementTimeoutMs) / 1000).toFixed(3)}, innodb_lock_wait_timeout = ${lockSeconds}, lock_wait_timeout = ${lockSeconds} FOR ${sql}`
    : (sql: string) => sql;
  const sql = statementBody(statement.text);
  let plan: PlanEstimate = {};
  let restore: string | undefined;
  let inTransaction = false;
  let result: { rowsAffected: number; sample?: { columns: string[]; rows: unknown[][] } } | undefined;
  try {
    if (isPreviewableWrite(statement)) flags.push(...(await mysqlTableFlags(connection, statement)));
    if (!mariadb) restore = await boundLockWaits(connection, lockSeconds);
    // A stored function in a constant expression can be evaluated while the statement is optimised.
    if (unknownFunctions(statement, "mysql").length === 0) plan = await explain(connection, bounded(`EXPLAIN ${sql}`), request.params);
    if (flags.length > 0 || !isPreviewableWrite(statement)) return { status: "explained", engine: "mysql", flags, ...plan, durationMs: performance.now() - started };
    await run(connection, "START TRANSACTION", [], 0);
    inTransaction = true;
    const sampled = mariadb && returnsDeletedRows(statement, plan) && wholeLimit(request.sampleRows) > 0;
    // A new line before RETURNING: a trailing `-- comment` would swallow it otherwise.
    const outcome = await run(connection, bounded(sampled ? `${sql}\nRETURNING *` : sql), request.params, sampled ? wholeLimit(request.sampleRows) : 0);
    result = sampled
      ? { rowsAffected: outcome.count, sample: { columns: outcome.fields.map((field) => field.name), rows: outcome.rows } }
      : { rowsAffected: outcome.header?.affectedRows ?? outcome.count };
  } catch (error) {
    return failedPreview("mysql", flags, mysqlError(error), started, plan);
  } finally {
    await putBack(connection, inTransaction, restore);
  }
  let sample: PreviewSample | undefined;
  if (result.sample !== undefined) {
    const table = statement.tablesWritten[0] ?? "";
    try {
      sample = await maskedSample(request.mask, table, result.sample.columns, result.sample.rows, result.sample.rows.map(() => null));
    } catch {
      return unmaskablePreview("mysql", flags, started, plan);
    }
  }
  return { status: "ran", engine: "mysql", flags, rowsAffected: result.rowsAffected, ...plan, ...(sample ? { sample } : {}), durationMs: performance.now() - started };
}

/** A single-table DELETE without its own RETURNING (MariaDB refuses RETURNING on multi-table deletes), of modest size. */
function returnsDeletedRows(statement: StatementAnalysis, plan: PlanEstimate): boolean {
  if (statement.kind !== "delete" || statement.outputColumns.length > 0) return false;
  if (statement.tablesWritten.length !== 1 || statement.tablesRead.some((table) => table !== statement.tablesWritten[0])) return false;
  return plan.estimatedRows !== undefined && plan.estimatedRows <= MAX_RETURNED_ROWS;
}

async function explain(connection: PoolConnection, sql: string, params: readonly unknown[]): Promise<PlanEstimate> {
  const outcome = await run(connection, sql, params, Number.MAX_SAFE_INTEGER);
  const at = outcome.fields.findIndex((field) => field.name.toLowerCase() === "rows");
  if (at < 0) return {};
  let rows = 0;
  let any = false;
  for (const row of outcome.rows) {
    const value = Number(row[at]);
    if (row[at] !== null && Number.isFinite(value)) {
      rows += value;
      any = true;
    }
  }
  return any ? { estimatedRows: rows } : {};
}

/**
 * MySQL (not MariaDB): no SET STATEMENT, so the lock waits are bounded on the session and put back afterwards.
 * Returns the SET that restores the previous values. (max_execution_time covers only SELECTs there: the target's
 * client-side deadline bounds the rest.)
 */
async function boundLockWaits(connection: PoolConnection, seconds: number): Promise<string> {
  const outcome = await run(connection, "SELECT @@SESSION.innodb_lock_wait_timeout, @@SESSION.lock_wait_timeout", [], 1);
  const [innodb, metadata] = (outcome.rows[0] ?? []).map((value) => wholeMs(Number(value)));
  const restore = `SET SESSION innodb_lock_wait_timeout = ${innodb ?? 50}, SESSION lock_wait_timeout = ${metadata ?? 31_536_000}`;
  await run(connection, `SET SESSION innodb_lock_wait_timeout = ${seconds}, SESSION lock_wait_timeout = ${seconds}`, [], 0);
  return restore;
}

/** ROLLBACK and the session's own lock waits; a connection that cannot be put back as it was is closed. */
async function putBack(connection: PoolConnection, inTransaction: boolean, restore: string | undefined): Promise<void> {
  try {
    if (inTransaction) await run(connection, "ROLLBACK", [], 0);
    if (restore !== undefined) await run(connection, restore, [], 0);
  } catch {
    connection.destroy();
    (connection as PoolConnection & { stream?: { destroy(): void } }).stream?.destroy();
  }
}

/**
 * One statement; every row of its result is counted, the first `keep` are kept. Parameters go to a server-side
 * prepared statement (bound by the server, as the target does); without, the text protocol.
 */
function run(connection: PoolConnection, sql: string, params: readonly unknown[], keep: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let fields: readonly FieldPacket[] = [];
    let header: ResultSetHeader | undefined;
    const rows: unknown[][] = [];
    let count = 0;
    const command =
      params.length > 0
        ? connection.execute({ sql, values: params.map((value) => (value === undefined ? null : value)), rowsAsArray: true })
        : connection.query({ sql, rowsAsArray: true });
    command.on("fields", (received: FieldPacket[] | undefined) => {
      if (received !== undefined && fields.length === 0) fields = received;
    });
    command.on("result", (row: unknown) => {
      if (!Array.isArray(row)) {
        header ??= row as ResultSetHeader;
        return;
      }
      count++;
      if (rows.length < keep) rows.push(row);
    });
    command.on("error", reject);
    command.on("end", () => resolve({ fields, count, rows, header }));
  });
}
