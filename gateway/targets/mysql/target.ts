import type { FieldPacket, Pool, PoolConnection } from "mysql2";
import type { Catalog } from "../../../lib/policy/decision";
import { previewMysql } from "../../approvals/preview/mysql";
import { previewDeadlineMs, timedOutPreview } from "../../approvals/preview/outcome";
import type { PreviewRequest, WritePreview } from "../../approvals/preview/types";
import type { Logger } from "../../../lib/log";
import { baseTableNames, SchemaCache } from "../catalog";
import { TargetError } from "../errors";
import { identityKey, identityValues, MYSQL_IDENTITY_SQL, mysqlIdentityParams, type TargetIdentity } from "../identity";
import { InFlight, elapsedMs } from "../in-flight";
import { commandOf, mysqlLeavesSessionState } from "../statement-head";
import { RESULT_BYTES_LIMIT } from "../types";
import type { CatalogOptions, ExecuteOptions, ResultColumn, SchemaDescription, SyntaxCheck, Target, TargetResult, TargetSettings } from "../types";
import { StatementWatch, wholeLimit, wholeMs } from "../watch";
import { mysqlError } from "./errors";
import { createMysqlPool, isNoTlsError, killQuery } from "./pool";
import { readSchema, readViews } from "./schema";
import { runBound, runQuiet, streamStatement } from "./stream";
import { mysqlTypeName } from "./type-names";
import { MysqlWireSession } from "./wire-session";

// A MySQL/MariaDB target: a mysql2 pool. Per statement (or per text of several statements):
//   SET SESSION <timeout>, SESSION <read-only flag>   (only when this session's values differ)
//   START TRANSACTION [READ ONLY]                      (read-only connections, and texts of several statements)
//   <statement>, streamed: at most rowLimit + 1 rows are read; past that the connection is destroyed
//   COMMIT                                             (when a transaction was started)
// Before all of it, on a connection that does not hold this agent's identity yet (a fresh one holds none):
//   SET @airlock_agent = ?, @airlock_agent_groups = ?, @airlock_session = ?   (bound; NULLs without an agent)
// so every statement sees the identity of the call it belongs to, never a previous borrower's (identity.ts).
// DDL commits implicitly in MySQL and MariaDB: a text mixing DDL with other statements is not atomic there.
// The session read-only flag matters: under START TRANSACTION READ ONLY alone, DDL commits implicitly and then
// runs. MariaDB's max_statement_time covers every statement; MySQL's max_execution_time only SELECTs — the
// client-side deadline (KILL QUERY, then the connection is destroyed) covers the rest.

const PING_TIMEOUT_MS = 10_000;
const SCHEMA_TIMEOUT_MS = 30_000;

type Flavour = "mariadb" | "mysql";

export class MysqlTarget implements Target {
  readonly engine = "mysql" as const;
  readonly connectionId: string;
  readonly #settings: TargetSettings;
  readonly #log: Logger | undefined;
  #pool: Pool;
  #tlsFellBack = false;
  readonly #inFlight = new InFlight();
  /** The SET SESSION text last applied on each pooled connection. */
  readonly #sessionSettings = new WeakMap<PoolConnection, string>();
  /** The identity each pooled connection's @airlock_* variables hold (identityKey; absent: a fresh connection, none). */
  readonly #identities = new WeakMap<PoolConnection, string>();
  readonly #schema = new SchemaCache(() => this.#withConnection(SCHEMA_TIMEOUT_MS, (connection) => readSchema(connection, this.#settings.database)));

  constructor(settings: TargetSettings, log?: Logger) {
    this.connectionId = settings.connectionId;
    this.#settings = settings;
    this.#log = log;
    this.#pool = createMysqlPool(settings, false);
  }

  execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<TargetResult> {
    return this.#inFlight.track(async () => (await this.#run([sql], params, options))[0]!);
  }

  executeAll(statements: readonly string[], options: ExecuteOptions): Promise<TargetResult[]> {
    return this.#inFlight.track(() => this.#run(statements, [], options));
  }

