import type net from "node:net";
import type { MaskingPlan } from "../../lib/policy";
import type { Logger } from "../../lib/log";
import { EngineError } from "../engine/errors";
import type { EngineSession } from "../engine/session";
import type { ApprovalTicket, DecidedStatement, Outcome, Prepared, StatementResult } from "../engine/types";
import type { MaskingOptions } from "../../lib/masking";
import type { PgWireSession } from "../targets";
import { describeReply } from "./describe";
import type { ResolvedMasks } from "../../lib/masking";
import { SQLSTATE } from "./errors";
import { approvedNotice, blockedError, failureError, outcomeError, pendingNotice } from "./replies";
import type { Bind, ClientMessage, FieldDescription, Frame, Parse } from "../protocols/postgres/messages";
import { Output } from "./output";
import { FrameSplitter, parseClientMessage } from "../protocols/postgres/parser";
import { oneReply, ResponseQueue, syncReply, type Expectation } from "./responses";
import { ResultsExpectation, type LimitAction } from "./results";
import { buildColumnMasking, formatOf, type ColumnMasking } from "./row-masking";
import { FLUSH, SYNC, execute as executeFrame, describe as describeFrame, errorResponse, readyForQuery } from "../protocols/postgres/serializer";

// One authenticated wire client and its pinned target session. Client messages are handled one at a time, in
// order: a Query or an Execute goes through the engine (decide → record → approval → run here, masked), Parse is
// decided at once (a blocked statement fails there), the rest passes through. Answers come back through the
// ResponseQueue in the order they were asked for.

/**
 * Sent to the target when Airlock refuses a statement inside a transaction block: an Execute of a portal that
 * cannot exist fails (34000) without touching anything, and the target's transaction is then aborted exactly as
 * if the refused statement had failed there. Its error is swallowed (the client got Airlock's).
 */
const ABORT_TRANSACTION = executeFrame("airlock refused statement", 0);

function swallowError(extended: boolean): Expectation {
  return { sync: false, extended, take: () => true, skip() {} };
}

/**
 * Most rows one statement may return on the wire: the same expression as the HTTP door's (the connection's row
 * limit, and the policy's maxRows when it is smaller).
 */
function rowLimitOf(decided: DecidedStatement): number {
  return Math.min(decided.connection.rowLimit, decided.decision.maxRows ?? Number.MAX_SAFE_INTEGER);
}

/** How long a paused statement waits for its approval (the request's own expiry usually comes first). */
const APPROVAL_WAIT_MS = 24 * 60 * 60 * 1000;

interface PreparedStatement {
  readonly sql: string;
  readonly plan: MaskingPlan | undefined;
  /** Parse's decision: Execute reuses it while it still holds (same policies and connection settings). */
  readonly prepared: Prepared;
  fields?: readonly FieldDescription[];
}

interface Portal {
  readonly statement: PreparedStatement;
  readonly params: readonly unknown[];
  readonly resultFormats: readonly number[];
  /** Set by a Describe of the portal (or of its statement before Bind). */
  masking?: ColumnMasking | null;
  fields?: readonly FieldDescription[];
  /** Executed once already (a suspended portal continued): not decided again. */
  executed: boolean;
  /** Its row limit, fixed when it first ran, and the rows it has returned so far (across Executes). */
  rowLimit: number;
  /** Fixed when it first ran: value-quoting errors and notices keep only their SQLSTATE. */
  hideErrors: boolean;
  rows: number;
}

export interface WireConnectionDeps {
  /** The engine session this client's statements go through (engine.open, with its pinned target session). */
  readonly session: EngineSession;
  readonly target: PgWireSession;
  readonly socket: net.Socket;
  readonly splitter: FrameSplitter;
  readonly masking: MaskingOptions;
  readonly log: Logger;
  readonly onClose: () => void;
}

export class WireConnection {
  readonly #deps: WireConnectionDeps;
  readonly #out: Output;
  readonly #queue: ResponseQueue;
  readonly #inbox: Frame[] = [];
  readonly #statements = new Map<string, PreparedStatement>();
  readonly #portals = new Map<string, Portal>();
  #pumping = false;
  #copyIn = false;
  #skipToSync = false;
  #closed = false;
  #abort = new AbortController();
  /** A result went past its row limit: the CancelRequest sent, and the target writes that must precede anything else. */
  #limitCancel: Promise<void> | null = null;
  #limitWork: Promise<void> | null = null;

