import { createHash } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { FrameSplitter, Code, parseNotice } from "../../protocols/postgres/parser";
import type { Frame } from "../../protocols/postgres/messages";
import { passwordMessage, saslInitialResponse, saslResponse, sslRequest, startupMessage, TERMINATE } from "../../protocols/postgres/serializer";
import { SCRAM_MECHANISM, ScramClient } from "../../protocols/postgres/scram";
import { TargetError } from "../errors";
import { identityValues, pgStartupIdentity, type TargetIdentity } from "../identity";
import { pgSsl } from "../tls";
import type { TargetSettings } from "../types";
import { sendCancel } from "./cancel";
import { APPLICATION_NAME, CONNECT_TIMEOUT_MS } from "./pool";

// A pinned target connection for one wire client (the pgwire door): a raw PostgreSQL session the gateway opens
// with the connection's stored credentials (the client never sees them), then hands over frame by frame, so
// transactions, prepared statements and session settings pass through. Authentication to the target: trust,
// cleartext, MD5 or SCRAM-SHA-256; TLS per the connection's mode.

export interface WireSessionOptions {
  /** Startup parameters passed on from the client (application_name, client_encoding, DateStyle, …). */
  readonly parameters: ReadonlyMap<string, string>;
  /** Session statement_timeout (ms), the connection's limit. */
  readonly statementTimeoutMs: number;
  /**
   * The agent the session is for: airlock.agent, airlock.agent_groups, airlock.session and application_name
   * ("airlock:<agent>", in the place of the client's) go in the startup packet, so they are the session's defaults:
   * RESET, RESET ALL and DISCARD ALL bring them back. The engine refuses statements that would set them.
   */
  readonly identity?: TargetIdentity;
}

const MAX_SERVER_FRAME = 1024 * 1024 * 1024;
/** Client startup parameters passed to the target; user, database, options and replication never are. */
const PASSED_PARAMETERS = new Set(["application_name", "client_encoding", "datestyle", "timezone", "extra_float_digits", "intervalstyle", "search_path"]);

export class PgWireSession {
  readonly parameters = new Map<string, string>();
  processId = 0;
  secretKey = 0;
  /** Called with every frame after start-up, in order. */
  onFrame: (frame: Frame) => void = () => undefined;
  /** Called once when the socket closes (error set when it failed). */
  onClose: (error?: Error) => void = () => undefined;
  #closed = false;
  #ending = false;
  readonly #splitter = new FrameSplitter(false, MAX_SERVER_FRAME);

