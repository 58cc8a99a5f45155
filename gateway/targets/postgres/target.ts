import type pg from "pg";
import type { FieldDef } from "pg";
import type { Catalog } from "../../../lib/policy/decision";
import { previewDeadlineMs, timedOutPreview } from "../../approvals/preview/outcome";
import { previewPostgres } from "../../approvals/preview/postgres";
import type { PreviewRequest, WritePreview } from "../../approvals/preview/types";
import type { Logger } from "../../../lib/log";
import { baseTableNames, CATALOG_TTL_MS, SchemaCache } from "../catalog";
import { TargetError } from "../errors";
import { identityValues } from "../identity";
import { InFlight, elapsedMs } from "../in-flight";
import { commandOf, pgLeavesSessionState } from "../statement-head";
import { RESULT_BYTES_LIMIT } from "../types";
import type { CatalogOptions, ExecuteOptions, ResultColumn, SchemaDescription, SyntaxCheck, Target, TargetResult, TargetSettings } from "../types";
import { StatementWatch, wholeLimit, wholeMs } from "../watch";
import { openWireSession, type PgWireSession, type WireSessionOptions } from "./wire-session";
import { sendCancel } from "./cancel";
import { pgError } from "./errors";
import { createPgPool, isNoTlsError } from "./pool";
import { readOrigins, readSchema, readTypeNames, type RelationOrigin } from "./schema";
import { PipelinedStatement } from "./statement";
import { BUILTIN_TYPE_NAMES } from "./type-names";

// A PostgreSQL target: a pg.Pool. Every statement runs in one round trip (statement.ts) as
//   BEGIN [READ ONLY]; SET LOCAL statement_timeout = <ms>; <statement>; COMMIT
// (with the agent's identity, the SET LOCAL is one SELECT set_config(…, true) of the timeout and the identity:
// transaction-local, so nothing of it is left on the connection for its next borrower; identity.ts)
// (several statements of one text: one transaction, BEGIN before the first and COMMIT after the last)
// written at once in the extended protocol (one statement only), its portal executed with a row limit of
// rowLimit + 1, so the row limit never reads the rest of a result, the timeout is the server's, and a read-only
// connection gets the database's own refusal of a write. After a database error the transaction is rolled
// back (a second round trip, on that path only). A statement that trips the client-side deadline or the abort
// signal is cancelled on the server (CancelRequest) and its connection is dropped, never reused.

const PING_TIMEOUT_MS = 10_000;
const SCHEMA_TIMEOUT_MS = 30_000;

/** What PREPARE takes: SELECT, INSERT, UPDATE, DELETE, MERGE and VALUES (and WITH / TABLE forms of them). */
const PREPARABLE = /^\s*(select|insert|update|delete|merge|values|with|table)\b/i;

export class PostgresTarget implements Target {
  readonly engine = "postgres" as const;
  readonly connectionId: string;
  readonly #settings: TargetSettings;
  readonly #log: Logger | undefined;
  #pool: pg.Pool;
  #tlsFellBack = false;
  readonly #inFlight = new InFlight();
  readonly #typeNames = new Map<number, string>(BUILTIN_TYPE_NAMES);
  #origins = new Map<number, RelationOrigin>();
  #originsAt = Date.now();
  /** Pooled clients that hold the prepared identity statement (statement.ts IDENTITY_STATEMENT). */
  readonly #identityPrepared = new WeakSet<pg.PoolClient>();
  readonly #schema = new SchemaCache(() => this.#withClient(SCHEMA_TIMEOUT_MS, (client) => readSchema(client)));

