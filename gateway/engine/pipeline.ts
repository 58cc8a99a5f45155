import { analyze } from "../../lib/sql";
import type { Analysis } from "../../lib/sql/types";
import { evaluate, type Catalog, type Decision } from "../../lib/policy";
import { redactDetected, type MaskingOptions } from "../../lib/masking";
import { approvalBinding } from "../../lib/approvals/binding";
import { cleanReason, reasonInComment } from "../../lib/approvals/reason";
import type { WritePreview } from "../approvals/preview/types";
import { previewMasker } from "./preview-masks";
import { openSecret, sealSecret } from "../../lib/crypto/secret-box";
import type { Store } from "../../lib/store/client";
import type { Connection } from "../../lib/store/generated/client";
import type { Logger } from "../../lib/log";
import type { Recorder } from "../recorder";
import type { TargetRegistry } from "../targets";
import { createApprovalRequest, consumeApproval, type ApprovalWaiter } from "../approvals";
import type { Metrics } from "../metrics";
import type { PolicyCache } from "./policy-cache";
import { EngineError } from "./errors";
import { dialectOf, evaluationContext, rowLimitOf } from "./context";
import { hidesErrorsOf } from "./error-text";
import { runStatements } from "./run-statements";
import { resolveColumnMasks, type ColumnOrigins } from "./column-masks";
import { decisionSummary, resultSummary, statementSummary } from "./summaries";
import type { ApprovalTicket, EngineAgent, Outcome, Prepared, SessionExecutor, StatementRequest } from "./types";
import { identityTampering, type SyntaxCheck } from "../targets";

// The one enforcement pipeline: analyse → decide → record → (await approval) → execute → mask → record. Reached
// only through an EngineSession (engine.open), which has already authorised the agent for the connection and
// opened the recording session; the Engine is the only holder of this object, so no door can call it directly.

/** How long a statement that needs approval waits for its session's records to reach the store. */
const APPROVAL_SHIP_MS = 5_000;
/** A dry run's limits: rows in its before/after sample, its statement and lock time-outs. */
const PREVIEW_SAMPLE_ROWS = 5;
const PREVIEW_TIMEOUT_MS = 2_000;
const PREVIEW_LOCK_TIMEOUT_MS = 500;

export interface EngineDeps {
  readonly store: Store;
  readonly policies: PolicyCache;
  readonly targets: TargetRegistry;
  readonly recorder: Recorder;
  readonly waiter: ApprovalWaiter;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly masterKey: Uint8Array;
  readonly masking: MaskingOptions;
  readonly publicUrl: string;
  readonly maxSqlBytes: number;
  readonly clock?: () => Date;
  /** Told of every approval request created (the notifier announces it on Slack and webhooks); must not throw. */
  readonly onApprovalRequested?: (requestId: string) => void;
  /** What masks a result by its columns' origins for this agent and connection (absent: the target reports none). */
  readonly origins: (agent: EngineAgent, connection: Connection) => ColumnOrigins | undefined;
}

