import type { IncomingMessage } from "node:http";
import { createHmac } from "node:crypto";
import { evaluate } from "../lib/policy";
import { initSqlParsers } from "../lib/sql";
import type { StatementAnalysis } from "../lib/sql/types";
import type { Store } from "../lib/store/client";
import type { Connection } from "../lib/store/generated/client";
import { errorMessage, type Logger } from "../lib/log";
import { expireApprovals } from "../lib/approvals/pending";
import { AgentAuthenticator } from "./identity";
import { authorizeConnection, listGrantedConnections, type ConnectionAccess } from "./identity";
import { ShortCache, MAX_CACHE_TTL_MS } from "./identity/short-cache";
import type { AgentIdentity, OidcSettings } from "./identity/types";
import { TargetRegistry } from "./targets";
import { Recorder } from "./recorder";
import { ApprovalWaiter } from "./approvals";
import { Engine, dialectOf } from "./engine/engine";
import { PolicyCache } from "./engine/policy-cache";
import { EngineError } from "./engine/errors";
import { Metrics } from "./metrics";
import type { MaskingOptions } from "../lib/masking";

// One gateway process: the engine and everything it stands on, shared by every front door.

export interface GatewayOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly masterKey: Uint8Array;
  readonly publicUrl: string;
  /** A PostgreSQL URL for LISTEN/NOTIFY approval wake-ups; omitted for the embedded store (polling). */
  readonly listenUrl?: string;
  readonly oidc?: OidcSettings;
  readonly maxSqlBytes: number;
  readonly policyRefreshMs?: number;
  /** How often requests past their expiry are marked expired in the store (default 60 s; every replica does it). */
  readonly approvalSweepMs?: number;
}

const APPROVAL_SWEEP_MS = 60_000;

export class Gateway {
  readonly metrics = new Metrics();
  readonly authenticator: AgentAuthenticator;
  readonly engine: Engine;
  readonly recorder: Recorder;
  readonly targets: TargetRegistry;
  readonly policies: PolicyCache;
  readonly waiter: ApprovalWaiter;
  readonly limits: { readonly maxSqlBytes: number };
  /** The masking settings every front door masks with (the hash key derived from the master key). */
  readonly maskingOptions: MaskingOptions;
  /** HTTP recording sessions by agent and client key, so a request costs no session lookup in the store. */
  private readonly httpSessions = new Map<string, string>();
  private readonly grants = new ShortCache<ConnectionAccess>(MAX_CACHE_TTL_MS);
  private approvalSweep: NodeJS.Timeout | undefined;

  constructor(private readonly options: GatewayOptions) {
    const { store, log, masterKey } = options;
    this.limits = { maxSqlBytes: options.maxSqlBytes };
    this.authenticator = new AgentAuthenticator(store, { oidc: options.oidc, log });
    this.targets = new TargetRegistry({ masterKey });
    // Batches over raw pg on the store's URL (listenUrl is the store's own); the embedded store stays on Prisma.
    this.recorder = new Recorder(store, { log, databaseUrl: options.listenUrl });
    this.policies = new PolicyCache(store, log, options.policyRefreshMs);
    this.waiter = new ApprovalWaiter({ store, listenUrl: options.listenUrl });
    // The hash strategy's key is derived from the master key, so every replica hashes alike.
    this.maskingOptions = { hashKey: createHmac("sha256", masterKey).update("airlock masking hash key v1").digest() };
    this.engine = new Engine({
      store,
      policies: this.policies,
      targets: this.targets,
      recorder: this.recorder,
      waiter: this.waiter,
      metrics: this.metrics,
      log,
      masterKey,
      masking: this.maskingOptions,
      publicUrl: options.publicUrl,
      maxSqlBytes: options.maxSqlBytes,
    });
  }