  constructor(settings: TargetSettings, log?: Logger) {
    this.connectionId = settings.connectionId;
    this.#settings = settings;
    this.#log = log;
    this.#pool = createPgPool(settings, false, log);
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

  baseTables(): Promise<ReadonlySet<string>> {
    return this.#inFlight.track(async () => baseTableNames(await this.#schema.describe(false)));
  }

  catalog(options: CatalogOptions = {}): Promise<Catalog> {
    return this.#inFlight.track(() => this.#schema.catalog(options.refresh === true));
  }

  ping(): Promise<void> {
    return this.#inFlight.track(() => this.#withClient(PING_TIMEOUT_MS, async (client) => void (await client.query("SELECT 1"))));
  }

  close(): Promise<void> {
    return this.#inFlight.close(() => this.#pool.end());
  }

  /**
   * A connection of its own for one wire client (pgwire door), outside the pool: transactions, prepared
   * statements and session settings pass through it. The caller closes it.
   */
  openSession(options: WireSessionOptions): Promise<PgWireSession> {
    return openWireSession(this.#settings, options);
  }

  /**
   * PREPARE parses and analyses without executing, for the statement kinds PREPARE takes; sent with the extended
   * protocol, which refuses several commands in one text. Other kinds: the server cannot tell without running them.
   */
  checkSyntax(sql: string): Promise<SyntaxCheck> {
    if (!PREPARABLE.test(sql)) return Promise.resolve({ ok: "unknown" });
    return this.#inFlight.track(() =>
      this.#withClient(PING_TIMEOUT_MS, async (client) => {
        try {
          await client.query({ text: `PREPARE airlock_syntax_probe AS ${sql}`, queryMode: "extended" } as never);
        } catch (error) {
          const { code, message } = error as { code?: string; message?: string };
          return code === "42601" ? { ok: false, message: message ?? "syntax error", errno: 1064, sqlState: "42601" } : { ok: true };
        }
        await client.query("DEALLOCATE airlock_syntax_probe");
        return { ok: true };
      }),
    );
  }

  /**
   * The dry run of a write waiting for approval (approvals/preview/postgres.ts) on a pooled client, in a transaction
   * that is always rolled back. A client still in a transaction afterwards (its ROLLBACK failed) is dropped.
   */
  previewWrite(request: PreviewRequest): Promise<WritePreview> {
    return this.#inFlight.track(async () => {
      const started = performance.now();
      const watch = new StatementWatch(previewDeadlineMs(request));
      let client: pg.PoolClient | undefined;
      let discard = false;
      const onLost = () => void (discard = true);
      try {
        client = await this.#connect(watch);
        const held = client;
        held.on("error", onLost);
        watch.onTrip(() => {
          discard = true;
          this.#cancel(held);
        });
        return await watch.race(previewPostgres(held, request));
      } catch (error) {
        discard = true;
        if (client !== undefined && watch.tripped === "timeout") return timedOutPreview("postgres", watch.timeoutMs, started);
        throw pgError(error);
      } finally {
        watch.dispose();
        if (client?.getTransactionStatus() !== "I") discard = true;
        if (!discard) client?.removeListener("error", onLost);
        client?.release(discard ? true : undefined);
      }
    });
  }

  /** "schema.table" and column names for relation oids (RowDescription origins), cached like the result columns. */
  async relationOrigins(oids: readonly number[]): Promise<ReadonlyMap<number, RelationOrigin>> {
    const missing = oids.filter((oid) => oid !== 0 && !this.#origins.has(oid));
    if (missing.length > 0) {
      const found = await this.#inFlight.track(() => this.#withClient(SCHEMA_TIMEOUT_MS, (client) => readOrigins(client, [...new Set(missing)])));
      for (const [rel, origin] of found) this.#origins.set(rel, origin);
    }
    const out = new Map<number, RelationOrigin>();
    for (const oid of oids) {
      const origin = this.#origins.get(oid);
      if (origin) out.set(oid, origin);
    }
    return out;
  }

  /**
   * The statements, in order, on one connection and in one transaction (one round trip each; `params` go with the
   * first). A text that ends the transaction before its last statement is refused and rolled back.
   */
  async #run(statements: readonly string[], params: readonly unknown[], options: ExecuteOptions): Promise<TargetResult[]> {
    const limit = wholeLimit(options.rowLimit);
    const timeoutMs = wholeMs(options.timeoutMs);
    const readOnly = options.readOnly || this.#settings.readOnly;
    const identity = options.identity === undefined ? undefined : identityValues(options.identity);
    const watch = new StatementWatch(timeoutMs, options.signal);
    let client: pg.PoolClient | undefined;
    let discard = false;
    // A checked-out pg client has no 'error' listener (pg-pool's is for idle clients): a session the server ends
    // after the statement's own error (a FATAL with no query left to take it) would otherwise crash the process.
    const onLost = () => void (discard = true);
    /** The text's first round trip, which carries BEGIN and the identity. */
    let prelude: PipelinedStatement | undefined;
    try {
      watch.check();
      client = await this.#connect(watch);
      const held = client;
      held.on("error", onLost);
      watch.onTrip(() => {
        discard = true;
        this.#cancel(held);
      });
      const results: TargetResult[] = [];
      for (let i = 0; i < statements.length; i++) {
        const sql = statements[i]!;
        const last = i === statements.length - 1;
        const started = performance.now();
        const piped = new PipelinedStatement(sql, i === 0 ? params : [], { readOnly, timeoutMs, maxRows: limit + 1, maxBytes: options.maxResultBytes ?? RESULT_BYTES_LIMIT, begins: i === 0, commits: last, ...(identity ? { identity, identityPrepared: this.#identityPrepared.has(held) } : {}) });
        prelude = piped;
        const outcome = await watch.race(held.query(piped).done);
        if (identity && i === 0) this.#identityPrepared.add(held);
        const rows = outcome.rows;
        const truncated = rows.length > limit || outcome.cut;
        if (rows.length > limit) rows.length = limit;
        const command = outcome.command ?? commandOf(sql);
        if (pgLeavesSessionState(command, sql)) discard = true;
        if (!last && held.getTransactionStatus() !== "T") {
          discard = true; // its transaction ended early: what follows would run outside it (and outside READ ONLY)
          throw new TargetError("sql_error", `Statement ${i + 1} ended the transaction the text runs in; nothing after it was run`, { sqlState: "25000" });
        }
        const columns = await watch.race(this.#columns(held, outcome.fields));
        results.push({
          command,
          columns,
          rows,
          rowCount: truncated || outcome.rowCount === null ? rows.length : outcome.rowCount,
          truncated,
          durationMs: elapsedMs(started),
        });
      }
      if (held.getTransactionStatus() !== "I") discard = true;
      return results;
    } catch (error) {
      const failure = pgError(error);
      // failed in front of the statement: whether the identity statement got prepared there is not known
      if (identity && prelude !== undefined && !prelude.preludeAnswered) discard = true;
      else if (identity && prelude !== undefined && client !== undefined) this.#identityPrepared.add(client);
      if (client !== undefined && !discard) discard = !(await this.#rollback(client, failure, watch));
      throw failure;
    } finally {
      watch.dispose();
      // a dropped client keeps the listener: it may still report its socket closing
      if (!discard) client?.removeListener("error", onLost);
      client?.release(discard ? true : undefined);
    }
  }

  /** After a database error the session is intact: roll back and keep it. Anything else: drop it. */
  async #rollback(client: pg.PoolClient, failure: TargetError, watch: StatementWatch): Promise<boolean> {
    if (failure.sqlState === undefined || failure.code === "unreachable" || failure.code === "auth_failed") return false;
    try {
      await watch.race(client.query("ROLLBACK"));
      return client.getTransactionStatus() === "I";
    } catch {
      return false;
    }
  }

  async #connect(watch: StatementWatch): Promise<pg.PoolClient> {
    try {
      return await acquire(this.#pool, watch);
    } catch (error) {
      if (this.#settings.tls !== "prefer" || this.#tlsFellBack || !isNoTlsError(error)) throw error;
      this.#tlsFellBack = true;
      const tlsPool = this.#pool;
      this.#pool = createPgPool(this.#settings, true, this.#log);
      void tlsPool.end().catch(() => undefined);
      this.#log?.info("target.tls_fallback", { connection: this.connectionId });
      return acquire(this.#pool, watch);
    }
  }

  /** A pooled client in a read-only transaction with a statement timeout, for the gateway's own reads. */
  async #withClient<T>(timeoutMs: number, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const watch = new StatementWatch(timeoutMs);
    let client: pg.PoolClient | undefined;
    let discard = false;
    try {
      client = await this.#connect(watch);
      const held = client;
      watch.onTrip(() => {
        discard = true;
        this.#cancel(held);
      });
      await watch.race(held.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}`));
      const value = await watch.race(work(held));
      await watch.race(held.query("COMMIT"));
      return value;
    } catch (error) {
      discard = true;
      throw pgError(error);
    } finally {
      watch.dispose();
      client?.release(discard ? true : undefined);
    }
  }

  async #columns(client: pg.PoolClient, fields: readonly FieldDef[]): Promise<ResultColumn[]> {
    if (fields.length === 0) return [];
    if (Date.now() - this.#originsAt > CATALOG_TTL_MS) {
      this.#origins = new Map();
      this.#originsAt = Date.now();
    }
    const unknownTypes = new Set<number>();
    const unknownRelations = new Set<number>();
    for (const field of fields) {
      const type = field.dataTypeID >>> 0;
      const rel = field.tableID >>> 0;
      if (!this.#typeNames.has(type)) unknownTypes.add(type);
      if (rel !== 0 && !this.#origins.has(rel)) unknownRelations.add(rel);
    }
    if (unknownTypes.size > 0) for (const [oid, name] of await readTypeNames(client, [...unknownTypes])) this.#typeNames.set(oid, name);
    if (unknownRelations.size > 0) for (const [rel, origin] of await readOrigins(client, [...unknownRelations])) this.#origins.set(rel, origin);
    return fields.map((field) => {
      const type = this.#typeNames.get(field.dataTypeID >>> 0) ?? String(field.dataTypeID >>> 0);
      const origin = field.tableID === 0 ? undefined : this.#origins.get(field.tableID >>> 0);
      if (origin === undefined) return { name: field.name, type };
      const column = origin.columns.get(field.columnID);
      const from = { tableOid: field.tableID >>> 0, columnNumber: field.columnID };
      return column === undefined ? { name: field.name, type, table: origin.table, ...from } : { name: field.name, type, table: origin.table, column, ...from };
    });
  }

  /** Best effort: the running statement fails with 57014 and its connection is dropped by the caller. */
  #cancel(client: pg.PoolClient): void {
    const { processID, secretKey } = client as pg.PoolClient & { processID?: unknown; secretKey?: unknown };
    if (typeof processID !== "number" || typeof secretKey !== "number") return;
    void sendCancel(this.#settings.host, this.#settings.port, processID, secretKey);
  }

}

/** pool.connect() raced against the watch; a client that arrives after the watch tripped goes straight back. */
async function acquire(pool: pg.Pool, watch: StatementWatch): Promise<pg.PoolClient> {
  const pending = pool.connect();
  try {
    return await watch.race(pending);
  } catch (error) {
    pending.then((client) => client.release(), () => undefined);
    throw error;
  }
}

