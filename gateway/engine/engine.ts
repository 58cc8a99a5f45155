import { evaluate } from "../../lib/policy";
import type { StatementAnalysis } from "../../lib/sql/types";
import type { Connection } from "../../lib/store/generated/client";
import { authorizeConnection, type ConnectionAccess } from "../identity";
import { MAX_CACHE_TTL_MS, ShortCache, STORE_OUTAGE_GRACE_MS } from "../identity/short-cache";
import type { AgentIdentity } from "../identity/types";
import type { MysqlWireSession, PgWireSession } from "../targets";
import { dialectOf, evaluationContext, rowLimitOf } from "./context";
import { EngineError } from "./errors";
import { runStatements } from "./run-statements";
import { OriginMasks } from "./origins";
import { ViewOrigins } from "./view-origins";
import type { ColumnOrigins } from "./column-masks";
import { StatementPipeline, type EngineDeps } from "./pipeline";
import { EngineSession, type SessionCore } from "./session";
import type { EngineAgent, FrontDoorName, Outcome, SessionExecutor } from "./types";

// The engine every front door goes through. A door opens an EngineSession (`open`: the agent authorised for the
// connection, the recording session opened, origin masks ready, a pinned target session when the door needs one)
// and sends statements through it; nothing else reaches a target. `resume` continues a statement paused for
// approval (authorised again for its connection); `schema` describes a connection as policy shows it to the agent.

export interface OpenRequest {
  readonly agent: AgentIdentity;
  /** The Airlock connection's name, as the agent asked for it. */
  readonly connection: string;
  readonly door: FrontDoorName;
  readonly client: {
    readonly addr?: string | null;
    /**
     * A door whose requests share one recording session (HTTP, MCP) names it, from the connection's id: the live
     * session of this agent, door, key and connection is reused (for up to an hour), else one is opened. Without a
     * key the session is the door's own and ends with `close()`.
     */
    readonly key?: (connectionId: string) => string;
    readonly details?: Readonly<Record<string, unknown>>;
  };
  /** A target session of the door's own, for a wire door that relays its client's protocol (PostgreSQL). */
  readonly pinned?: { readonly engine: "postgres"; readonly parameters: ReadonlyMap<string, string> } | { readonly engine: "mysql" };
}

const MAX_SHARED_SESSIONS = 10_000;

export class Engine {
  readonly #deps: Omit<EngineDeps, "origins">;
  readonly #pipeline: StatementPipeline;
  readonly #grants = new ShortCache<ConnectionAccess>(MAX_CACHE_TTL_MS, { staleIfErrorMs: STORE_OUTAGE_GRACE_MS });
  /** Recording sessions shared by a door's requests, by agent, door, client key and connection. */
  readonly #shared = new Map<string, string>();
  /** One ColumnOrigins per agent, connection and target (its answers are cached until the policies change). */
  readonly #origins = new Map<string, ColumnOrigins>();

  constructor(deps: Omit<EngineDeps, "origins">) {
    this.#deps = deps;
    this.#pipeline = new StatementPipeline({ ...deps, origins: (agent, connection) => this.#originMasks(agent, connection) });
  }