  async start(): Promise<void> {
    // Until the PostgreSQL parser is loaded every statement would analyse as unknown (fail closed, but useless).
    await initSqlParsers();
    await this.policies.start();
    // The store then says what the pages and the gateway already treat as expired (a pending or approved request
    // past its expiry can no longer run); waiters are told through the usual notification.
    this.approvalSweep = setInterval(() => void this.expireApprovals(), this.options.approvalSweepMs ?? APPROVAL_SWEEP_MS);
    this.approvalSweep.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.approvalSweep);
    this.policies.stop();
    await this.authenticator.settled();
    await this.recorder.close();
    await this.waiter.close();
    await this.targets.close();
  }

  private async expireApprovals(): Promise<void> {
    try {
      const count = await expireApprovals(this.options.store, new Date());
      if (count > 0) this.options.log.info("approvals.expired", { count });
    } catch (error) {
      this.options.log.warn("approvals.expire_failed", { error: errorMessage(error) });
    }
  }

  /** The agent's grant to a connection; granted answers are kept for at most 500 ms, so a revoked grant stops within a second. */
  async authorize(agent: AgentIdentity, connectionName: string): Promise<ConnectionAccess> {
    const key = `${agent.agentId}\u0000${[...agent.groups].sort().join("\u0001")}\u0000${connectionName}`;
    return this.grants.load(key, () => authorizeConnection(this.options.store, agent, connectionName), (access) => (access.ok ? access : undefined));
  }

  connections(agent: AgentIdentity) {
    return listGrantedConnections(this.options.store, agent);
  }

  /**
   * The recording session for an HTTP client: the one named by its `X-Airlock-Session` header, or else one per
   * token (or OIDC subject), connection and hour.
   */
  async httpSession(agent: AgentIdentity, connection: Connection, request: IncomingMessage): Promise<string> {
    const header = request.headers["x-airlock-session"];
    const named = typeof header === "string" && /^[\w.:-]{1,128}$/.test(header) ? header : null;
    const hour = new Date().toISOString().slice(0, 13);
    const clientKey = `${named ?? `${agent.tokenId ?? agent.subject ?? agent.agentId}@${hour}`}/${connection.id}`;
    const cacheKey = `${agent.agentId}/${clientKey}`;
    const cached = this.httpSessions.get(cacheKey);
    if (cached) return cached;
    const session = await this.recorder
      .findOrOpenSession({ agentId: agent.agentId, connectionId: connection.id, frontDoor: "http", clientKey, clientAddr: request.socket.remoteAddress ?? null })
      .catch(() => {
        throw new EngineError("recording_unavailable", "Airlock cannot record this session right now, so nothing was run");
      });
    // The key changes every hour, so the map is simply reset when it grows past what one hour needs.
    if (this.httpSessions.size >= 10_000) this.httpSessions.clear();
    this.httpSessions.set(cacheKey, session.sessionId);
    return session.sessionId;
  }

  /** Drops a cached HTTP session that the recorder no longer takes (ended elsewhere), so the next request opens a new one. */
  forgetHttpSession(sessionId: string): void {
    for (const [key, id] of this.httpSessions) if (id === sessionId) this.httpSessions.delete(key);
  }

  /** Tables and columns of a connection, with the columns this agent gets masked marked as such. */
  async schema(agent: AgentIdentity, connection: Connection) {
    let described;
    try {
      described = await this.targets.target(connection).describeSchema();
    } catch {
      throw new EngineError("target_unavailable", "The target database cannot be reached right now");
    }
    const compiled = this.policies.current();
    const context = { connection: connection.name, agentId: agent.agentId, agentGroups: agent.groups, dialect: dialectOf(connection), now: new Date() };
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
          return {
            name: column.name,
            type: column.type,
            nullable: column.nullable,
            ...(planned?.strategy ? { masked: { strategy: planned.strategy.kind } } : {}),
          };
        }),
      };
    });
    return { connection: connection.name, engine: connection.engine, tables, hints: maskedHints(this.policies.current(), tables) };
  }
}

function maskedHints(_compiled: unknown, tables: { name: string; columns: { name: string; masked?: unknown }[] }[]): string[] {
  const masked = tables.flatMap((table) => table.columns.filter((column) => column.masked).map((column) => `${table.name}.${column.name}`));
  return masked.length > 0
    ? [`Masked columns come back masked and cannot be used in WHERE, JOIN, ORDER BY or GROUP BY: ${masked.join(", ")}`]
    : [];
}
