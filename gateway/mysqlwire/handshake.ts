import { randomBytes, type KeyObject } from "node:crypto";
import type net from "node:net";
import { Duplex } from "node:stream";
import tls from "node:tls";
import type { Logger } from "../../lib/log";
import type { AgentAuthenticator } from "../identity";
import type { AgentIdentity } from "../identity/types";
import { checkNativeScramble, clearPassword, decryptPassword } from "../protocols/mysql/auth";
import { Capability, CACHING_SHA2, NATIVE_PASSWORD, SERVER_CAPABILITIES } from "../protocols/mysql/constants";
import { framePackets, PacketFramer, type Packet } from "../protocols/mysql/packets";
import { parseHandshakeResponse } from "../protocols/mysql/parser";
import { authMoreData, authSwitch, err, handshakeV10 } from "../protocols/mysql/serializer";

// From a TCP connection to an authenticated agent: HandshakeV10 (caching_sha2_password announced), TLS when the
// client asks for it, then the agent token as the password:
//   - mysql_native_password: the client's scramble is checked against SHA1(SHA1(token)), stored when the token was
//     issued, so the token never crosses the network; when none matches, on to caching_sha2_password;
//   - caching_sha2_password: Airlock keeps no token in clear, so its fast path never matches and every client is
//     asked for full authentication — the token in clear over TLS (an identity-provider JWT works too), or, without
//     TLS, encrypted to the door's RSA key (XORed with the nonce, so an exchange cannot be replayed).
// The user name must be the token's public prefix (alk_ and 8 characters); for a JWT it is free. Every failure is
// an ERR packet with MySQL's own numbers (1045 access denied, 1043 bad handshake).

export interface HandshakeOptions {
  readonly authenticator: AgentAuthenticator;
  readonly log: Logger;
  readonly secureContext: tls.SecureContext | null;
  readonly rsa: { readonly privateKey: KeyObject; readonly publicPem: string };
  readonly connectionId: number;
  readonly serverVersion: string;
  readonly timeoutMs: number;
  /** Largest packet accepted once authenticated (the statement size limit plus room). */
  readonly maxPacketBytes: number;
}

export type HandshakeResult =
  | {
      readonly ok: true;
      readonly socket: net.Socket;
      readonly framer: PacketFramer;
      readonly agent: AgentIdentity;
      readonly database: string | null;
      readonly capabilities: number;
      readonly secure: boolean;
      readonly seq: number;
      readonly attributes: Readonly<Record<string, string>>;
    }
  | { readonly ok: false };

// Past any handshake packet, and past what a TLS ClientHello read as a packet header announces (bytes 16 03 0x:
// up to 0x030316), since it may sit right behind the SSLRequest in the same read.
const HANDSHAKE_MAX_BYTES = 1024 * 1024;
const PREFIX = /^alk_[A-Za-z0-9]{8}$/;

