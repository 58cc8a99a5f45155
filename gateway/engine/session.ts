import { reasonSetting } from "../../lib/approvals/reason";
import type { ResolvedMasks } from "../../lib/masking";
import type { Decision, MaskingPlan } from "../../lib/policy";
import type { Analysis, StatementAnalysis } from "../../lib/sql/types";
import type { Connection } from "../../lib/store/generated/client";
import type { AgentIdentity } from "../identity/types";
import type { MysqlWireSession, PgWireSession } from "../targets";
import { resolveColumnMasks, type ColumnOrigins, type ResultColumnOrigin } from "./column-masks";
import { rowLimitOf } from "./context";
import { EngineError } from "./errors";
import type { StatementPipeline } from "./pipeline";
import type { ApprovalTicket, DecidedStatement, FrontDoorName, Outcome, Prepared, SessionExecutor, StatementResult } from "./types";

// One agent on one connection through one door, as `engine.open` made it: authorised, recorded, with its origin
// masks (and its pinned target session, for a wire door). Everything a door does with statements goes through
// here: `submit` (decide → record → approval → run → mask → record), `decide` for a protocol's prepare step,
// `columnMasks` for results a door relays itself, `rowLimit`, `close`.

export interface SessionCore {
  pipeline(): StatementPipeline;
  authorize(agent: AgentIdentity, connectionName: string): Promise<Connection>;
  closeRecording(sessionId: string, reason?: string): Promise<void>;
  forget(sessionId: string): void;
  /** A decided statement on a door's own target session (MySQL), masked like the pool's results. */
  runOn(
    target: MysqlWireSession,
    statement: DecidedStatement,
    columnMasks: (plan: MaskingPlan | undefined, columns: readonly ResultColumnOrigin[], statement?: StatementAnalysis) => ResolvedMasks | Promise<ResolvedMasks>,
  ): Promise<StatementResult[]>;
}

export interface SubmitOptions {
  /** How long to wait for an approval before answering "pending" (0: answer at once). */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
  /** A door with a target session of its own runs the decided statement there (and masks with `columnMasks`). */
  readonly executor?: SessionExecutor;
  /** Called once an approval request exists, before the wait (the PostgreSQL door sends a notice naming it). */
  readonly onPending?: (ticket: ApprovalTicket) => void;
  /** Called once the approval is consumed, before the statement runs. */
  readonly onApproved?: (ticket: ApprovalTicket) => void;
  /** See StatementRequest.continueApproval. */
  readonly continueApproval?: boolean;
  /** What `decide` answered at the statement's prepare step: reused while it still holds. */
  readonly prepared?: Prepared;
  /** The agent's justification for this statement (HTTP/MCP `reason`); else the session's `SET airlock.reason`. */
  readonly reason?: string;
  /** Run it in a read-only transaction whatever the connection says (a door's read-only tool). */
  readonly readOnly?: boolean;
}

export interface SessionFields {
  readonly agent: AgentIdentity;
  readonly connection: Connection;
  readonly door: FrontDoorName;
  readonly sessionId: string;
  /** A recording session shared by a door's requests (HTTP, MCP). */
  readonly shared: boolean;
  readonly origins?: ColumnOrigins;
  readonly pinned?: PgWireSession;
  /** The MySQL door's own target session. */
  readonly mysql?: MysqlWireSession;
}

export class EngineSession {
  readonly #core: SessionCore;
  readonly #fields: SessionFields;
  #closed = false;
  /** Set by `SET airlock.reason = '…'` on this session (a wire door's), until reset. */
  #reason: string | undefined;

  constructor(core: SessionCore, fields: SessionFields) {
    this.#core = core;
    this.#fields = fields;
  }

  /** The recording session's id. */
  get id(): string {
    return this.#fields.sessionId;
  }

  get agent(): AgentIdentity {
    return this.#fields.agent;
  }

  get connection(): Connection {
    return this.#fields.connection;
  }

  /** The target session opened for this door (`pinned` in engine.open); undefined otherwise. */
  get pinned(): PgWireSession | undefined {
    return this.#fields.pinned;
  }