  constructor(deps: WireConnectionDeps) {
    this.#deps = deps;
    const { socket, target } = deps;
    this.#out = new Output(socket, () => target.pause(), () => target.resume());
    this.#queue = new ResponseQueue(this.#out, () => target.pause(), () => target.resume());
    this.#queue.onExtendedError = () => void (this.#skipToSync = true);
    this.#queue.onFailure = (error) => {
      deps.log.error("pgwire.relay_failed", { sessionId: deps.session.id, error: error instanceof Error ? error.message : String(error) });
      this.#fatal(SQLSTATE.internal, "Airlock could not relay the database's answer; the session was closed");
    };
    target.onFrame = (frame) => this.#queue.receive([frame]);
    target.onClose = () => this.#fatal(SQLSTATE.adminShutdown, "the target database closed the connection", "target_closed");
    socket.on("data", (chunk: Buffer) => this.#received(chunk));
    socket.on("close", () => this.close("client_closed"));
    socket.on("error", () => this.close("client_error"));
    const pending = deps.splitter.takePending();
    if (pending) this.#received(pending);
  }

  /** CancelRequest naming this client: the statement waiting for approval stops waiting; the target cancels its own. */
  cancel(): void {
    this.#abort.abort();
    this.#abort = new AbortController();
    void this.#deps.target.cancel();
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    // a statement still running on the target is cancelled, so its backend reads the Terminate that follows
    if (!this.#queue.idle) void this.#deps.target.cancel();
    this.#queue.abandon();
    this.#deps.target.close();
    if (!this.#deps.socket.destroyed) this.#deps.socket.end();
    this.#deps.log.info("pgwire.disconnected", { sessionId: this.#deps.session.id, reason });
    this.#deps.onClose();
  }

  #received(chunk: Buffer): void {
    const frames = this.#deps.splitter.push(chunk);
    if (!Array.isArray(frames)) return this.#fatal(SQLSTATE.protocolViolation, frames.reason);
    for (const frame of frames) {
      // COPY … FROM STDIN: the client's data goes straight to the target, in order, undecoded
      if (this.#copyIn && this.#inbox.length === 0 && (frame.code === 0x64 || frame.code === 0x63 || frame.code === 0x66)) {
        if (!this.#deps.target.write(frame.raw)) {
          this.#deps.socket.pause();
          this.#deps.target.onDrain(() => this.#deps.socket.resume());
        }
        continue;
      }
      this.#inbox.push(frame);
    }
    if (this.#inbox.length > 64) this.#deps.socket.pause();
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#inbox.length > 0 && !this.#closed) {
        const frame = this.#inbox.shift()!;
        const message = parseClientMessage(frame);
        await this.#handle(message, frame);
        if (this.#inbox.length < 16) this.#deps.socket.resume();
      }
    } catch (error) {
      this.#deps.log.error("pgwire.failed", { sessionId: this.#deps.session.id, error: error instanceof Error ? error.message : String(error) });
      this.#fatal(SQLSTATE.internal, "Airlock could not handle this message");
    } finally {
      this.#pumping = false;
    }
  }

  async #handle(message: ClientMessage | { name: "malformed"; reason: string }, frame: Frame): Promise<void> {
    if (this.#skipToSync && message.name !== "sync" && message.name !== "terminate" && message.name !== "malformed") return;
    switch (message.name) {
      case "malformed":
        return this.#fatal(SQLSTATE.protocolViolation, message.reason);
      case "query":
        return this.#query(message.sql, frame);
      case "parse":
        return this.#parse(message, frame);
      case "bind":
        return this.#bind(message, frame);
      case "describe":
        return this.#describe(message.target, message.object, frame);
      case "execute":
        return this.#execute(message.portal, message.maxRows, frame);
      case "close":
        if (message.target === "S") this.#statements.delete(message.object);
        else this.#portals.delete(message.object);
        return this.#forward(frame, oneReply());
      case "sync":
        this.#skipToSync = false;
        return this.#forward(frame, syncReply());
      case "flush":
      case "copyData":
      case "copyDone":
      case "copyFail":
        this.#deps.target.write(frame.raw);
        return;
      case "terminate":
        return this.close("terminated");
      case "password":
        return this.#fatal(SQLSTATE.protocolViolation, "unexpected password message");
      case "functionCall":
        this.#queue.reply(errorResponse({ severity: "ERROR", code: SQLSTATE.featureNotSupported, message: "The function-call protocol is not supported through Airlock" }), readyForQuery(this.#queue.status));
        return;
    }
  }

  #forward(frame: Frame, expectation: Parameters<ResponseQueue["expect"]>[0]): void {
    this.#queue.expect(expectation);
    this.#deps.target.write(frame.raw);
  }