  /** Authorises, opens the recording session (and a pinned target session when asked); rejects with an EngineError. */
  async open(request: OpenRequest): Promise<EngineSession> {
    const { agent } = request;
    const connection = await this.#authorized(agent, request.connection);
    const target = request.pinned ? this.#deps.targets.target(connection) : undefined;
    if (request.pinned && target) {
      if (connection.engine !== request.pinned.engine) {
        throw new EngineError("unsupported_door", `connection "${connection.name}" is a ${connection.engine} database; use Airlock's ${connection.engine === "mysql" ? "MySQL" : "PostgreSQL"} door or HTTP API`);
      }
      if (request.pinned.engine === "postgres" ? !target.openSession : !target.openMysqlSession) {
        throw new EngineError("unsupported_door", `this connection cannot be reached over the ${request.pinned.engine === "mysql" ? "MySQL" : "PostgreSQL"} protocol`);
      }
    }
    const clientKey = request.client.key?.(connection.id);
    const sessionId = clientKey === undefined ? await this.#openRecording(request, connection) : await this.#sharedRecording(clientKey, request, connection);
    let pinned: PgWireSession | undefined;
    let mysql: MysqlWireSession | undefined;
    if (request.pinned && target) {
      // The pinned session carries the agent's identity from its start (the recording session names it).
      const identity = { agent: agent.agentName, groups: agent.groups, session: sessionId };
      try {
        if (request.pinned.engine === "postgres") pinned = await target.openSession!({ parameters: request.pinned.parameters, statementTimeoutMs: connection.statementTimeoutMs, identity });
        else mysql = await target.openMysqlSession!(connection.statementTimeoutMs, identity);
      } catch (error) {
        this.#deps.log.warn("engine.target_unavailable", { connection: connection.name, door: request.door, code: (error as { code?: string }).code ?? "error" });
        if (clientKey === undefined) await this.#closeRecording(sessionId, "target_unavailable");
        throw new EngineError("target_unavailable", "The target database cannot be reached right now");
      }
    }
    return new EngineSession(this.#core, { agent, connection, door: request.door, sessionId, shared: clientKey !== undefined, origins: this.#originMasks(agent, connection), pinned, mysql });
  }

  /**
   * Waits up to `waitMs` for a paused statement's approval; once approved, runs it exactly once (on the pool, or
   * on `executor`). The agent must still hold a grant to the approval's connection.
   */
  resume(agent: AgentIdentity, approvalId: string, waitMs: number, signal?: AbortSignal, executor?: SessionExecutor): Promise<Outcome> {
    return this.#pipeline.resume(agent, approvalId, waitMs, signal, executor, (connection) => this.#authorized(agent, connection.name).then(() => undefined));
  }

  /** Tables and columns of a connection, with the columns this agent gets masked marked, decided as a statement is. */
  async schema(agent: AgentIdentity, connectionName: string) {
    const connection = await this.#authorized(agent, connectionName);
    let described;
    try {
      described = await this.#deps.targets.target(connection).describeSchema();
    } catch {
      throw new EngineError("target_unavailable", "The target database cannot be reached right now");
    }
    const compiled = this.#deps.policies.current();
    const context = evaluationContext(agent, connection, new Date());
    const tables = described.tables.map((table) => {
      const qualified = `${table.schema}.${table.name}`;
      const probe: StatementAnalysis = {
        dialect: context.dialect,
        kind: "select",
        text: "",
        normalized: "",
        fingerprint: "",
        tablesRead: [qualified],
        tablesWritten: [],
        outputColumns: table.columns.map((column) => ({ name: column.name, sources: [{ table: qualified, column: column.name }], direct: true })),
        predicateColumns: [],
        functions: [],
        hasWhere: true,
        hasLimit: true,
      };
      const decision = evaluate(compiled, { dialect: context.dialect, statements: [probe], multiStatement: false }, context);
      const plan = decision.action === "block" ? undefined : decision.masking;
      return {
        schema: table.schema,
        name: table.name,
        columns: table.columns.map((column, index) => {
          const planned = plan?.columns[index];
          return { name: column.name, type: column.type, nullable: column.nullable, ...(planned?.strategy ? { masked: { strategy: planned.strategy.kind } } : {}) };
        }),
      };
    });
    const masked = tables.flatMap((table) => table.columns.filter((column) => column.masked).map((column) => `${table.name}.${column.name}`));
    const hints = masked.length > 0 ? [`Masked columns come back masked and cannot be used in WHERE, JOIN, ORDER BY or GROUP BY: ${masked.join(", ")}`] : [];
    return { connection: connection.name, engine: connection.engine, tables, hints };
  }

  /** What a session needs of the engine: the pipeline, authorisation again per statement, forgetting a session. */
  readonly #core: SessionCore = {
    pipeline: () => this.#pipeline,
    authorize: (agent, name) => this.#authorized(agent, name),
    closeRecording: (sessionId, reason) => this.#closeRecording(sessionId, reason),
    forget: (sessionId) => this.#forget(sessionId),
    runOn: (target, statement, columnMasks) =>
      runStatements(target, statement.analysis, statement.params, statement.plans, {
        columnMasks: (plan, columns, index) => columnMasks(plan, columns, statement.analysis.statements[index]),
        rowLimit: rowLimitOf(statement.connection, statement.decision),
        timeoutMs: statement.connection.statementTimeoutMs,
        readOnly: statement.connection.readOnly,
        signal: statement.signal,
        masking: this.#deps.masking,
        hideErrorText: statement.hideErrorText,
        sessionTransactions: true,
      }),
  };