  /** A statement through the whole pipeline. The agent's grant is checked again first (cached for at most 500 ms). */
  async submit(sql: string, params: readonly unknown[], options: SubmitOptions): Promise<Outcome> {
    const connection = await this.#authorized();
    // The statement itself still goes through policy and to the target (where `SHOW airlock.reason` reads it back).
    const setting = reasonSetting(sql);
    if (setting !== undefined) this.#reason = setting ?? undefined;
    const reason = options.reason ?? this.#reason;
    try {
      return await this.#core.pipeline().submit({ agent: this.agent, connection, sessionId: this.id, sql, params, ...options, ...(reason !== undefined ? { reason } : {}), authorize: this.#grantTo });
    } catch (error) {
      if (this.#fields.shared && error instanceof EngineError && error.code === "recording_unavailable") this.#core.forget(this.id);
      throw error;
    }
  }

  /** Continues a statement this agent left waiting for approval (on `executor`, or the pool). */
  resume(approvalId: string, waitMs: number, signal?: AbortSignal, executor?: SessionExecutor): Promise<Outcome> {
    return this.#core.pipeline().resume(this.agent, approvalId, waitMs, signal, executor, this.#grantTo);
  }

  /** The agent still holds a grant to `connection` (an approval's, which is this session's when it was asked here). */
  readonly #grantTo = async (connection: Connection): Promise<void> => {
    await this.#core.authorize(this.agent, connection.name);
  };

  /**
   * The decision a statement would get now, with nothing recorded: a protocol's prepare step (PostgreSQL Parse).
   * A refused statement is recorded with `refused`; an allowed one is recorded when it is submitted.
   */
  async decide(sql: string): Promise<Prepared> {
    const connection = await this.#authorized();
    return this.#core.pipeline().preview(this.agent, connection, sql);
  }

  /** Records a statement this door refused before policy (a read-only tool's write), with the refusal's code. */
  async refusedByDoor(sql: string, params: readonly unknown[], analysis: Analysis, refusal: { readonly code: string; readonly message: string }): Promise<void> {
    const connection = await this.#authorized();
    await this.#core.pipeline().recordRefused(this.id, connection, sql, params, analysis, refusal);
  }

  /** Records a statement refused at its prepare step, as submit would have. */
  refused(sql: string, analysis: Analysis, decision: Decision): Promise<string> {
    return this.#core.pipeline().recordBlocked(this.id, this.connection, sql, analysis, decision);
  }

  /** One mask per column of a result the door relays itself: plan + origins + detectors, through the resolver. */
  columnMasks(plan: MaskingPlan | undefined, columns: readonly ResultColumnOrigin[], statement?: StatementAnalysis): ResolvedMasks | Promise<ResolvedMasks> {
    return resolveColumnMasks(this.#fields.origins, plan, columns, statement);
  }

  /** The MySQL door's target session (`pinned: { engine: "mysql" }` in engine.open); undefined otherwise. */
  get mysql(): MysqlWireSession | undefined {
    return this.#fields.mysql;
  }

  /**
   * Runs a decided statement on this session's MySQL target session and masks its results (plan, origins,
   * detectors); the door then relays them with the session's field metadata (`mysql.last`).
   */
  runOnMysql(statement: DecidedStatement): Promise<StatementResult[]> {
    const target = this.#fields.mysql;
    if (!target) return Promise.reject(new EngineError("unsupported_door", "this session has no MySQL target session"));
    return this.#core.runOn(target, statement, (plan, columns, analysed) => this.columnMasks(plan, columns, analysed));
  }

  /** Most rows a statement so decided may return. */
  rowLimit(decision: Exclude<Decision, { action: "block" }>): number {
    return rowLimitOf(this.connection, decision);
  }

  /** Ends the session: the pinned target session is closed and the recording session ended. */
  async close(reason?: string): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#fields.pinned?.close();
    this.#fields.mysql?.close();
    await this.#core.closeRecording(this.id, reason);
  }

  async #authorized(): Promise<Connection> {
    const connection = await this.#core.authorize(this.agent, this.connection.name);
    if (connection.id !== this.connection.id) throw new EngineError("unknown_connection", `The connection "${this.connection.name}" was replaced; open a new session.`);
    return connection;
  }
}
