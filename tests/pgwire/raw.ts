import net from "node:net";
import type { Frame } from "../../gateway/protocols/postgres/messages";
import { Code, FrameSplitter, parseNotice } from "../../gateway/protocols/postgres/parser";
import { ScramClient } from "../../gateway/protocols/postgres/scram";
import { saslInitialResponse, saslResponse, startupMessage } from "../../gateway/protocols/postgres/serializer";

// A wire client that writes frames as given and reads the server's answer frame by frame, to look at exactly
// what the door says (SCRAM steps, rows before an error). Plain TCP: it logs in with SCRAM.

export class RawClient {
  readonly #socket: net.Socket;
  readonly #splitter = new FrameSplitter(false, 1 << 24);
  readonly #frames: Frame[] = [];
  #wake: (() => void) | null = null;
  closed = false;

  constructor(port: number) {
    this.#socket = net.connect({ host: "127.0.0.1", port });
    this.#socket.on("data", (chunk: Buffer) => {
      const frames = this.#splitter.push(chunk);
      if (Array.isArray(frames)) this.#frames.push(...frames.map((frame) => ({ code: frame.code, payload: Buffer.from(frame.payload), raw: Buffer.from(frame.raw) })));
      this.#wake?.();
    });
    this.#socket.on("close", () => {
      this.closed = true;
      this.#wake?.();
    });
    this.#socket.on("error", () => undefined);
  }

  /** Connects and logs in by SCRAM (user = the token's prefix); resolves after the first ReadyForQuery. */
  static async login(port: number, token: string, database: string): Promise<RawClient> {
    const raw = new RawClient(port);
    raw.startup(token.slice(0, 12), database);
    await raw.auth(10);
    const scram = new ScramClient(token);
    raw.write(saslInitialResponse("SCRAM-SHA-256", scram.first()));
    raw.write(saslResponse(scram.final(await raw.auth(11))));
    scram.verify(await raw.auth(12));
    await raw.until(Code.ReadyForQuery);
    return raw;
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  startup(user: string, database = "shop_pg"): void {
    this.write(startupMessage([["user", user], ["database", database]]));
  }

  async next(timeoutMs = 10_000): Promise<Frame | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#frames.shift();
      if (frame) return frame;
      if (this.closed || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 200);
      });
      this.#wake = null;
    }
  }

  /** Frames up to and including the first of `code` (null at the end of the connection or after the timeout). */
  async until(code: number, timeoutMs = 20_000): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (;;) {
      const frame = await this.next(timeoutMs);
      if (!frame) throw new Error(`no '${String.fromCharCode(code)}' came; got ${frames.map((f) => String.fromCharCode(f.code)).join("")}`);
      frames.push(frame);
      if (frame.code === code) return frames;
    }
  }

  /** The next frame, which must be Authentication of this kind; its data after the kind. */
  async auth(kind: number): Promise<string> {
    const frame = await this.next();
    if (!frame || frame.code !== Code.Authentication || frame.payload.readInt32BE(0) !== kind) throw new Error(`expected authentication ${kind}, got ${show(frame)}`);
    return frame.payload.subarray(4).toString("utf8");
  }

  /** The next frame as an error: its SQLSTATE, message and hint. */
  async error(): Promise<{ code: string; message: string; hint: string }> {
    const frame = await this.next();
    if (!frame || frame.code !== Code.ErrorResponse) throw new Error(`expected an error, got ${show(frame)}`);
    return errorOf(frame);
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

export function errorOf(frame: Frame): { code: string; message: string; hint: string } {
  const fields = parseNotice(frame.payload).fields;
  return { code: fields.get("C") ?? "", message: fields.get("M") ?? "", hint: fields.get("H") ?? "" };
}

function show(frame: Frame | null): string {
  return frame ? `'${String.fromCharCode(frame.code)}' ${frame.payload.toString("latin1").slice(0, 80)}` : "the end of the connection";
}
