import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type net from "node:net";
import type tls from "node:tls";
import { secureContextOf, TcpListener } from "../wire/tcp-listener";
import type { Logger } from "../../lib/log";
import type { Gateway } from "../gateway";
import { refusalOf } from "../engine/refusal";
import { framePackets } from "../protocols/mysql/packets";
import { err, ok } from "../protocols/mysql/serializer";
import { MysqlClient } from "./connection";
import { handshake, printable } from "./handshake";

// The MySQL front door: the mysql and mariadb clients, drivers (mysql2, the MariaDB connector) and sysbench connect
// here as to a MySQL server. The database names the Airlock connection (a MySQL or MariaDB target), the user the
// token's public prefix and the password the agent token (handshake.ts); every statement goes through the same
// engine as the other doors, on a target connection of the client's own (connection.ts).

export interface MysqlWireOptions {
  readonly gateway: Gateway;
  readonly log: Logger;
  /** PEM key and certificate for TLS; without them only the RSA exchange is possible. */
  readonly tls?: { readonly key: Buffer | string; readonly cert: Buffer | string };
  readonly maxSqlBytes: number;
  /** The handshake and authentication must finish within this (default 30 s). */
  readonly handshakeTimeoutMs?: number;
  /** How long a statement that needs approval waits before the client is told to send it again (default 30 s). */
  readonly approvalWaitMs?: number;
}

const SERVER_VERSION = "8.0.35-airlock";

export class MysqlWireServer {
  readonly #listener: TcpListener;
  readonly #options: MysqlWireOptions;
  readonly #secureContext: tls.SecureContext | null;
  readonly #rsa: { privateKey: KeyObject; publicPem: string };
  readonly #clients = new Map<number, MysqlClient>();
  #nextId = 1;

  constructor(options: MysqlWireOptions) {
    this.#options = options;
    this.#secureContext = secureContextOf(options.tls);
    // For clients without TLS: the token comes encrypted to this key (made per process; clients fetch it).
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.#rsa = { privateKey, publicPem: publicKey.export({ type: "spki", format: "pem" }).toString() };
    this.#listener = new TcpListener((socket) => void this.#accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return this.#listener.listen(port, host);
  }

  close(): Promise<void> {
    return this.#listener.close(() => {
      for (const client of this.#clients.values()) client.close();
    });
  }

  async #accept(raw: net.Socket): Promise<void> {
    const { gateway, log } = this.#options;
    const connectionId = this.#nextId++;
    let shaken;
    try {
      shaken = await handshake(raw, {
        authenticator: gateway.authenticator,
        log,
        secureContext: this.#secureContext,
        rsa: this.#rsa,
        connectionId,
        serverVersion: SERVER_VERSION,
        timeoutMs: this.#options.handshakeTimeoutMs ?? 30_000,
        maxPacketBytes: this.#options.maxSqlBytes + 64 * 1024,
      });
    } catch (error) {
      log.warn("mysqlwire.handshake_failed", { error: error instanceof Error ? error.message : String(error) });
      raw.destroy();
      return;
    }
    if (!shaken.ok) return;
    const { socket, agent, database, secure } = shaken;
    socket.on("error", () => undefined);
    let seq = shaken.seq;
    const reply = (payload: Buffer) => {
      const framed = framePackets(payload, seq);
      seq = framed.next;
      socket.write(Buffer.concat(framed.frames));
    };
    if (!database) {
      reply(err({ errno: 1046, sqlState: "3D000", message: "No database selected: name the Airlock connection as the database" }));
      socket.end();
      return;
    }
    let session;
    try {
      session = await gateway.engine.open({
        agent,
        connection: database,
        door: "mysqlwire",
        client: { addr: raw.remoteAddress ?? null, details: { clientName: shaken.attributes._client_name ?? shaken.attributes.program_name ?? null, tls: secure } },
        pinned: { engine: "mysql" },
      });
    } catch (error) {
      const refusal = refusalOf(error);
      const message = refusal.code === "unknown_connection" ? `Unknown database '${printable(database)}': no Airlock connection has that name` : refusal.message;
      reply(err({ errno: refusal.code === "unknown_connection" ? 1049 : refusal.mysqlErrno, sqlState: refusal.code === "unknown_connection" ? "42000" : refusal.sqlState, message }));
      socket.end();
      return;
    }
    reply(ok());
    let current = session;
    const open = (name: string) =>
      gateway.engine.open({
        agent,
        connection: name,
        door: "mysqlwire",
        client: { addr: raw.remoteAddress ?? null, details: { clientName: shaken.attributes._client_name ?? shaken.attributes.program_name ?? null, tls: secure } },
        pinned: { engine: "mysql" },
      });
    const client = new MysqlClient(
      {
        socket,
        framer: shaken.framer,
        session,
        capabilities: shaken.capabilities,
        connectionId,
        log,
        approvalWaitMs: this.#options.approvalWaitMs ?? 30_000,
        findClient: (id) => this.#clients.get(id),
        reopen: open,
        onSession: (next) => (current = next),
        onClose: () => {
          this.#clients.delete(connectionId);
          void current.close("client_quit");
        },
      },
      shaken.pending ?? [],
    );
    this.#clients.set(connectionId, client);
    log.info("mysqlwire.connected", { sessionId: session.id, agent: agent.agentName, connection: session.connection.name, tls: secure });
  }
}
