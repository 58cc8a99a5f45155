import type net from "node:net";
import type { Logger } from "../../lib/log";
import { EngineError } from "../engine/errors";
import { refusalOf, refusalOfOutcome, type Refusal } from "../engine/refusal";
import type { EngineSession } from "../engine/session";
import type { DecidedStatement, Outcome, Prepared, SessionExecutor, StatementResult } from "../engine/types";
import { Capability, ColumnType, ServerStatus, UTF8MB4 } from "../protocols/mysql/constants";
import { framePackets, type PacketFramer, type Packet } from "../protocols/mysql/packets";
import { parseCommand, parseExecuteParams, type CommandMessage } from "../protocols/mysql/parser";
import { columnDefinition, endOfRows, err, ok, prepareOk } from "../protocols/mysql/serializer";
import { resultPackets } from "./results";

// One authenticated MySQL client: its commands, one at a time, through its engine session. Statements are decided
// by the engine and run on the client's own target session (transactions, USE, variables pass through); results
// come back masked. The door words nothing itself: refusals are the engine's (refusal.ts), rendered as ERR packets.
//
// Approvals: MySQL has no notices, so a statement that needs approval waits up to `approvalWaitMs` and then fails
// with an error naming the approval and its link; the same statement sent again (on any connection of the agent)
// continues that request: it waits again while pending, and runs once when approved.

export interface MysqlClientOptions {
  readonly socket: net.Socket;
  readonly framer: PacketFramer;
  readonly session: EngineSession;
  readonly capabilities: number;
  readonly connectionId: number;
  readonly log: Logger;
  readonly approvalWaitMs: number;
  /** KILL [QUERY] <id>: another client of this door, when it is the same agent's. */
  readonly findClient: (connectionId: number) => MysqlClient | undefined;
  /** An engine session of the same agent on another Airlock connection (USE / COM_INIT_DB); rejects with an EngineError. */
  readonly reopen: (connectionName: string) => Promise<EngineSession>;
  /** The client's engine session changed (USE of another connection), or the client is gone. */
  readonly onSession: (session: EngineSession) => void;
  readonly onClose: () => void;
}

interface PreparedStatement {
  readonly sql: string;
  readonly params: number;
  readonly prepared: Prepared;
  types?: number[];
  readonly longData: Map<number, Buffer>;
}

const KILL = /^\s*KILL\s+(QUERY\s+|CONNECTION\s+)?(\d+)\s*;?\s*$/i;
const USE = /^\s*USE\s+(?:`((?:[^`]|``)+)`|([^\s;`]+))\s*;?\s*$/i;

export class MysqlClient {
  readonly #options: MysqlClientOptions;
  #session: EngineSession;
  #capabilities: number;
  #seq = 0;
  #status: number = ServerStatus.Autocommit;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  #running: AbortController | undefined;
  readonly #statements = new Map<number, PreparedStatement>();
  #nextStatementId = 1;

  constructor(options: MysqlClientOptions, pending: readonly Packet[]) {
    this.#options = options;
    this.#session = options.session;
    this.#capabilities = options.capabilities;
    const { socket, framer } = options;
    socket.on("data", (chunk: Buffer) => {
      for (const framed of framer.push(chunk)) {
        if (framed.kind === "too_large") {
          this.#seq = 1;
          this.#fail(1153, "08S01", `Got a packet bigger than the door's limit (${framer.maxBytes} bytes)`);
          return;
        }
        this.#enqueue(framed.packet);
      }
    });
    socket.once("close", () => this.close());
    for (const packet of pending) this.#enqueue(packet);
  }

  get agentId(): string {
    return this.#session.agent.agentId;
  }

  /**
   * KILL QUERY from another connection: the statement running here is interrupted on its target (KILL QUERY on its
   * thread), which answers it with its own error; the session goes on. A client that goes away aborts instead.
   */
  cancel(): void {
    void this.#session.mysql?.cancel();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#running?.abort();
    this.#options.socket.destroy();
    this.#options.onClose();
  }