  /** The agent's grant to a connection; granted answers are kept for at most 500 ms, so a revoked grant stops within a second. */
  async #authorized(agent: AgentIdentity, connectionName: string): Promise<Connection> {
    const key = `${agent.agentId}\u0000${[...agent.groups].sort().join("\u0001")}\u0000${connectionName}`;
    const access = await this.#grants.load(key, () => authorizeConnection(this.#deps.store, agent, connectionName), (found) => (found.ok ? found : undefined));
    if (!access.ok) throw new EngineError(access.code, access.message);
    return access.connection;
  }

  async #openRecording(request: OpenRequest, connection: Connection): Promise<string> {
    try {
      const opened = await this.#deps.recorder.openSession({
        agentId: request.agent.agentId,
        connectionId: connection.id,
        frontDoor: request.door,
        clientAddr: request.client.addr ?? null,
        ...(request.client.details ? { details: request.client.details } : {}),
      });
      return opened.sessionId;
    } catch {
      throw new EngineError("recording_unavailable", "Airlock cannot record this session right now, so it was not opened");
    }
  }

  async #sharedRecording(clientKey: string, request: OpenRequest, connection: Connection): Promise<string> {
    const key = `${request.agent.agentId}/${request.door}/${connection.id}/${clientKey}`;
    const cached = this.#shared.get(key);
    if (cached) return cached;
    const opened = await this.#deps.recorder
      .findOrOpenSession({
        agentId: request.agent.agentId,
        connectionId: connection.id,
        frontDoor: request.door,
        clientKey,
        clientAddr: request.client.addr ?? null,
      })
      .catch(() => {
        throw new EngineError("recording_unavailable", "Airlock cannot record this session right now, so nothing was run");
      });
    // HTTP keys change every hour, so the map is simply reset when it grows past what one hour needs.
    if (this.#shared.size >= MAX_SHARED_SESSIONS) this.#shared.clear();
    this.#shared.set(key, opened.sessionId);
    return opened.sessionId;
  }

  async #closeRecording(sessionId: string, reason?: string): Promise<void> {
    this.#forget(sessionId);
    await this.#deps.recorder.closeSession(sessionId, reason).catch(() => undefined);
  }

  /** Drops a shared recording session that the recorder no longer takes (ended elsewhere): the next request opens a new one. */
  #forget(sessionId: string): void {
    for (const [key, id] of this.#shared) if (id === sessionId) this.#shared.delete(key);
  }

  /** What masks a result by its columns' origins: PostgreSQL's RowDescription oids, MySQL's views; neither: none. */
  #originMasks(agent: EngineAgent, connection: Connection): ColumnOrigins | undefined {
    const target = this.#deps.targets.target(connection);
    const { relationOrigins, viewDefinitions } = target;
    if (!relationOrigins && !viewDefinitions) return undefined;
    const key = `${agent.agentId}/${agent.groups.join(",")}/${connection.id}/${connection.updatedAt.getTime()}`;
    let found = this.#origins.get(key);
    if (found === undefined) {
      if (this.#origins.size >= 1_000) this.#origins.clear();
      found = relationOrigins
        ? new OriginMasks(this.#deps.policies, { relationOrigins: (oids) => relationOrigins.call(target, oids) }, agent, connection)
        : new ViewOrigins(this.#deps.policies, (tables) => viewDefinitions!.call(target, tables), agent, connection);
      this.#origins.set(key, found);
    }
    return found;
  }
}

export { dialectOf };