  describeSchema(): Promise<SchemaDescription> {
    return this.#inFlight.track(() => this.#schema.describe(true));
  }

  catalog(options: CatalogOptions = {}): Promise<Catalog> {
    return this.#inFlight.track(() => this.#schema.catalog(options.refresh === true));
  }

  ping(): Promise<void> {
    return this.#inFlight.track(() => this.#withConnection(PING_TIMEOUT_MS, (connection) => runQuiet(connection, "SELECT 1")));
  }

  viewDefinitions(tables: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return this.#inFlight.track(async () => {
      // Known base tables (the catalog, kept 30 s) need no look-up; views and names not seen yet are read now.
      const base = baseTableNames(await this.#schema.describe(false));
      const candidates = tables.filter((table) => !base.has(table.toLowerCase()));
      if (candidates.length === 0) return new Map<string, string>();
      return this.#withConnection(SCHEMA_TIMEOUT_MS, (connection) => readViews(connection, this.#settings.database, candidates));
    });
  }

  baseTables(): Promise<ReadonlySet<string>> {
    return this.#inFlight.track(async () => baseTableNames(await this.#schema.describe(false)));
  }

  checkSyntax(sql: string): Promise<SyntaxCheck> {
    return this.#inFlight.track(() => this.#withConnection(PING_TIMEOUT_MS, (connection) => prepareOnly(connection, sql)));
  }

  /**
   * The dry run of a write waiting for approval (approvals/preview/mysql.ts) on a pooled connection, with the
   * preview's timeout and the connection's read-only flag on its session. A statement that sets user variables
   * leaves them behind, so its connection is dropped, as after execute().
   */
  previewWrite(request: PreviewRequest): Promise<WritePreview> {
    return this.#inFlight.track(async () => {
      const started = performance.now();
      const watch = new StatementWatch(previewDeadlineMs(request));
      let connection: PoolConnection | undefined;
      let discard = mysqlLeavesSessionState(request.statement.text);
      try {
        connection = await this.#connect(watch);
        const held = connection;
        watch.onTrip(() => {
          discard = true;
          void killQuery(this.#settings, this.#tlsFellBack, held.threadId ?? 0);
        });
        await this.#applySession(held, wholeMs(request.statementTimeoutMs), this.#settings.readOnly, watch);
        await this.#applyIdentity(held, request.identity, watch); // the asking agent's, never a previous borrower's
        return await watch.race(previewMysql(held, request));
      } catch (error) {
        discard = true;
        if (connection !== undefined && watch.tripped === "timeout") return timedOutPreview("mysql", watch.timeoutMs, started);
        throw mysqlError(error);
      } finally {
        watch.dispose();
        if (connection !== undefined) {
          if (discard) dropConnection(connection);
          else connection.release();
        }
      }
    });
  }

  openMysqlSession(statementTimeoutMs: number, identity?: TargetIdentity): Promise<MysqlWireSession> {
    return MysqlWireSession.open(this.#settings, statementTimeoutMs, identity);
  }

  close(): Promise<void> {
    return this.#inFlight.close(() => new Promise<void>((resolve) => this.#pool.end(() => resolve())));
  }

  /**
   * The statements, in order, on one connection (`params` go with the first); several of them in one transaction.
   * A result cut at the row limit leaves the connection mid-stream, so it cannot be followed by anything: inside
   * a text of several statements it fails the text (nothing applied).
   */
  async #run(statements: readonly string[], params: readonly unknown[], options: ExecuteOptions): Promise<TargetResult[]> {
    const limit = wholeLimit(options.rowLimit);
    const timeoutMs = wholeMs(options.timeoutMs);
    const readOnly = options.readOnly || this.#settings.readOnly;
    const transaction = readOnly || statements.length > 1;
    const watch = new StatementWatch(timeoutMs, options.signal);
    let connection: PoolConnection | undefined;
    let discard = false;
    let inTransaction = false;
    let midStream = false;
    try {
      watch.check();
      connection = await this.#connect(watch);
      const held = connection;
      watch.onTrip(() => {
        discard = true;
        void killQuery(this.#settings, this.#tlsFellBack, held.threadId ?? 0);
      });
      await this.#applySession(held, timeoutMs, readOnly, watch);
      await this.#applyIdentity(held, options.identity, watch);
      if (transaction) {
        await watch.race(runQuiet(held, readOnly ? "START TRANSACTION READ ONLY" : "START TRANSACTION"));
        inTransaction = true;
      }
      const results: TargetResult[] = [];
      for (let i = 0; i < statements.length; i++) {
        const sql = statements[i]!;
        const started = performance.now();
        const outcome = await watch.race(streamStatement(held, sql, i === 0 ? params : [], limit, { maxBytes: options.maxResultBytes ?? RESULT_BYTES_LIMIT }));
        if (outcome.truncated) {
          discard = midStream = true; // the rest of the result is still on the wire; dropping the connection rolls back
          if (statements.length > 1) {
            throw new TargetError("sql_error", `Statement ${i + 1} returned more than ${limit} rows (or more data than the gateway holds for one result) inside a text of several statements, which runs as one transaction: nothing was applied. Add a LIMIT, or send it on its own`, { sqlState: "54000" });
          }
        }
        if (mysqlLeavesSessionState(sql)) discard = true;
        const reads = outcome.fields.length > 0;
        results.push({
          command: commandOf(sql),
          columns: outcome.fields.map(column),
          rows: outcome.rows,
          rowCount: reads || outcome.header === undefined ? outcome.rows.length : outcome.header.affectedRows,
          truncated: outcome.truncated,
          durationMs: elapsedMs(started),
        });
      }
      if (inTransaction && !midStream) await watch.race(runQuiet(held, "COMMIT"));
      inTransaction = false;
      return results;
    } catch (error) {
      const failure = mysqlError(error);
      if (connection !== undefined && !discard) discard = !(await this.#recover(connection, failure, inTransaction, watch));
      throw failure;
    } finally {
      watch.dispose();
      if (connection !== undefined) {
        if (discard) dropConnection(connection);
        else connection.release();
      }
    }
  }

  /** After a server error the session is intact: end the transaction (if any) and keep it. Otherwise drop it. */
  async #recover(connection: PoolConnection, failure: TargetError, inTransaction: boolean, watch: StatementWatch): Promise<boolean> {
    if (failure.errno === undefined || failure.code === "unreachable" || failure.code === "auth_failed") return false;
    if (!inTransaction) return true;
    try {
      await watch.race(runQuiet(connection, "ROLLBACK"));
      return true;
    } catch {
      return false;
    }
  }

  /** One SET for the statement timeout and the read-only flag, skipped when the session already has them. */
  async #applySession(connection: PoolConnection, timeoutMs: number, readOnly: boolean, watch: StatementWatch): Promise<void> {
    const flag = readOnly ? 1 : 0;
    const setting =
      flavourOf(connection) === "mariadb"
        ? `SET SESSION max_statement_time = ${(timeoutMs / 1000).toFixed(3)}, SESSION tx_read_only = ${flag}`
        : `SET SESSION max_execution_time = ${timeoutMs}, SESSION transaction_read_only = ${flag}`;
    if (this.#sessionSettings.get(connection) === setting) return;
    this.#sessionSettings.delete(connection);
    await watch.race(runQuiet(connection, setting));
    this.#sessionSettings.set(connection, setting);
  }

  /**
   * The agent's identity in the connection's user variables, skipped when it already holds exactly that one. While
   * the SET is on its way the connection counts as holding an unknown identity, so a failed SET is repeated next time.
   */
  async #applyIdentity(connection: PoolConnection, identity: TargetIdentity | undefined, watch: StatementWatch): Promise<void> {
    const values = identity === undefined ? undefined : identityValues(identity);
    const key = identityKey(values);
    if ((this.#identities.get(connection) ?? "") === key) return;
    this.#identities.set(connection, "\u0000unknown");
    await watch.race(runBound(connection, MYSQL_IDENTITY_SQL, mysqlIdentityParams(values)));
    this.#identities.set(connection, key);
  }

  async #connect(watch: StatementWatch): Promise<PoolConnection> {
    try {
      return await acquire(this.#pool, watch);
    } catch (error) {
      if (this.#settings.tls !== "prefer" || this.#tlsFellBack || !isNoTlsError(error)) throw error;
      this.#tlsFellBack = true;
      const tlsPool = this.#pool;
      this.#pool = createMysqlPool(this.#settings, true);
      tlsPool.end(() => undefined);
      this.#log?.info("target.tls_fallback", { connection: this.connectionId });
      return acquire(this.#pool, watch);
    }
  }

  /** A pooled connection in a read-only transaction, for the gateway's own reads. */
  async #withConnection<T>(timeoutMs: number, work: (connection: PoolConnection) => Promise<T>): Promise<T> {
    const watch = new StatementWatch(timeoutMs);
    let connection: PoolConnection | undefined;
    let discard = false;
    try {
      connection = await this.#connect(watch);
      const held = connection;
      watch.onTrip(() => {
        discard = true;
        void killQuery(this.#settings, this.#tlsFellBack, held.threadId ?? 0);
      });
      await this.#applySession(held, timeoutMs, true, watch);
      await watch.race(runQuiet(held, "START TRANSACTION READ ONLY"));
      const value = await watch.race(work(held));
      await watch.race(runQuiet(held, "COMMIT"));
      return value;
    } catch (error) {
      discard = true;
      throw mysqlError(error);
    } finally {
      watch.dispose();
      if (connection !== undefined) {
        if (discard) dropConnection(connection);
        else connection.release();
      }
    }
  }

}

/** MySQL's and MariaDB's syntax errors (ER_PARSE_ERROR, ER_SYNTAX_ERROR); anything else says nothing of the syntax. */
const SYNTAX_ERRNOS = new Set([1064, 1149]);

/** COM_STMT_PREPARE parses without executing; the statement is closed at once and dropped from mysql2's cache. */
function prepareOnly(connection: PoolConnection, sql: string): Promise<SyntaxCheck> {
  return new Promise((resolve) => {
    connection.prepare(sql, (error, statement) => {
      if (error) {
        const errno = (error as { errno?: number }).errno ?? 0;
        // ER_UNSUPPORTED_PS: a statement kind that cannot be prepared; anything else: the syntax was fine
        resolve(SYNTAX_ERRNOS.has(errno) ? { ok: false, message: error.message, errno, sqlState: (error as { sqlState?: string }).sqlState ?? "42000" } : errno === 1295 ? { ok: "unknown" } : { ok: true });
        return;
      }
      statement.close();
      connection.unprepare(sql);
      resolve({ ok: true });
    });
  });
}

/** pool.getConnection raced against the watch; a connection that arrives after the watch tripped goes back. */
async function acquire(pool: Pool, watch: StatementWatch): Promise<PoolConnection> {
  const pending = new Promise<PoolConnection>((resolve, reject) => pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))));
  try {
    return await watch.race(pending);
  } catch (error) {
    pending.then((connection) => connection.release(), () => undefined);
    throw error;
  }
}

/**
 * Takes a connection out of the pool and closes its socket at once. mysql2's destroy() only half-closes
 * (stream.end()): a server still sending a large result then blocks in "Writing to net" until
 * net_write_timeout. A hard close resets the socket and the server gives up on its next write.
 */
function dropConnection(connection: PoolConnection): void {
  connection.destroy();
  (connection as PoolConnection & { stream?: { destroy(): void } }).stream?.destroy();
}

/** mysql2 learns the flavour from the handshake. */
function flavourOf(connection: PoolConnection): Flavour {
  return (connection as PoolConnection & { _isMariaDB?: boolean })._isMariaDB === true ? "mariadb" : "mysql";
}

function column(field: FieldPacket): ResultColumn {
  const type = mysqlTypeName(field);
  if (!field.orgTable) return { name: field.name, type };
  const table = field.db ? `${field.db}.${field.orgTable}` : field.orgTable;
  return field.orgName ? { name: field.name, type, table, column: field.orgName } : { name: field.name, type, table };
}