export class StatementPipeline {
  private readonly now: () => Date;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.clock ?? (() => new Date());
  }

  async submit(request: StatementRequest): Promise<Outcome> {
    const { agent, connection, sessionId, sql, params } = request;
    await this.refuseTooLarge(sessionId, sql);
    const { prepared } = request;
    const reuse = prepared !== undefined && this.stillHolds(prepared, sql, connection);
    const analysis = reuse ? prepared.analysis : analyze(sql, dialectOf(connection));
    if (params.length > 0 && analysis.statements.length > 1) {
      throw new EngineError("bad_params", "Parameters can only be sent with a single statement");
    }
    if (!reuse) await this.refuseSyntaxErrors(sessionId, connection, sql, params, analysis);
    const decision = reuse ? prepared.decision : await this.decide(analysis, agent, connection);
    const statementEvent = await this.recordDecided(sessionId, connection, sql, params, analysis, decision);
    const decided = decidedFields(sessionId, agent, connection, analysis, decision);
    // One log line a statement: a statement that runs at once is logged when it completes or fails.
    if (decision.action === "block" || decision.action === "require_approval") this.deps.log.info("statement.decided", decided);

    if (decision.action === "block") {
      return { kind: "blocked", sessionId, eventId: statementEvent.eventId, decision };
    }
    if (decision.action === "require_approval") {
      const reason = cleanReason(request.reason) ?? reasonInComment(sql);
      if (decision.approval.requireReason && reason === undefined) {
        await this.record(sessionId, "error", { code: "reason_required" });
        this.deps.metrics.error("reason_required");
        throw new EngineError("reason_required", "This statement needs a person's approval, and its rule asks you to say why; it was not run or sent for approval");
      }
      if (request.continueApproval) {
        // The same statement sent again (a door that cannot name an approval): its live request, if any, continues.
        const live = await this.approvalsAvailable(sessionId, () => this.approvalFor(agent, connection, sql, params));
        if (live) return this.resume(agent, live, request.waitMs, request.signal, request.executor, request.authorize, request.onApproved);
      }
      const binding = approvalBinding({ sql, params, connectionId: connection.id, agentId: agent.agentId });
      const preview = await this.dryRun(agent, sessionId, connection, analysis, params);
      const created = await this.approvalsAvailable(sessionId, () => createApprovalRequest(this.deps.store, {
        agentId: agent.agentId,
        connectionId: connection.id,
        sessionId,
        sql,
        params,
        decision: {
          ...decisionSummary(decision, analysis),
          // The parameters are needed to run the statement once approved, possibly by another replica.
          sealedParams: params.length > 0 ? Buffer.from(sealSecret(this.deps.masterKey, JSON.stringify(params), binding)).toString("base64") : null,
          // A read-only door (MCP `query`) asked for it: the statement keeps its READ ONLY transaction once approved.
          ...(request.readOnly ? { readOnly: true } : {}),
        },
        approverRoles: [...decision.approval.approverRoles],
        approverGroups: decision.approval.approverGroups ?? [],
        minApprovals: decision.approval.minApprovals,
        expiresAt: decision.approval.expiresAt,
        reason,
        preview,
        remindAfterSeconds: decision.approval.remindAfterSeconds,
      }));
      await this.record(sessionId, "approval_wait", {
        approvalId: created.id,
        expiresAt: created.expiresAt.toISOString(),
        ...(reason !== undefined ? { reason } : {}),
        ...(preview ? { preview } : {}),
      });
      this.deps.onApprovalRequested?.(created.id);
      request.onPending?.(this.ticket(created.id, "pending", created.expiresAt, { approval: { message: decision.approval.message } }));
      return this.resume(agent, created.id, request.waitMs, request.signal, request.executor, request.authorize, request.onApproved);
    }
    return this.execute(agent, sessionId, statementEvent.eventId, analysis, params, decision, connection, decided, request.signal, request.executor, request.readOnly);
  }

  /**
   * Approvals live in the store: the request names its session, so in journal mode the session's records are
   * shipped first; a store that cannot be reached is said plainly (the statement was recorded as refused).
   */
  private async approvalsAvailable<T>(sessionId: string, create: () => Promise<T>): Promise<T> {
    try {
      if (this.deps.recorder.mode === "journal") await this.deps.recorder.flush(APPROVAL_SHIP_MS);
      return await create();
    } catch {
      this.deps.metrics.error("approvals_unavailable");
      await this.record(sessionId, "error", { code: "approvals_unavailable" }).catch(() => undefined);
      throw new EngineError("approvals_unavailable", "This statement needs a person's approval, and approvals are unavailable while Airlock's store cannot be reached; it was not run");
    }
  }

  /**
   * The decision a statement would get now, with nothing recorded (the pgwire door's Parse: a blocked statement
   * fails there; it is recorded when executed, or right away by `recordBlocked`).
   */
  async preview(agent: EngineAgent, connection: Connection, sql: string): Promise<Prepared> {
    const policies = this.deps.policies.current();
    const analysis = analyze(sql, dialectOf(connection));
    return { sql, analysis, decision: await this.decide(analysis, agent, connection), policies, connectionVersion: connection.updatedAt.getTime() };
  }

  /**
   * A statement the database's grammar rejects is answered at once with the grammar's message (and recorded), never
   * sent to a person for approval. Where Airlock's analysis could not parse a statement, the target's own parser is
   * asked without running it (a prepare): what it accepts goes on to policy. Where it cannot tell (a statement kind
   * it cannot prepare), PostgreSQL's parser in Airlock decides; on MySQL, policy does.
   */
  private async refuseSyntaxErrors(sessionId: string, connection: Connection, sql: string, params: readonly unknown[], analysis: Analysis): Promise<void> {
    for (let index = 0; index < analysis.statements.length; index++) {
      const statement = analysis.statements[index]!;
      if (statement.kind !== "unknown" || statement.errorCode !== "parse_error") continue;
      // The target's parser has the last word: Airlock's PostgreSQL parser may be of another version than the server.
      const target = this.deps.targets.target(connection);
      const answer: SyntaxCheck = target.checkSyntax ? await target.checkSyntax(statement.text).catch(() => ({ ok: "unknown" }) as const) : { ok: "unknown" };
      let found: { message: string; position?: number; sqlState: string; mysqlErrno?: number } | undefined;
      if (answer.ok === false) found = statement.syntaxError ? { ...statement.syntaxError, sqlState: "42601" } : { message: answer.message, sqlState: answer.sqlState, mysqlErrno: answer.errno };
      else if (answer.ok === "unknown" && statement.syntaxError) found = { ...statement.syntaxError, sqlState: "42601" };
      if (found === undefined) continue;
      const message = redactDetected(found.message);
      await this.record(sessionId, "statement", statementSummary(analysis, params, connection.name), { sqlText: sql });
      await this.record(sessionId, "error", { code: "syntax_error", message, sqlState: found.sqlState, ...(found.position !== undefined ? { position: found.position } : {}) });
      this.deps.metrics.error("syntax_error");
      throw new EngineError("syntax_error", message, {
        sqlState: found.sqlState,
        ...(found.mysqlErrno !== undefined ? { mysqlErrno: found.mysqlErrno } : {}),
        ...(found.position !== undefined ? { position: found.position } : {}),
        ...(analysis.statements.length > 1 ? { statementIndex: index } : {}),
      });
    }
  }

  /** A prepared decision is reused only when it allowed the statement and nothing it was decided on has changed. */
  private stillHolds(prepared: Prepared, sql: string, connection: Connection): boolean {
    return (
      prepared.decision.action === "allow" &&
      prepared.sql === sql &&
      prepared.policies === this.deps.policies.current() &&
      prepared.connectionVersion === connection.updatedAt.getTime()
    );
  }

  private async refuseTooLarge(sessionId: string, sql: string): Promise<void> {
    const bytes = Buffer.byteLength(sql, "utf8");
    if (bytes <= this.deps.maxSqlBytes) return;
    await this.record(sessionId, "error", { code: "sql_too_large", bytes, limit: this.deps.maxSqlBytes }, { sqlText: `${sql.slice(0, 200)}…` });
    throw new EngineError("sql_too_large", `The statement is ${bytes} bytes; the limit is ${this.deps.maxSqlBytes}`);
  }

  /**
   * Records a statement a door refused before policy (the MCP `query` tool's text that is not read-only): the
   * statement and the refusal, so an auditor sees the attempt. Nothing reaches the target or an approver.
   */
  async recordRefused(sessionId: string, connection: Connection, sql: string, params: readonly unknown[], analysis: Analysis, refusal: { readonly code: string; readonly message: string }): Promise<void> {
    await this.refuseTooLarge(sessionId, sql);
    await this.recordMany(sessionId, [
      { type: "statement", payload: statementSummary(analysis, params, connection.name), options: { sqlText: sql } },
      { type: "error", payload: { code: refusal.code, message: redactDetected(refusal.message) } },
    ]);
    this.deps.metrics.error(refusal.code);
  }

  /** Records a statement refused before execution by a preview (pgwire Parse), as submit would have. */
  async recordBlocked(sessionId: string, connection: Connection, sql: string, analysis: Analysis, decision: Decision): Promise<string> {
    return (await this.recordDecided(sessionId, connection, sql, [], analysis, decision)).eventId;
  }

  /** The statement and its decision, written ahead in one group commit (and counted). */
  private async recordDecided(sessionId: string, connection: Connection, sql: string, params: readonly unknown[], analysis: Analysis, decision: Decision) {
    const [statementEvent] = await this.recordMany(sessionId, [
      { type: "statement", payload: statementSummary(analysis, params, connection.name), options: { sqlText: sql } },
      { type: "decision", payload: decisionSummary(decision, analysis), options: { decision: decision.action } },
    ]);
    this.deps.metrics.statement(decision.action);
    return statementEvent;
  }

  /**
   * Waits up to `waitMs` for the approval's decision; once approved, runs the statement exactly once. `authorize`
   * checks that the agent may still reach the approval's connection (a door's own await call).
   */
  async resume(
    agent: EngineAgent,
    approvalId: string,
    waitMs: number,
    signal?: AbortSignal,
    executor?: SessionExecutor,
    authorize?: (connection: Connection) => Promise<void>,
    onApproved?: (ticket: ApprovalTicket) => void,
  ): Promise<Outcome> {
    const { store } = this.deps;
    const request = await this.findApproval(agent, approvalId);
    const connection = await store.connection.findUniqueOrThrow({ where: { id: request.connectionId } });
    // Before anything is waited for or consumed: an agent that lost its grant gets nothing of the request.
    await authorize?.(connection);
    const started = Date.now();
    let status = request.status;
    if (status === "pending" && waitMs > 0) {
      status = await this.deps.waiter.wait(approvalId, { timeoutMs: waitMs, signal });
      // A person may have taken the grant away while the statement waited: checked again before it is consumed.
      await authorize?.(connection);
    }
    if (status === "pending" && request.expiresAt <= this.now()) status = "expired";
    const sessionId = request.sessionId ?? "";
    const ticket = this.ticket(request.id, status, request.expiresAt, request.decision);

    if (status === "pending") return { kind: "pending", sessionId, approval: ticket };
    if (status === "consumed") throw new EngineError("approval_used", "This approval was already used; an approval runs its statement once");

    const params = this.unsealParams(request);
    const consumed =
      status === "approved"
        ? await consumeApproval(store, { requestId: approvalId, binding: approvalBinding({ sql: request.sqlText, params, connectionId: request.connectionId, agentId: agent.agentId }), now: this.now() })
        : null;
    this.deps.metrics.approvalWait(Date.now() - started);

    if (consumed && !consumed.ok && consumed.code === "already_used") {
      throw new EngineError("approval_used", "This approval was already used; an approval runs its statement once");
    }
    if (consumed && !consumed.ok && consumed.code === "binding_mismatch") {
      throw new EngineError("approval_mismatch", "This approval is for another statement, connection or agent");
    }
    if (status !== "approved" || !consumed?.ok) {
      const final = status === "approved" && consumed && !consumed.ok && consumed.code === "expired" ? "expired" : status;
      const reason = final === "rejected" ? await this.rejectionReason(approvalId) : undefined;
      await this.record(sessionId, "approval_outcome", { approvalId, status: final, ...(reason ? { reason } : {}) }, { decision: final });
      const outcomeTicket = { ...ticket, status: final as ApprovalTicket["status"] };
      if (final === "rejected") return { kind: "rejected", sessionId, approval: outcomeTicket, reason: reason ?? "" };
      return { kind: "expired", sessionId, approval: outcomeTicket };
    }

    const comments = await this.approvalComments(approvalId);
    await this.record(sessionId, "approval_outcome", { approvalId, status: "approved", ...(comments.length > 0 ? { comments } : {}) }, { decision: "approved" });
    // Policy may have changed while the statement waited: it is decided again, and a block now wins.
    const analysis = analyze(request.sqlText, dialectOf(connection));
    const decision = await this.decide(analysis, agent, connection);
    const event = await this.record(sessionId, "decision", { ...decisionSummary(decision, analysis), afterApproval: approvalId }, { decision: decision.action });
    const approved: ApprovalTicket = { ...ticket, status: "consumed", ...(comments.length > 0 ? { comments } : {}) };
    const decided = { ...decidedFields(sessionId, agent, connection, analysis, decision), approvalId };
    if (decision.action === "block") {
      this.deps.log.info("statement.decided", decided);
      return { kind: "blocked", sessionId, eventId: event.eventId, decision };
    }
    onApproved?.(approved);
    const outcome = await this.execute(agent, sessionId, event.eventId, analysis, params, decision, connection, decided, signal, executor, askedReadOnly(request.decision));
    return outcome.kind === "result" ? { ...outcome, approval: approved } : outcome;
  }

  /**
   * The write's dry run for the people who decide it (approvals/preview): on the target, always rolled back, its
   * sample masked for this agent. Never fails the statement: a preview that cannot be made says why.
   */
  private async dryRun(agent: EngineAgent, sessionId: string, connection: Connection, analysis: Analysis, params: readonly unknown[]): Promise<WritePreview | undefined> {
    const engine = connection.engine;
    if (!connection.previewWrites) return { status: "off", engine, flags: [], durationMs: 0 };
    const target = this.deps.targets.target(connection);
    if (!target.previewWrite) return undefined;
    if (analysis.statements.length !== 1) {
      return { status: "explained", engine, flags: [{ code: "several_statements", detail: `${analysis.statements.length} statements: only a single statement is previewed` }], durationMs: 0 };
    }
    const started = performance.now();
    try {
      const preview = await target.previewWrite({
        statement: analysis.statements[0]!,
        params,
        sampleRows: PREVIEW_SAMPLE_ROWS,
        statementTimeoutMs: Math.min(connection.statementTimeoutMs, PREVIEW_TIMEOUT_MS),
        lockTimeoutMs: PREVIEW_LOCK_TIMEOUT_MS,
        mask: previewMasker(this.deps.policies.current(), agent, connection, this.deps.masking, this.now()),
        identity: { agent: agent.agentName, groups: agent.groups, session: sessionId },
      });
      // Tenths of a millisecond are plenty for a person (and a long float's digits can look like a card number).
      return { ...preview, durationMs: Math.round(preview.durationMs * 10) / 10 };
    } catch (error) {
      this.deps.log.warn("approval.preview_failed", { connection: connection.name, error: error instanceof Error ? error.name : "error" });
      return { status: "failed", engine, flags: [], error: { message: "The dry run could not be made" }, durationMs: Math.round((performance.now() - started) * 10) / 10 };
    }
  }

  /** The approvers' comments, in the order they voted (returned to the agent with its result). */
  private async approvalComments(approvalId: string): Promise<{ by: string; comment: string }[]> {
    const votes = await this.deps.store.approvalDecision.findMany({
      where: { requestId: approvalId, verdict: "approve", reason: { not: "" } },
      orderBy: { createdAt: "asc" },
      select: { reason: true, user: { select: { name: true, email: true } } },
    });
    return votes.map((vote) => ({ by: vote.user.name || vote.user.email, comment: vote.reason }));
  }

  private async execute(
    agent: EngineAgent,
    sessionId: string,
    eventId: string,
    analysis: Analysis,
    params: readonly unknown[],
    decision: Exclude<Decision, { action: "block" }>,
    connection: Connection,
    decided: Readonly<Record<string, unknown>>,
    signal?: AbortSignal,
    executor?: SessionExecutor,
    readOnly = false,
  ): Promise<Outcome> {
    const started = performance.now();
    try {
      const hideErrorText = await this.hidesErrors(connection, analysis, decision);
      const results = executor
        ? await executor.run({ analysis, params, decision, plans: decision.maskingByStatement, hideErrorText, connection, signal })
        : await this.run(agent, sessionId, connection, analysis, params, decision, hideErrorText, signal, readOnly);
      const durationMs = performance.now() - started;
      this.deps.metrics.targetLatency(durationMs);
      // The statement and its decision were durable before the target saw it; the result summary rides with the
      // next group commit (or goes alone within 25 ms) without holding the answer back: a crash can lose only it.
      void this.record(sessionId, "result", resultSummary(results), { lazy: true }).catch(() => undefined);
      this.deps.log.info("statement.completed", { ...decided, rows: results.map((result) => result.rowCount), durationMs: Math.round(durationMs * 100) / 100 });
      return { kind: "result", sessionId, eventId, results, hints: decision.hints };
    } catch (error) {
      const failure = error instanceof EngineError ? error : new EngineError("target_error", "The statement failed");
      this.deps.metrics.error(failure.code);
      this.deps.log.info("statement.failed", { ...decided, code: failure.code, ...(failure.detail.sqlState ? { sqlState: failure.detail.sqlState } : {}) });
      await this.record(sessionId, "error", { code: failure.code, message: failure.message, ...failure.detail }).catch(() => undefined);
      throw failure;
    }
  }

  /** Through the connection's pooled target, masked by the resolver (plan, origins when the target has them, detectors). */
  private run(agent: EngineAgent, sessionId: string, connection: Connection, analysis: Analysis, params: readonly unknown[], decision: Exclude<Decision, { action: "block" }>, hideErrorText: boolean, signal?: AbortSignal, readOnly = false) {
    const origins = this.deps.origins(agent, connection);
    return runStatements(this.deps.targets.target(connection), analysis, params, decision.maskingByStatement, {
      identity: { agent: agent.agentName, groups: agent.groups, session: sessionId },
      columnMasks: (plan, columns, index) => resolveColumnMasks(origins, plan, columns, analysis.statements[index]),
      rowLimit: rowLimitOf(connection, decision),
      timeoutMs: connection.statementTimeoutMs,
      readOnly: connection.readOnly || readOnly,
      signal,
      masking: this.deps.masking,
      hideErrorText,
    });
  }

  /** See error-text.ts `hidesErrorsOf`; the target's base tables come from its cached catalog (fail closed without). */
  private async hidesErrors(connection: Connection, analysis: Analysis, decision: Exclude<Decision, { action: "block" }>): Promise<boolean> {
    const tablesRead = analysis.statements.flatMap((statement) => statement.tablesRead);
    if (tablesRead.length === 0 || decision.maskingByStatement.some((plan) => plan.readsMaskedTable)) return hidesErrorsOf(decision.maskingByStatement, tablesRead, undefined);
    const target = this.deps.targets.target(connection);
    const base = target.baseTables ? await target.baseTables().catch(() => undefined) : undefined;
    return hidesErrorsOf(decision.maskingByStatement, tablesRead, base);
  }

  private async decide(analysis: Analysis, agent: EngineAgent, connection: Connection): Promise<Decision> {
    // The agent's identity on the target (airlock.agent, @airlock_*) is Airlock's to set, whatever the policies say.
    const tampering = identityTampering(analysis);
    if (tampering) return tampering;
    const context = evaluationContext(agent, connection, this.now());
    const compiled = this.deps.policies.current();
    const decision = evaluate(compiled, analysis, context);
    if (!decision.reasons.some((reason) => reason.code === "masked_whole_row")) return decision;
    // `*` over a table with masked columns: resolve it against the target's real columns, then decide again.
    let catalog: Catalog | undefined;
    try {
      catalog = await this.deps.targets.target(connection).catalog();
    } catch {
      return decision;
    }
    return evaluate(compiled, analysis, { ...context, catalog });
  }

  private async record(sessionId: string, type: Parameters<Recorder["record"]>[1], payload: Readonly<Record<string, unknown>>, extra: { decision?: string; sqlText?: string; lazy?: boolean } = {}) {
    try {
      return await this.deps.recorder.record(sessionId, type, payload, extra);
    } catch (error) {
      this.deps.log.error("recording.failed", { sessionId, type, error: error instanceof Error ? error.message : String(error) });
      this.deps.metrics.error("recording_unavailable");
      throw new EngineError("recording_unavailable", "Airlock cannot record this statement right now, so it was not run");
    }
  }

  private async recordMany(sessionId: string, events: Parameters<Recorder["recordMany"]>[1]) {
    try {
      return await this.deps.recorder.recordMany(sessionId, events);
    } catch (error) {
      this.deps.log.error("recording.failed", { sessionId, type: events.map((event) => event.type).join("+"), error: error instanceof Error ? error.message : String(error) });
      this.deps.metrics.error("recording_unavailable");
      throw new EngineError("recording_unavailable", "Airlock cannot record this statement right now, so it was not run");
    }
  }

  /**
   * The live approval request (pending, or approved and not yet used) for exactly this statement, parameters,
   * connection and agent, if any: a door that cannot name an approval (MySQL) resumes it when the statement is
   * sent again, instead of asking for a second one.
   */
  private async approvalFor(agent: EngineAgent, connection: Connection, sql: string, params: readonly unknown[]): Promise<string | undefined> {
    const bindingHash = approvalBinding({ sql, params, connectionId: connection.id, agentId: agent.agentId });
    const found = await this.deps.store.approvalRequest.findFirst({
      where: { bindingHash, agentId: agent.agentId, connectionId: connection.id, status: { in: ["pending", "approved"] }, expiresAt: { gt: this.now() } },
      orderBy: { requestedAt: "desc" },
      select: { id: true },
    });
    return found?.id;
  }

  private async findApproval(agent: EngineAgent, approvalId: string) {
    const request = /^[0-9a-f-]{36}$/i.test(approvalId)
      ? await this.deps.store.approvalRequest.findUnique({ where: { id: approvalId } })
      : null;
    // Another agent's approval is reported exactly like a missing one.
    if (!request || request.agentId !== agent.agentId) throw new EngineError("approval_not_found", "No such approval request for this agent");
    return request;
  }

  private unsealParams(request: { bindingHash: string; decision: unknown }): unknown[] {
    const sealed = (request.decision as { sealedParams?: string | null } | null)?.sealedParams;
    if (!sealed) return [];
    return JSON.parse(openSecret(this.deps.masterKey, Buffer.from(sealed, "base64"), request.bindingHash)) as unknown[];
  }

  private async rejectionReason(approvalId: string): Promise<string> {
    const rejection = await this.deps.store.approvalDecision.findFirst({
      where: { requestId: approvalId, verdict: "reject" },
      orderBy: { createdAt: "desc" },
      select: { reason: true },
    });
    return rejection?.reason ?? "";
  }

  private ticket(id: string, status: string, expiresAt: Date, decision: unknown): ApprovalTicket {
    const message = (decision as { approval?: { message?: string } } | null)?.approval?.message;
    return { id, status: status as ApprovalTicket["status"], expiresAt, url: `${this.deps.publicUrl}/approvals/${id}`, ...(message ? { message } : {}) };
  }
}

/** What a statement's log line says of its decision (never its text or parameters). */
function decidedFields(sessionId: string, agent: EngineAgent, connection: Connection, analysis: Analysis, decision: Decision) {
  return {
    sessionId,
    agent: agent.agentName,
    connection: connection.name,
    action: decision.action,
    kinds: analysis.statements.map((statement) => statement.kind),
    rules: decision.matched.map((rule) => rule.ruleId),
  };
}

/** Whether the door that asked for this approval wanted the statement run read-only (see `readOnly` above). */
function askedReadOnly(decision: unknown): boolean {
  return typeof decision === "object" && decision !== null && (decision as { readOnly?: unknown }).readOnly === true;
}
