import mysql from "mysql2";
import type { Connection, FieldPacket, PoolConnection, ResultSetHeader } from "mysql2";
import { TargetError } from "../errors";
import { identityValues, MYSQL_IDENTITY_SQL, mysqlIdentityParams, type TargetIdentity } from "../identity";
import { elapsedMs } from "../in-flight";
import { commandOf } from "../statement-head";
import type { ExecuteOptions, TargetResult, TargetSettings } from "../types";
import { StatementWatch, wholeLimit, wholeMs } from "../watch";
import { mysqlError } from "./errors";
import { connectionOptions, isNoTlsError, killQuery } from "./pool";
import { runBound, runQuiet, streamStatement } from "./stream";
import { mysqlTypeName } from "./type-names";

// A target connection of one MySQL-door client's own: its session (transactions, USE, variables, prepared
// statements) lives as long as the client's. Values come back as the server sent them — text, or bytes for binary
// columns — so the door relays them unchanged but for masking; the field metadata of the last statement is kept
// for the door's column definitions. A read-only connection's session is read-only, and the connection's timeout
// is the session's statement timeout (MariaDB: max_statement_time; MySQL: max_execution_time). The agent's identity
// is in @airlock_agent, @airlock_agent_groups and @airlock_session from the start, and again after a reset (the
// engine refuses statements that would assign them).

/** Column types whose values are bytes (blobs are text in a text charset too; the door sends the bytes as they are). */
const BYTES = new Set(["BLOB", "TINY_BLOB", "MEDIUM_BLOB", "LONG_BLOB", "GEOMETRY", "BIT"]);

function connect(settings: TargetSettings, tlsFellBack: boolean): Promise<Connection> {
  const connection = mysql.createConnection({ ...connectionOptions(settings, tlsFellBack), dateStrings: true } as never);
  connection.on("error", () => undefined);
  return new Promise((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve(connection))));
}

/** The text protocol's values as the server sent them: nothing is parsed into numbers or dates on the way. */
const serverText = (field: { type: string; buffer(): Buffer | null; string(): string | null }) => (BYTES.has(field.type) ? field.buffer() : field.string());

export interface WireFields {
  readonly fields: readonly FieldPacket[];
  /** The OK packet's parts, for a statement that returned no rows. */
  readonly header?: ResultSetHeader;
}

export class MysqlWireSession {
  readonly #connection: Connection;
  readonly #settings: TargetSettings;
  readonly #identity: TargetIdentity | undefined;
  /** The fields (or OK header) of each statement of the last execute/executeAll, in order. */
  last: WireFields[] = [];
  #closed = false;

  private constructor(connection: Connection, settings: TargetSettings, identity: TargetIdentity | undefined) {
    this.#connection = connection;
    this.#settings = settings;
    this.#identity = identity;
  }