  // ── Simple query ───────────────────────────────────────────────────────────────────────────────────────

  async #query(sql: string, frame: Frame): Promise<void> {
    this.#statements.delete("");
    this.#portals.delete("");
    let relayed = false;
    const run = async (decided: DecidedStatement): Promise<readonly StatementResult[]> => {
      relayed = true;
      const results = new ResultsExpectation({
        mode: "query",
        maskingFor: (index, fields) => this.#masking(fields, undefined, decided.plans[index]),
        hideErrors: decided.hideErrorText,
        onCopyIn: (active) => void (this.#copyIn = active),
        onRefused: () => undefined,
        rowLimit: rowLimitOf(decided),
        onLimit: (action) => this.#limitExceeded(action, "query"),
      });
      this.#queue.noticesHidden = decided.hideErrorText;
      this.#forward(frame, results);
      try {
        await results.finished;
      } finally {
        this.#queue.noticesHidden = false;
      }
      await this.#limitSettled();
      return this.#finished(results);
    };
    try {
      const outcome = await this.#submit(sql, [], run);
      if (outcome.kind !== "result") this.#refuseQuery(outcomeError(outcome));
    } catch (error) {
      if (relayed && error instanceof EngineError && error.code === "target_error") return;
      this.#refuseQuery(this.#failureFrame(error));
    }
  }

  // ── Extended protocol ──────────────────────────────────────────────────────────────────────────────────