  #enqueue(packet: Packet): void {
    this.#chain = this.#chain.then(() => (this.#closed ? undefined : this.#handle(packet))).catch((error: unknown) => {
      this.#options.log.warn("mysqlwire.command_failed", { error: error instanceof Error ? error.message : String(error) });
      this.#seq = 1;
      this.#fail(1105, "HY000", "Airlock could not run this command");
    });
  }

  async #handle(packet: Packet): Promise<void> {
    if (packet.seq !== 0) {
      this.#seq = (packet.lastSeq + 1) & 0xff;
      return this.#fail(1156, "08S01", "Got packets out of order");
    }
    this.#seq = (packet.lastSeq + 1) & 0xff;
    const command = parseCommand(packet.payload);
    if (command.name === "malformed") return this.#fail(1047, "08S01", `Malformed packet: ${command.reason}`);
    await this.#command(command);
  }

  async #command(command: CommandMessage): Promise<void> {
    switch (command.name) {
      case "quit":
        return this.close();
      case "ping":
        return this.#send([ok({ status: this.#status })]);
      case "query":
        return this.#query(command.sql);
      case "init_db":
        return this.#initDb(command.schema);
      case "field_list":
        // Column lists for completion: none (a client reads columns with SELECT, through policy).
        return this.#send([endOfRows(this.#capabilities & ~Capability.DeprecateEof, this.#status)]);
      case "statistics":
        return this.#send([Buffer.from("Airlock MySQL door: statements are decided, masked and recorded", "utf8")]);
      case "set_option":
        if (command.option === 0) this.#capabilities |= Capability.MultiStatements;
        else this.#capabilities &= ~Capability.MultiStatements;
        return this.#send([endOfRows(this.#capabilities & ~Capability.DeprecateEof, this.#status)]);
      case "reset_connection":
        await this.#session.mysql?.reset(this.#session.connection.statementTimeoutMs).catch(() => undefined);
        this.#statements.clear();
        this.#status = ServerStatus.Autocommit;
        return this.#send([ok({ status: this.#status })]);
      case "process_kill":
        return this.#kill(command.id);
      case "stmt_prepare":
        return this.#prepare(command.sql);
      case "stmt_execute":
        return this.#execute(command.statementId, command.body);
      case "stmt_send_long_data": {
        const statement = this.#statements.get(command.statementId);
        if (statement) statement.longData.set(command.param, Buffer.concat([statement.longData.get(command.param) ?? Buffer.alloc(0), command.data]));
        return; // no answer, by the protocol
      }
      case "stmt_close":
        this.#statements.delete(command.statementId);
        return;
      case "stmt_reset": {
        const statement = this.#statements.get(command.statementId);
        if (!statement) return this.#sendErr(1243, "HY000", "Unknown prepared statement handler given to mysqld_stmt_reset");
        statement.longData.clear();
        return this.#send([ok({ status: this.#status })]);
      }
      case "unknown":
        return this.#sendErr(1047, "08S01", `Unknown command ${command.code} (not supported by Airlock's MySQL door)`);
    }
  }

  async #query(sql: string): Promise<void> {
    const kill = KILL.exec(sql);
    if (kill) return this.#kill(Number(kill[2]));
    const use = USE.exec(sql);
    if (use) return this.#initDb(use[1] !== undefined ? use[1].replace(/``/g, "`") : use[2]!);
    await this.#run(sql, [], false);
  }

  async #run(sql: string, params: readonly unknown[], binary: boolean, prepared?: Prepared): Promise<void> {
    const executor: SessionExecutor = {
      run: async (statement: DecidedStatement): Promise<readonly StatementResult[]> => {
        if (statement.analysis.statements.length > 1 && !(this.#capabilities & Capability.MultiStatements)) {
          throw new EngineError("syntax_error", "Several statements in one text need the client's multi-statements option", { mysqlErrno: 1064, sqlState: "42000" });
        }
        const results = await this.#session.runOnMysql(statement);
        const { payloads, status } = resultPackets(results, this.#session.mysql?.last ?? [], this.#capabilities, binary, this.#status);
        this.#status = status;
        this.#send(payloads);
        return results;
      },
    };
    const controller = new AbortController();
    this.#running = controller;
    let outcome: Outcome;
    try {
      // A statement sent again while its approval is pending or granted (on this connection or another) continues
      // that request: the engine finds it by its binding, only when the statement needs approval.
      outcome = await this.#session.submit(sql, params, { waitMs: this.#options.approvalWaitMs, signal: controller.signal, executor, continueApproval: true, ...(prepared ? { prepared } : {}) });
    } catch (error) {
      if (this.#session.mysql?.closed) return this.#fail(2013, "HY000", "Lost the target connection: the client's session ended");
      return this.#sendRefusal(refusalOf(error));
    } finally {
      this.#running = undefined;
    }
    if (outcome.kind === "result") {
      const cut = outcome.results.find((result) => result.truncated);
      if (cut) {
        // The server was still sending: this session's target connection is gone, and so is the client's.
        return this.#fail(1104, "42000", `The result has more rows than this connection's limit: it ended after ${cut.rows.length} rows. Add a LIMIT or a narrower WHERE.`);
      }
      return;
    }
    const refusal = refusalOfOutcome(outcome);
    if (outcome.kind === "pending") {
      return this.#sendRefusal({
        ...refusal,
        message: `This statement waits for a person's approval: request ${outcome.approval.id} at ${outcome.approval.url}. Once it is approved, send the same statement again: it runs once.`,
      });
    }
    return this.#sendRefusal(refusal);
  }

  async #prepare(sql: string): Promise<void> {
    let prepared: Prepared;
    try {
      prepared = await this.#session.decide(sql);
    } catch (error) {
      return this.#sendRefusal(refusalOf(error));
    }
    if (prepared.decision.action === "block") {
      await this.#session.refused(sql, prepared.analysis, prepared.decision).catch(() => undefined);
      return this.#sendRefusal(refusalOfOutcome({ kind: "blocked", sessionId: this.#session.id, eventId: "", decision: prepared.decision }));
    }
    if (prepared.analysis.statements.length > 1) return this.#sendErr(1064, "42000", "A prepared statement holds one statement");
    let shape: { params: number; columns: number };
    try {
      shape = await this.#session.mysql!.prepare(sql);
    } catch (error) {
      return this.#sendRefusal(refusalOf(new EngineError("target_error", error instanceof Error ? error.message : "The statement could not be prepared")));
    }
    const id = this.#nextStatementId++;
    this.#statements.set(id, { sql, params: shape.params, prepared, longData: new Map() });
    const payloads: Buffer[] = [prepareOk(id, shape.columns, shape.params)];
    const placeholder = (name: string) =>
      columnDefinition({ schema: "", table: "", orgTable: "", name, orgName: "", charset: UTF8MB4, length: 0, type: ColumnType.VarString, flags: 0, decimals: 0 });
    const eofWanted = !(this.#capabilities & Capability.DeprecateEof);
    if (shape.params > 0) {
      for (let i = 0; i < shape.params; i++) payloads.push(placeholder("?"));
      if (eofWanted) payloads.push(endOfRows(this.#capabilities, this.#status));
    }
    if (shape.columns > 0) {
      // The result's real definitions (masks included) come with each execution; these only count the columns.
      for (let i = 0; i < shape.columns; i++) payloads.push(placeholder(`column${i + 1}`));
      if (eofWanted) payloads.push(endOfRows(this.#capabilities, this.#status));
    }
    this.#send(payloads);
  }

  async #execute(statementId: number, body: Buffer): Promise<void> {
    const statement = this.#statements.get(statementId);
    if (!statement) return this.#sendErr(1243, "HY000", `Unknown prepared statement handler (${statementId}) given to mysqld_stmt_execute`);
    const parsed = parseExecuteParams(body, statement.params, statement.types, statement.longData);
    if ("name" in parsed) return this.#fail(1047, "08S01", `Malformed packet: ${parsed.reason}`);
    statement.types = parsed.types;
    statement.longData.clear();
    await this.#run(statement.sql, parsed.params, true, statement.prepared);
  }

  /**
   * USE / COM_INIT_DB: the session's own connection (or its database) is fine; another Airlock connection that this
   * agent holds a grant to, on the same server, becomes the session (a new engine session: its own policies, its own
   * recording, a target connection on that database), outside a transaction. Anything else is refused.
   */
  async #initDb(schema: string): Promise<void> {
    const { connection } = this.#session;
    if (schema === connection.name || schema === connection.database) return this.#send([ok({ status: this.#status })]);
    const shown = schema.replace(/[^\w.$-]/g, "?").slice(0, 64);
    if (this.#status & ServerStatus.InTransaction) return this.#sendErr(1179, "25000", `Finish the transaction before USE ${shown}: the next Airlock connection is a new session`);
    let next: EngineSession;
    try {
      next = await this.#options.reopen(schema);
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal.code === "unknown_connection") return this.#sendErr(1049, "42000", `Unknown database '${shown}': no Airlock connection has that name`);
      return this.#sendErr(1044, "42000", `Access denied to database '${shown}': ${refusal.message}`);
    }
    if (next.connection.host !== connection.host || next.connection.port !== connection.port) {
      await next.close("use_refused");
      return this.#sendErr(1044, "42000", `Access denied to database '${shown}': that Airlock connection is on another server; connect to it directly`);
    }
    const previous = this.#session;
    this.#session = next;
    this.#statements.clear();
    this.#options.onSession(next);
    await previous.close("use");
    this.#send([ok({ status: this.#status })]);
  }

  #kill(id: number): void {
    const other = this.#options.findClient(id);
    if (!other || other.agentId !== this.agentId) return this.#sendErr(1094, "HY000", `Unknown thread id: ${id}`);
    other.cancel();
    this.#send([ok({ status: this.#status })]);
  }

  #sendRefusal(refusal: Refusal): void {
    const parts = [refusal.title === refusal.message ? refusal.message : `${refusal.title}: ${refusal.message}`];
    if (refusal.detail) parts.push(refusal.detail);
    if (refusal.hints.length > 0) parts.push(`Hint: ${refusal.hints.join(" ")}`);
    // MySQL reports access-denied errors with SQLSTATE 42000.
    const sqlState = refusal.mysqlErrno === 1227 || refusal.mysqlErrno === 1044 ? "42000" : refusal.sqlState;
    this.#sendErr(refusal.mysqlErrno, sqlState, parts.join(" — "));
  }

  #sendErr(errno: number, sqlState: string, message: string): void {
    this.#send([err({ errno, sqlState, message })]);
  }

  /** An error, then the connection is closed. */
  #fail(errno: number, sqlState: string, message: string): void {
    if (!this.#options.socket.destroyed) this.#send([err({ errno, sqlState, message })]);
    this.#options.socket.end();
    setTimeout(() => this.close(), 1_000).unref();
  }

  #send(payloads: readonly Buffer[]): void {
    if (this.#options.socket.destroyed) return;
    const frames: Buffer[] = [];
    for (const payload of payloads) {
      const framed = framePackets(payload, this.#seq);
      this.#seq = framed.next;
      frames.push(...framed.frames);
    }
    this.#options.socket.write(Buffer.concat(frames));
  }
}