  static async open(settings: TargetSettings, statementTimeoutMs: number, identity?: TargetIdentity): Promise<MysqlWireSession> {
    let connection: Connection;
    try {
      connection = await connect(settings, false);
    } catch (error) {
      // tls "prefer": a server without TLS is reached in plain text, as the pool does
      if (settings.tls !== "prefer" || !isNoTlsError(error)) throw mysqlError(error);
      connection = await connect(settings, true).catch((retry: unknown) => {
        throw mysqlError(retry);
      });
    }
    const session = new MysqlWireSession(connection, settings, identity);
    const mariadb = (connection as unknown as { _isMariaDB?: boolean })._isMariaDB === true;
    const seconds = (wholeMs(statementTimeoutMs) / 1000).toFixed(3);
    const flag = settings.readOnly ? 1 : 0;
    await runQuiet(connection as unknown as PoolConnection, mariadb ? `SET SESSION max_statement_time = ${seconds}, SESSION tx_read_only = ${flag}` : `SET SESSION max_execution_time = ${wholeMs(statementTimeoutMs)}, SESSION transaction_read_only = ${flag}`).catch((error: unknown) => {
      connection.destroy();
      throw mysqlError(error);
    });
    await session.#applyIdentity().catch((error: unknown) => {
      connection.destroy();
      throw mysqlError(error);
    });
    return session;
  }

  /** The agent's identity in the session's user variables (bound; the prepared statement closed at once). */
  #applyIdentity(): Promise<void> {
    if (this.#identity === undefined) return Promise.resolve();
    return runBound(this.#connection as unknown as PoolConnection, MYSQL_IDENTITY_SQL, mysqlIdentityParams(identityValues(this.#identity)), true);
  }

  get threadId(): number {
    return this.#connection.threadId ?? 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  execute(sql: string, params: readonly unknown[], options: ExecuteOptions): Promise<TargetResult> {
    return this.#run([sql], params, options).then((results) => results[0]!);
  }

  executeAll(statements: readonly string[], options: ExecuteOptions): Promise<TargetResult[]> {
    return this.#run(statements, [], options);
  }

  /**
   * The session stays on its connection's database: `USE` of another one is refused (a statement naming tables of
   * another database stays subject to the connection's own database user and to policy, as on the pool).
   */
  #staysOnItsDatabase(sql: string): void {
    const use = /^\s*use\s+(?:`((?:[^`]|``)+)`|([^\s;]+))\s*;?\s*$/i.exec(sql);
    if (!use) return;
    const name = use[1] !== undefined ? use[1].replace(/``/g, "`") : use[2]!;
    if (name !== this.#settings.database) {
      throw new TargetError("sql_error", `Access denied to database '${name.replace(/[^\w.$-]/g, "?").slice(0, 64)}': this session stays on its connection's database; connect with another Airlock connection to use another`, { sqlState: "42000", errno: 1044 });
    }
  }

  /** The statement prepared on the target (kept there: executions reuse it): its parameter and column counts. */
  prepare(sql: string): Promise<{ params: number; columns: number }> {
    return new Promise((resolve, reject) =>
      this.#connection.prepare(sql, (error, statement) => {
        if (error) return reject(mysqlError(error));
        const shape = statement as unknown as { parameters: unknown[]; columns: unknown[] };
        resolve({ params: shape.parameters.length, columns: shape.columns.length });
      }),
    );
  }

  ping(): Promise<void> {
    return new Promise((resolve, reject) => this.#connection.ping((error) => (error ? reject(mysqlError(error)) : resolve())));
  }

  /**
   * COM_RESET_CONNECTION: the session's state is cleared (the read-only flag, timeout and identity are set again;
   * a session whose identity cannot be set again is closed).
   */
  async reset(statementTimeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      (this.#connection as unknown as { reset(cb: (error: unknown) => void): void }).reset((error) => (error ? reject(mysqlError(error)) : resolve())),
    ).catch(async () => {
      await runQuiet(this.#connection as unknown as PoolConnection, "ROLLBACK");
    });
    const flag = this.#settings.readOnly ? 1 : 0;
    await runQuiet(this.#connection as unknown as PoolConnection, `SET SESSION tx_read_only = ${flag}, SESSION max_statement_time = ${(wholeMs(statementTimeoutMs) / 1000).toFixed(3)}`).catch(() => undefined);
    await this.#applyIdentity().catch((error: unknown) => {
      this.close();
      throw mysqlError(error);
    });
  }

  /** KILL QUERY on this session's thread, from a connection of its own. */
  cancel(): Promise<void> {
    return killQuery(this.#settings, false, this.threadId);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.destroy();
  }

  async #run(statements: readonly string[], params: readonly unknown[], options: ExecuteOptions): Promise<TargetResult[]> {
    if (this.#closed) throw new TargetError("unreachable", "the session's target connection is closed");
    const limit = wholeLimit(options.rowLimit);
    const watch = new StatementWatch(wholeMs(options.timeoutMs), options.signal);
    watch.onTrip(() => void this.cancel());
    const results: TargetResult[] = [];
    this.last = [];
    try {
      for (let i = 0; i < statements.length; i++) {
        const sql = statements[i]!;
        this.#staysOnItsDatabase(sql);
        const started = performance.now();
        // Text results keep the server's text (the connection's typeCast); binary ones are parsed (dates as text).
        const outcome = await watch.race(streamStatement(this.#connection as unknown as PoolConnection, sql, i === 0 ? params : [], limit, { textTypeCast: serverText }));
        this.last.push({ fields: outcome.fields, ...(outcome.header ? { header: outcome.header } : {}) });
        if (outcome.truncated) {
          // The rest of the result is still on its way: this session cannot be used again.
          this.close();
        }
        const reads = outcome.fields.length > 0;
        results.push({
          command: commandOf(sql),
          columns: outcome.fields.map((field) => {
            const type = mysqlTypeName(field);
            if (!field.orgTable) return { name: field.name, type };
            const table = field.db ? `${field.db}.${field.orgTable}` : field.orgTable;
            return field.orgName ? { name: field.name, type, table, column: field.orgName } : { name: field.name, type, table };
          }),
          rows: outcome.rows,
          rowCount: reads || outcome.header === undefined ? outcome.rows.length : outcome.header.affectedRows,
          truncated: outcome.truncated,
          durationMs: elapsedMs(started),
        });
        if (outcome.truncated) break;
      }
      return results;
    } catch (error) {
      const failure = mysqlError(error);
      if (failure.errno === undefined) this.close(); // the connection itself failed
      throw failure;
    } finally {
      watch.dispose();
    }
  }
}