  async #parse(message: Parse, frame: Frame): Promise<void> {
    const { session } = this.#deps;
    let prepared: Prepared;
    try {
      prepared = await session.decide(message.sql);
    } catch (error) {
      this.#failGroup(this.#failureFrame(error)); // a grant taken away: refused like a statement, not the session
      return;
    }
    const { analysis, decision } = prepared;
    if (decision.action === "block") {
      await session.refused(message.sql, analysis, decision).catch(() => undefined);
      this.#failGroup(blockedError(decision));
      return;
    }
    const plan = decision.maskingByStatement[0];
    this.#statements.set(message.statement, { sql: message.sql, plan, prepared });
    this.#forward(frame, oneReply());
  }

  #bind(message: Bind, frame: Frame): void {
    const statement = this.#statements.get(message.statement);
    if (statement === undefined) {
      // never parsed through this door (blocked at Parse, or an SQL-level PREPARE, which Airlock did not decide)
      this.#failGroup(errorResponse({ severity: "ERROR", code: "26000", message: `prepared statement "${message.statement}" does not exist`, hint: "Prepare statements with the protocol's Parse; SQL PREPARE is not usable through Airlock's Bind." }));
      return;
    }
    const params = message.params.map((param, i) => {
      if (param === null) return null;
      return formatOf(message.paramFormats, i, 0) === 1 ? `\\x${param.toString("hex")}` : param.toString("utf8");
    });
    this.#portals.set(message.portal, { statement, params, resultFormats: [...message.resultFormats], executed: false, rowLimit: Number.MAX_SAFE_INTEGER, rows: 0, hideErrors: true });
    this.#forward(frame, oneReply());
  }

  #describe(kind: "S" | "P", name: string, frame: Frame): void {
    if (kind === "S") {
      const statement = this.#statements.get(name);
      this.#forward(
        frame,
        describeReply({
          hidden: false,
          build: (fields) => this.#masking(fields, undefined, statement?.plan),
          described: (fields) => {
            if (statement) statement.fields = fields;
          },
          refused: () => this.#failedByReply(),
        }),
      );
      return;
    }
    const portal = this.#portals.get(name);
    this.#forward(frame, this.#portalDescribe(portal, false));
  }

  #portalDescribe(portal: Portal | undefined, hidden: boolean) {
    return describeReply({
      hidden,
      build: (fields) => this.#masking(fields, portal?.resultFormats, portal?.statement.plan),
      described: (fields, masking) => {
        if (!portal) return;
        portal.fields = fields;
        portal.masking = masking;
      },
      refused: () => this.#failedByReply(),
    });
  }

  async #execute(name: string, maxRows: number, frame: Frame): Promise<void> {
    const portal = this.#portals.get(name);
    if (portal === undefined) {
      this.#failGroup(errorResponse({ severity: "ERROR", code: "34000", message: `portal "${name}" does not exist` }));
      return;
    }
    if (portal.executed) {
      // a suspended portal continued: decided and recorded when it first ran
      await this.#runPortal(name, portal, maxRows, frame, portal.statement.plan).catch(() => undefined);
      return;
    }
    portal.executed = true;
    let relayed = false;
    const run = async (decided: DecidedStatement): Promise<readonly StatementResult[]> => {
      relayed = true;
      portal.rowLimit = rowLimitOf(decided);
      portal.hideErrors = decided.hideErrorText;
      return this.#runPortal(name, portal, maxRows, frame, decided.plans[0]);
    };
    try {
      const outcome = await this.#submit(portal.statement.sql, portal.params, run, portal.statement.prepared);
      if (outcome.kind !== "result") this.#failGroup(outcomeError(outcome));
    } catch (error) {
      if (relayed && error instanceof EngineError && error.code === "target_error") return;
      this.#failGroup(this.#failureFrame(error));
    }
  }

  /**
   * Runs (or continues) a portal and waits for its answer. The target is asked for at most one row more than the
   * portal may still return, so a result past the limit never makes it read further (see ResultsExpectation).
   */
  async #runPortal(name: string, portal: Portal, maxRows: number, frame: Frame, plan: MaskingPlan | undefined): Promise<readonly StatementResult[]> {
    const results = new ResultsExpectation(this.#resultsOptions(portal.hideErrors, portal));
    if (portal.fields !== undefined) {
      // masking for the plan decided now (it may differ from the one at Describe)
      results.masking = portal.fields.length === 0 ? null : await this.#masking(portal.fields, portal.resultFormats, plan);
    } else {
      // executed without a Describe (Prisma, pgbench -M prepared): Airlock asks for the columns itself first
      this.#queue.expect(
        describeReply({
          hidden: true,
          build: (fields) => this.#masking(fields, portal.resultFormats, plan),
          described: (fields, masking) => {
            portal.fields = fields;
            portal.masking = masking;
            results.masking = masking;
          },
          refused: () => {
            results.refuse();
            this.#skipToSync = true;
          },
        }),
      );
      this.#deps.target.write(describeFrame("P", name));
    }
    this.#queue.expect(results);
    const allowed = Math.max(0, portal.rowLimit - portal.rows) + 1;
    this.#deps.target.write(maxRows > 0 && maxRows <= allowed ? frame.raw : executeFrame(name, Math.min(allowed, 2 ** 31 - 1)));
    this.#deps.target.write(FLUSH);
    this.#queue.noticesHidden = portal.hideErrors;
    try {
      await results.finished;
    } finally {
      this.#queue.noticesHidden = false;
    }
    portal.rows += results.rowsRelayed;
    await this.#limitSettled();
    return this.#finished(results);
  }

  #resultsOptions(hideErrors: boolean, portal: Portal) {
    return {
      mode: "execute" as const,
      maskingFor: () => {
        throw new Error("an Execute gets no RowDescription");
      },
      hideErrors,
      onCopyIn: (active: boolean) => void (this.#copyIn = active),
      onRefused: () => undefined,
      rowLimit: portal.rowLimit,
      rowsBefore: portal.rows,
      onLimit: (action: LimitAction) => this.#limitExceeded(action, "execute"),
    };
  }

  /**
   * A result went past its row limit and the client got the error. "cancel": the target is still producing (a
   * simple Query, a COPY), so it is sent a CancelRequest. "abort": the target's statement did not fail (an Execute
   * stopped by its row count, or a statement that finished before the cancel landed), so its transaction is made
   * to fail like the client's: an Execute of a portal that cannot exist, after the cancel (if any) was delivered,
   * so that cancel cannot hit anything later. Called while the answer is being read: expectations are queued now,
   * writes once the cancel is out; the statement's caller waits for both (`#limitSettled`) before the next message.
   */
  #limitExceeded(action: LimitAction, mode: "query" | "execute"): void {
    const { target } = this.#deps;
    if (action === "cancel") {
      this.#limitCancel ??= target.cancel();
      return;
    }
    if (mode === "execute") {
      this.#skipToSync = true;
      this.#queue.expect(swallowError(true));
    } else {
      // the target's ReadyForQuery ('T') was held back: the one after the failed Execute ('E') goes to the client
      this.#queue.expect(swallowError(false));
      this.#queue.expect(syncReply());
    }
    const cancelled = this.#limitCancel ?? Promise.resolve();
    this.#limitWork = cancelled.then(() => {
      target.write(ABORT_TRANSACTION);
      target.write(mode === "execute" ? FLUSH : SYNC);
    });
  }

  async #limitSettled(): Promise<void> {
    if (this.#limitCancel === null && this.#limitWork === null) return;
    await this.#limitCancel;
    await this.#limitWork;
    this.#limitCancel = null;
    this.#limitWork = null;
  }

  // ── Shared ─────────────────────────────────────────────────────────────────────────────────────────────

  #submit(sql: string, params: readonly unknown[], run: (decided: DecidedStatement) => Promise<readonly StatementResult[]>, prepared?: Prepared): Promise<Outcome> {
    return this.#deps.session.submit(sql, params, {
      ...(prepared ? { prepared } : {}),
      waitMs: APPROVAL_WAIT_MS,
      signal: this.#abort.signal,
      executor: { run },
      onPending: (ticket) => this.#pendingNotice(ticket),
      onApproved: (ticket) => {
        if (ticket.comments?.length) this.#queue.reply(approvedNotice(ticket));
      },
    });
  }

  #pendingNotice(ticket: ApprovalTicket): void {
    // answers still held by the target (ParseComplete, BindComplete) go out first
    this.#deps.target.write(FLUSH);
    this.#queue.reply(pendingNotice(ticket));
  }

  #masking(fields: readonly FieldDescription[], formats: readonly number[] | undefined, plan: MaskingPlan | undefined): ColumnMasking | Promise<ColumnMasking> {
    const build = (resolved: ResolvedMasks) => buildColumnMasking({ fields, formats, resolved, options: this.#deps.masking });
    const resolved = this.#deps.session.columnMasks(plan, fields);
    return resolved instanceof Promise ? resolved.then(build) : build(resolved);
  }

  #finished(results: ResultsExpectation): readonly StatementResult[] {
    if (results.error) throw new EngineError("target_error", results.error.message, { sqlState: results.error.sqlState });
    return results.results;
  }

  #failureFrame(error: unknown): Buffer {
    if (!(error instanceof EngineError)) {
      this.#deps.log.error("pgwire.statement_failed", { sessionId: this.#deps.session.id, error: error instanceof Error ? error.message : String(error) });
    }
    return failureError(error);
  }

  /** An error for an extended-protocol message: sent in order, then everything up to Sync is skipped. */
  #failGroup(...frames: Buffer[]): void {
    this.#skipToSync = true;
    this.#queue.reply(...frames);
    if (this.#queue.status === "T") {
      // like a failed statement, a refused one aborts the transaction: the target's fails with it
      this.#queue.expect(swallowError(true));
      this.#deps.target.write(ABORT_TRANSACTION);
      this.#deps.target.write(FLUSH);
    }
  }

  /** A simple Query Airlock refused: its error, then ReadyForQuery (inside a transaction, the target's own, now failed). */
  #refuseQuery(...frames: Buffer[]): void {
    if (this.#queue.status !== "T") {
      this.#queue.reply(...frames, readyForQuery(this.#queue.status));
      return;
    }
    this.#queue.reply(...frames);
    this.#queue.expect(swallowError(false));
    this.#queue.expect(syncReply());
    this.#deps.target.write(ABORT_TRANSACTION);
    this.#deps.target.write(SYNC);
  }

  #failedByReply(): void {
    this.#skipToSync = true;
  }

  #fatal(code: string, message: string, reason = "protocol_error"): void {
    if (this.#closed) return;
    this.#out.push(errorResponse({ severity: "FATAL", code, message }));
    this.#out.flush();
    this.close(reason);
  }
}

