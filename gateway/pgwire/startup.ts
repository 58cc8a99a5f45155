import type net from "node:net";
import tls from "node:tls";
import type { Frame, StartupMessage } from "../protocols/postgres/messages";
import { FrameSplitter, MAX_STARTUP_BYTES, parseStartup } from "../protocols/postgres/parser";
import { SSL_ACCEPTED, SSL_REFUSED } from "../protocols/postgres/serializer";

// The connection's first packets: SSLRequest (upgraded to TLS when a certificate is configured), GSSENCRequest
// (refused), CancelRequest, then the StartupMessage. Frames are pulled one at a time while the handshake runs.

export type Opening =
  | { readonly kind: "startup"; readonly socket: net.Socket; readonly secure: boolean; readonly message: StartupMessage; readonly reader: FrameReader }
  | { readonly kind: "cancel"; readonly processId: number; readonly secretKey: number }
  | { readonly kind: "refused"; readonly socket: net.Socket; readonly reason: string };

/** Frames from a socket, one at a time, until `release()` hands the socket (and any bytes left) on. */
export class FrameReader {
  readonly #ready: Frame[] = [];
  #waiting: ((frame: Frame | Error) => void) | null = null;
  #failure: Error | null = null;
  readonly #onData = (chunk: Buffer) => {
    const frames = this.splitter.push(chunk);
    if (!Array.isArray(frames)) this.#failure = new Error(frames.reason);
    else for (const frame of frames) this.#ready.push({ code: frame.code, payload: Buffer.from(frame.payload), raw: Buffer.from(frame.raw) });
    this.#wake();
  };
  readonly #onEnd = () => {
    this.#failure ??= new Error("the client closed the connection");
    this.#wake();
  };

  constructor(
    readonly socket: net.Socket,
    readonly splitter: FrameSplitter,
  ) {
    socket.on("data", this.#onData);
    socket.on("close", this.#onEnd);
    socket.on("error", this.#onEnd);
    if (splitter.buffered > 0) this.#onData(Buffer.alloc(0));
  }

  next(timeoutMs: number): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = null;
        reject(new Error("timeout"));
      }, timeoutMs);
      this.#waiting = (value) => {
        clearTimeout(timer);
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
      this.#wake();
    });
  }

  /** Stops reading; frames read but not taken go back into the splitter. */
  release(): void {
    this.socket.off("data", this.#onData);
    this.socket.off("close", this.#onEnd);
    this.socket.off("error", this.#onEnd);
    const rest = this.#ready.splice(0).map((frame) => frame.raw);
    const pending = this.splitter.takePending();
    if (pending) rest.push(pending);
    this.splitter.keep(Buffer.concat(rest));
  }

  #wake(): void {
    if (!this.#waiting) return;
    const next = this.#ready.shift();
    if (next) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting(next);
    } else if (this.#failure) {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting(this.#failure);
    }
  }
}

export async function openConnection(socket: net.Socket, secureContext: tls.SecureContext | null, timeoutMs: number): Promise<Opening> {
  let current = socket;
  let secure = false;
  let reader = new FrameReader(current, new FrameSplitter(true, MAX_STARTUP_BYTES));
  for (let packets = 0; packets < 3; packets++) {
    const frame = await reader.next(timeoutMs);
    const packet = parseStartup(frame);
    switch (packet.name) {
      case "malformed":
        return { kind: "refused", socket: current, reason: packet.reason };
      case "cancelRequest":
        reader.release();
        return { kind: "cancel", processId: packet.processId, secretKey: packet.secretKey };
      case "gssEncRequest":
        current.write(SSL_REFUSED);
        continue;
      case "sslRequest": {
        if (secure || !secureContext) {
          current.write(SSL_REFUSED);
          continue;
        }
        reader.release();
        if (reader.splitter.buffered > 0) return { kind: "refused", socket: current, reason: "data sent before the TLS handshake" };
        current.write(SSL_ACCEPTED);
        const upgraded = new tls.TLSSocket(current, { isServer: true, secureContext });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("TLS handshake timeout")), timeoutMs);
          upgraded.once("secure", () => {
            clearTimeout(timer);
            resolve();
          });
          upgraded.once("error", (error) => {
            clearTimeout(timer);
            reject(error);
          });
        });
        current = upgraded;
        secure = true;
        reader = new FrameReader(current, new FrameSplitter(true, MAX_STARTUP_BYTES));
        continue;
      }
      case "startup":
        reader.splitter.expectCodes();
        // bytes behind the startup packet were cut as a startup packet: re-cut them as coded frames
        reader.release();
        reader = new FrameReader(current, reader.splitter);
        return { kind: "startup", socket: current, secure, message: packet, reader };
    }
  }
  return { kind: "refused", socket: current, reason: "too many negotiation packets" };
}