  constructor(
    private socket: net.Socket,
    private readonly host: string,
    private readonly port: number,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes bytes to the target; false when its socket buffer is full (wait for drain). */
  write(data: Buffer): boolean {
    if (this.#closed) return false;
    return this.socket.write(data);
  }

  onDrain(callback: () => void): void {
    this.socket.once("drain", callback);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Asks the target to cancel whatever this session runs (CancelRequest on a side connection). */
  cancel(): Promise<void> {
    return sendCancel(this.host, this.port, this.processId, this.secretKey);
  }

  /** Terminate and close. */
  /** Ends the session (Terminate, then the socket); a second call does nothing. */
  close(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    this.socket.end(TERMINATE);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Runs start-up to ReadyForQuery, then switches to handing frames to onFrame. */
  async start(settings: TargetSettings, options: WireSessionOptions): Promise<void> {
    const params: [string, string][] = [
      ["user", settings.username],
      ["database", settings.database],
      ...(options.identity ? pgStartupIdentity(identityValues(options.identity)) : [["application_name", APPLICATION_NAME] as [string, string]]),
    ];
    for (const [key, value] of options.parameters) {
      const name = key.toLowerCase();
      if (PASSED_PARAMETERS.has(name) && !(options.identity && name === "application_name")) params.push([key, value]);
    }
    const gucs = [`-c statement_timeout=${Math.max(0, Math.floor(options.statementTimeoutMs))}`];
    if (settings.readOnly) gucs.push("-c default_transaction_read_only=on");
    params.push(["options", gucs.join(" ")]);
    await this.#handshake(settings, startupMessage(params));
    this.socket.on("data", (chunk: Buffer) => this.#data(chunk));
    const pending = this.#splitter.takePending();
    if (pending) queueMicrotask(() => this.#data(pending));
    this.socket.on("close", () => this.#finish());
    this.socket.on("error", (error) => this.#finish(error));
  }

  #data(chunk: Buffer): void {
    const frames = this.#splitter.push(chunk);
    if (!Array.isArray(frames)) {
      this.#finish(new Error(`target sent ${frames.reason}`));
      this.socket.destroy();
      return;
    }
    for (const frame of frames) this.onFrame(frame);
  }

  #finish(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClose(error);
  }

  async #handshake(settings: TargetSettings, startup: Buffer): Promise<void> {
    const frames = frameQueue(this.socket, this.#splitter);
    this.socket.write(startup);
    let scram: ScramClient | null = null;
    for (;;) {
      const frame = await frames.next();
      switch (frame.code) {
        case Code.Authentication: {
          const kind = frame.payload.readInt32BE(0);
          if (kind === 0) break;
          if (kind === 3) this.socket.write(passwordMessage(settings.password));
          else if (kind === 5) {
            const salt = frame.payload.subarray(4, 8);
            const inner = createHash("md5").update(settings.password + settings.username).digest("hex");
            this.socket.write(passwordMessage(`md5${createHash("md5").update(inner).update(salt).digest("hex")}`));
          } else if (kind === 10) {
            const mechanisms = frame.payload.subarray(4).toString("utf8").split("\0");
            if (!mechanisms.includes(SCRAM_MECHANISM)) throw new TargetError("auth_failed", "the target offers no supported SASL mechanism");
            scram = new ScramClient(settings.password);
            this.socket.write(saslInitialResponse(SCRAM_MECHANISM, scram.first()));
          } else if (kind === 11 && scram) this.socket.write(saslResponse(scram.final(frame.payload.subarray(4).toString("utf8"))));
          else if (kind === 12 && scram) scram.verify(frame.payload.subarray(4).toString("utf8"));
          else throw new TargetError("auth_failed", `the target asks for an unsupported authentication method (${kind})`);
          break;
        }
        case Code.ParameterStatus: {
          const [name = "", value = ""] = frame.payload.toString("utf8").split("\0");
          this.parameters.set(name, value);
          break;
        }
        case Code.BackendKeyData:
          this.processId = frame.payload.readInt32BE(0);
          this.secretKey = frame.payload.readInt32BE(4);
          break;
        case Code.ErrorResponse: {
          const fields = parseNotice(frame.payload).fields;
          const sqlState = fields.get("C") ?? "";
          const code = sqlState.startsWith("28") ? "auth_failed" : sqlState === "53300" ? "too_many_connections" : "unreachable";
          throw new TargetError(code, fields.get("M") ?? "the target refused the session", { sqlState });
        }
        case Code.ReadyForQuery:
          frames.stop();
          return;
        default:
          break; // NoticeResponse and the like during start-up
      }
    }
  }
}

/** Opens a pinned session on the target (TLS per settings; "prefer" falls back to plain when the server has none). */
export async function openWireSession(settings: TargetSettings, options: WireSessionOptions): Promise<PgWireSession> {
  const socket = await connect(settings);
  const session = new PgWireSession(socket, settings.host, settings.port);
  const timer = setTimeout(() => socket.destroy(new Error("timeout")), CONNECT_TIMEOUT_MS);
  try {
    await session.start(settings, options);
    return session;
  } catch (error) {
    socket.destroy();
    if (error instanceof TargetError) throw error;
    throw new TargetError("unreachable", "the target database cannot be reached");
  } finally {
    clearTimeout(timer);
  }
}

async function connect(settings: TargetSettings): Promise<net.Socket> {
  const plain = await new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: settings.host, port: settings.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    const timer = setTimeout(() => socket.destroy(new Error("connect timeout")), CONNECT_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new TargetError("unreachable", `the target database cannot be reached (${(error as NodeJS.ErrnoException).code ?? "error"})`));
    });
  });
  const ssl = pgSsl(settings.tls, false);
  if (ssl === false) return plain;
  plain.write(sslRequest());
  const answer = await new Promise<number>((resolve, reject) => {
    plain.once("data", (chunk: Buffer) => resolve(chunk[0]!));
    plain.once("error", reject);
  });
  if (answer !== 0x53) {
    if (settings.tls === "prefer") return plain;
    plain.destroy();
    throw new TargetError("unreachable", "the target database does not support TLS");
  }
  return new Promise<net.Socket>((resolve, reject) => {
    const secure = tls.connect({ ...ssl, socket: plain, servername: net.isIP(settings.host) ? undefined : settings.host });
    secure.once("secureConnect", () => {
      secure.removeAllListeners("error");
      resolve(secure);
    });
    secure.once("error", () => reject(new TargetError("unreachable", "TLS to the target database failed")));
  });
}

/** Frames during start-up, pulled one at a time. */
function frameQueue(socket: net.Socket, splitter: FrameSplitter) {
  const ready: Frame[] = [];
  let waiting: { resolve: (frame: Frame) => void; reject: (error: Error) => void } | null = null;
  let failure: Error | null = null;
  const onData = (chunk: Buffer) => {
    const frames = splitter.push(chunk);
    if (!Array.isArray(frames)) failure = new Error(frames.reason);
    else for (const frame of frames) ready.push({ code: frame.code, payload: Buffer.from(frame.payload), raw: frame.raw });
    wake();
  };
  const onEnd = () => {
    failure ??= new Error("the target closed the connection during start-up");
    wake();
  };
  const wake = () => {
    if (!waiting) return;
    const next = ready.shift();
    if (next) {
      const w = waiting;
      waiting = null;
      w.resolve(next);
    } else if (failure) {
      const w = waiting;
      waiting = null;
      w.reject(failure);
    }
  };
  socket.on("data", onData);
  socket.on("close", onEnd);
  socket.on("error", onEnd);
  return {
    next(): Promise<Frame> {
      return new Promise<Frame>((resolve, reject) => {
        waiting = { resolve, reject };
        wake();
      });
    },
    /** Hands the socket back; frames already read past ReadyForQuery go back into the splitter, in order. */
    stop(): void {
      socket.off("data", onData);
      socket.off("close", onEnd);
      socket.off("error", onEnd);
      const rest = [...ready.map((frame) => frame.raw), splitter.takePending() ?? Buffer.alloc(0)];
      splitter.keep(Buffer.concat(rest));
    },
  };
}