/** Reads packets one at a time from a socket (which may be swapped for its TLS wrapper). */
class PacketQueue {
  readonly #packets: Packet[] = [];
  #waiter: ((packet: Packet | null) => void) | undefined;
  #ended = false;
  #tooLarge = false;
  readonly #onData = (chunk: Buffer) => {
    for (const framed of this.framer.push(chunk)) {
      if (framed.kind === "too_large") {
        this.#tooLarge = true;
        this.#end();
        return;
      }
      this.#packets.push(framed.packet);
    }
    this.#wake();
  };
  readonly #onEnd = () => this.#end();

  constructor(
    public socket: net.Socket,
    public framer: PacketFramer,
  ) {
    this.#listen();
  }

  get tooLarge(): boolean {
    return this.#tooLarge;
  }

  #listen(): void {
    this.socket.on("data", this.#onData).on("end", this.#onEnd).on("close", this.#onEnd);
  }

  /** Stops reading this socket (before its TLS wrapper takes over); answers the bytes read past the last packet. */
  detach(): Buffer {
    this.socket.off("data", this.#onData).off("end", this.#onEnd).off("close", this.#onEnd);
    return this.framer.takeRest();
  }

  attach(socket: net.Socket, framer: PacketFramer): void {
    this.socket = socket;
    this.framer = framer;
    this.#listen();
  }

  next(timeoutMs: number): Promise<Packet | null> {
    const ready = this.#packets.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(null);
      }, timeoutMs);
      this.#waiter = (packet) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(packet);
      };
    });
  }

  /** Packets (and bytes of a packet begun) that arrived after the handshake: handed to the command loop. */
  drain(): { packets: Packet[]; rest: Buffer } {
    const rest = this.detach();
    return { packets: this.#packets.splice(0), rest };
  }

  #end(): void {
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    if (!this.#waiter) return;
    const packet = this.#packets.shift();
    if (packet) this.#waiter(packet);
    else if (this.#ended) this.#waiter(null);
  }
}

export async function handshake(raw: net.Socket, options: HandshakeOptions): Promise<HandshakeResult & { readonly pending?: Packet[] }> {
  // 20 printable bytes (no NUL): the scramble's nonce, and what the RSA exchange XORs the token with.
  const nonce = Buffer.from(randomBytes(20).map((byte) => 0x21 + (byte % 0x5e)));
  const offered = SERVER_CAPABILITIES | (options.secureContext ? Capability.Ssl : 0);
  const queue = new PacketQueue(raw, new PacketFramer(HANDSHAKE_MAX_BYTES));
  let socket = raw;
  let seq = 0;
  const send = (payload: Buffer) => {
    const framed = framePackets(payload, seq);
    seq = framed.next;
    socket.write(Buffer.concat(framed.frames));
  };
  const fail = (errno: number, sqlState: string, message: string) => {
    if (!socket.destroyed) {
      send(err({ errno, sqlState, message }));
      socket.end();
      setTimeout(() => socket.destroy(), 1_000).unref();
    }
    return { ok: false } as const;
  };
  const receive = async (): Promise<Packet | null> => {
    const packet = await queue.next(options.timeoutMs);
    if (!packet) return null;
    if (packet.seq !== seq) return null; // out of order: a broken client
    seq = (packet.lastSeq + 1) & 0xff;
    return packet;
  };

  send(handshakeV10({ serverVersion: options.serverVersion, connectionId: options.connectionId, nonce, capabilities: offered, authPlugin: CACHING_SHA2 }));
  let packet = await receive();
  if (!packet) return gone(socket);
  let response = parseHandshakeResponse(packet.payload);
  let secure = false;
  if (response.name === "ssl_request") {
    if (!options.secureContext) return fail(1043, "08S01", "TLS is not configured on this Airlock door");
    // MySQL clients send their TLS ClientHello right behind the request, without waiting for an answer: bytes
    // already read go to TLS first (through a stream, since TLS on the socket itself would read past them).
    const early = queue.detach();
    const secured = await startTls(early.length > 0 ? withEarlyBytes(socket, early) : socket, options.secureContext, options.timeoutMs);
    if (!secured) return gone(socket);
    socket = secured;
    secure = true;
    queue.attach(socket, new PacketFramer(HANDSHAKE_MAX_BYTES));
    packet = await receive();
    if (!packet) return gone(socket);
    response = parseHandshakeResponse(packet.payload);
  }
  if (response.name === "malformed") return fail(1043, "08S01", `Bad handshake: ${response.reason}`);
  if (response.name === "ssl_request") return fail(1043, "08S01", "Bad handshake: a second TLS request");
  const capabilities = response.capabilities & offered;
  const attributes = response.attributes;
  const database = response.database;
  /** The command loop's framer takes over, with whatever the client already sent after authenticating. */
  const authenticated = (agent: AgentIdentity) => {
    const framer = new PacketFramer(options.maxPacketBytes);
    const { packets: pending, rest } = queue.drain();
    for (const framed of framer.push(rest)) if (framed.kind === "packet") pending.push(framed.packet);
    return { ok: true as const, socket, framer, agent, database, capabilities, secure, seq, attributes, pending };
  };

  // mysql_native_password: the client's scramble is checked against the verifier stored when the token was issued
  // (the token never crosses the network). Nothing matched (a JWT, an older token, a wrong token): on to full
  // authentication with caching_sha2_password, which tells them apart.
  if (response.plugin === NATIVE_PASSWORD && response.authResponse.length === 20 && PREFIX.test(response.user)) {
    const native = await nativeAuthentication(response.authResponse, nonce, response.user, options);
    if (native) {
      if (!native.ok) {
        options.log.info("mysqlwire.refused", { code: native.code, method: "native" });
        return fail(1045, "28000", `Access denied for user '${printable(response.user)}': ${native.message}`);
      }
      return authenticated(native.agent);
    }
  }

  // caching_sha2_password, switched to when the client started with another method; then full authentication.
  if (response.plugin !== CACHING_SHA2) {
    send(authSwitch(CACHING_SHA2, nonce));
    if (!(await receive())) return gone(socket);
  }
  send(authMoreData(Buffer.from([0x04])));
  let answer = await receive();
  if (!answer) return gone(socket);
  let token: string | null;
  if (secure) token = clearPassword(answer.payload);
  else {
    if (!(answer.payload.length === 1 && answer.payload[0] === 0x02)) {
      // a password in clear over plain TCP is never taken
      return fail(1045, "28000", "Access denied: without TLS the token must be sent encrypted (allow the server's public key), or connect with TLS");
    }
    send(authMoreData(Buffer.from(options.rsa.publicPem, "utf8")));
    answer = await receive();
    if (!answer) return gone(socket);
    token = decryptPassword(answer.payload, options.rsa.privateKey, nonce);
  }
  if (!token) return fail(1045, "28000", "Access denied: the token could not be read");
  if (token.startsWith("alk_") && response.user !== token.slice(0, 12) && PREFIX.test(token.slice(0, 12))) {
    options.log.info("mysqlwire.refused", { code: "user_mismatch" });
    return fail(1045, "28000", `Access denied for user '${printable(response.user)}': the user name must be the token's public prefix`);
  }
  const auth = await options.authenticator.authenticate(`Bearer ${token}`);
  if (!auth.ok) {
    options.log.info("mysqlwire.refused", { code: auth.code });
    return fail(1045, "28000", `Access denied for user '${printable(response.user)}': ${auth.message}`);
  }
  return authenticated(auth.agent);
}

/** The token whose stored native verifier the scramble matches, checked like a bearer token; null when none matches. */
async function nativeAuthentication(scramble: Buffer, nonce: Buffer, prefix: string, options: HandshakeOptions) {
  const credentials = await options.authenticator.mysqlNativeCredentials(prefix);
  const match = credentials.find((credential) => checkNativeScramble(scramble, nonce, credential.verifier));
  return match ? options.authenticator.authenticateTokenId(match.tokenId) : null;
}

function gone(socket: net.Socket): { ok: false } {
  socket.destroy();
  return { ok: false };
}

/** A stream that yields `early`, then what the socket reads; writes go to the socket. */
function withEarlyBytes(socket: net.Socket, early: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  stream.push(early);
  socket.on("data", (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.once("end", () => stream.push(null));
  socket.once("close", () => stream.destroy());
  return stream;
}

function startTls(socket: net.Socket | Duplex, secureContext: tls.SecureContext, timeoutMs: number): Promise<tls.TLSSocket | null> {
  return new Promise((resolve) => {
    const secured = new tls.TLSSocket(socket, { isServer: true, secureContext });
    const timer = setTimeout(() => {
      secured.destroy();
      resolve(null);
    }, timeoutMs);
    secured.once("secure", () => {
      clearTimeout(timer);
      resolve(secured);
    });
    secured.once("error", () => {
      clearTimeout(timer);
      secured.destroy();
      resolve(null);
    });
  });
}

export function printable(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f']/g, "?");
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
