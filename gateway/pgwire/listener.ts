import { randomBytes, randomInt } from "node:crypto";
import type net from "node:net";
import type tls from "node:tls";
import { secureContextOf, TcpListener } from "../wire/tcp-listener";
import type { Logger } from "../../lib/log";
import type { Gateway } from "../gateway";
import type { EngineSession } from "../engine/session";
import { refusalOf } from "../engine/refusal";
import { authenticateClient } from "./auth";
import { WireConnection } from "./connection";
import { SQLSTATE } from "./errors";
import type { StartupMessage } from "../protocols/postgres/messages";
import { AUTH_OK, backendKeyData, errorResponse, parameterStatus, readyForQuery } from "../protocols/postgres/serializer";
import { openConnection, type FrameReader } from "./startup";

// The PostgreSQL front door: psql, drivers and pgbench connect here as to a PostgreSQL server. `database` names
// the Airlock connection, the password is the agent token (in clear over TLS, SCRAM-SHA-256 without: see auth.ts),
// and every statement goes through the same engine as the HTTP door on a target connection pinned to the client.

export interface PgWireOptions {
  readonly gateway: Gateway;
  readonly log: Logger;
  /** PEM key and certificate for TLS; without them SSLRequest is refused (and only SCRAM is possible). */
  readonly tls?: { readonly key: Buffer | string; readonly cert: Buffer | string };
  /**
   * Keys SCRAM's mock salts (answers for user names that are no usable token). Pass the same value to every
   * gateway process (main.ts derives it from the master key); a random one is used when absent.
   */
  readonly scramMockSecret?: Buffer;
  readonly maxSqlBytes: number;
  /** Start-up and authentication must finish within this (default 30 s). */
  readonly handshakeTimeoutMs?: number;
}

const SERVER_VERSION_FALLBACK = "16.0";

export class PgWireServer {
  readonly #listener: TcpListener;
  readonly #options: PgWireOptions;
  readonly #secureContext: tls.SecureContext | null;
  /** BackendKeyData Airlock handed out → the client it names (CancelRequest). */
  readonly #clients = new Map<string, WireConnection>();
  readonly #mockSecret: Buffer;

  constructor(options: PgWireOptions) {
    this.#options = options;
    this.#mockSecret = options.scramMockSecret ?? randomBytes(32);
    this.#secureContext = secureContextOf(options.tls);
    this.#listener = new TcpListener((socket) => void this.#accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return this.#listener.listen(port, host);
  }

  close(): Promise<void> {
    return this.#listener.close(() => {
      for (const client of this.#clients.values()) client.close("shutdown");
    });
  }

  async #accept(raw: net.Socket): Promise<void> {
    const { log } = this.#options;
    let opening;
    try {
      opening = await openConnection(raw, this.#secureContext, this.#options.handshakeTimeoutMs ?? 30_000);
    } catch {
      raw.destroy();
      return;
    }
    if (opening.kind === "cancel") {
      raw.destroy();
      this.#clients.get(`${opening.processId}:${opening.secretKey}`)?.cancel();
      return;
    }
    if (opening.kind === "refused") return fatal(opening.socket, SQLSTATE.protocolViolation, opening.reason);
    const { socket, secure, message, reader } = opening;
    socket.on("error", () => undefined);
    try {
      await this.#startSession(socket, secure, message, reader);
    } catch (error) {
      log.warn("pgwire.startup_failed", { error: error instanceof Error ? error.message : String(error) });
      fatal(socket, SQLSTATE.internal, "Airlock could not start this session");
    }
  }

  async #startSession(socket: net.Socket, secure: boolean, startup: StartupMessage, reader: FrameReader): Promise<void> {
    const { gateway, log } = this.#options;
    const user = startup.parameters.get("user");
    if (!user) return fatal(socket, SQLSTATE.invalidAuthorization, "no PostgreSQL user name specified in startup packet");
    if (startup.parameters.has("replication")) return fatal(socket, SQLSTATE.featureNotSupported, "replication connections are not supported through Airlock");
    const database = startup.parameters.get("database") || user;

    const auth = await authenticateClient(reader, secure, user, {
      authenticator: gateway.authenticator,
      log,
      mockSecret: this.#mockSecret,
      timeoutMs: this.#options.handshakeTimeoutMs ?? 30_000,
    });
    if (!auth.ok) {
      if (auth.code !== null) fatal(socket, auth.code, auth.message, auth.hint);
      return;
    }
    const agent = auth.agent;

    let session: EngineSession;
    try {
      session = await gateway.engine.open({
        agent,
        connection: database,
        door: "pgwire",
        client: { addr: socket.remoteAddress ?? null, details: { applicationName: startup.parameters.get("application_name") ?? null, tls: secure } },
        pinned: { engine: "postgres", parameters: startup.parameters },
      });
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal.code === "unknown_connection") return fatal(socket, refusal.sqlState, `database "${printable(database)}" does not exist: no Airlock connection has that name`);
      return fatal(socket, refusal.sqlState, refusal.message, refusal.hints[0]);
    }
    const target = session.pinned!;
    const { connection, id: sessionId } = session;

    const processId = randomInt(1, 2 ** 31 - 1);
    const secretKey = randomInt(1, 2 ** 31 - 1) | 0;
    const key = `${processId}:${secretKey}`;
    reader.release();
    reader.splitter.maxBytes = this.#options.maxSqlBytes + 64 * 1024;
    const greeting: Buffer[] = [AUTH_OK];
    for (const [name, value] of target.parameters) greeting.push(parameterStatus(name, value));
    if (!target.parameters.has("server_version")) greeting.push(parameterStatus("server_version", SERVER_VERSION_FALLBACK));
    greeting.push(backendKeyData(processId, secretKey), readyForQuery("I"));
    socket.write(Buffer.concat(greeting));

    const client = new WireConnection({
      session,
      target,
      socket,
      splitter: reader.splitter,
      masking: gateway.maskingOptions,
      log,
      onClose: () => {
        this.#clients.delete(key);
        void session.close();
      },
    });
    this.#clients.set(key, client);
    log.info("pgwire.connected", { sessionId, agent: agent.agentName, connection: connection.name, tls: secure });
  }
}

function fatal(socket: net.Socket, code: string, message: string, hint?: string): void {
  if (socket.destroyed) return;
  socket.end(errorResponse({ severity: "FATAL", code, message, ...(hint ? { hint } : {}) }));
  setTimeout(() => socket.destroy(), 1_000).unref();
}

function printable(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
