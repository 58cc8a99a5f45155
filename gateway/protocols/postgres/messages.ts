// The PostgreSQL v3 messages the wire door reads, as readonly values told apart by `name`. Client messages are
// decoded in full (every decision needs them); server messages stay raw frames unless masking or a decision
// must look inside, and then only the few below are decoded.

/** One whole frame as it came off the socket: the code byte (0 for startup packets) and the payload, no copy. */
export interface Frame {
  readonly code: number;
  /** Payload only (after the length). A view into the socket's buffer: copy it before keeping it. */
  readonly payload: Buffer;
  /** The frame's bytes exactly as received (code + length + payload), for relaying without re-encoding. */
  readonly raw: Buffer;
}

// ── Before authentication (no code byte) ─────────────────────────────────────────────────────────────────

export interface StartupMessage {
  readonly name: "startup";
  readonly protocol: number;
  /** user, database, application_name, options, client_encoding, … */
  readonly parameters: ReadonlyMap<string, string>;
}
export interface SslRequest {
  readonly name: "sslRequest";
}
export interface GssEncRequest {
  readonly name: "gssEncRequest";
}
export interface CancelRequest {
  readonly name: "cancelRequest";
  readonly processId: number;
  readonly secretKey: number;
}
export type StartupPacket = StartupMessage | SslRequest | GssEncRequest | CancelRequest;

// ── After authentication: client → server ────────────────────────────────────────────────────────────────

export interface Query {
  readonly name: "query";
  readonly sql: string;
}
export interface Parse {
  readonly name: "parse";
  readonly statement: string;
  readonly sql: string;
  readonly paramTypes: readonly number[];
}
export interface Bind {
  readonly name: "bind";
  readonly portal: string;
  readonly statement: string;
  readonly paramFormats: readonly number[];
  /** null for SQL NULL; views into the frame. */
  readonly params: readonly (Buffer | null)[];
  readonly resultFormats: readonly number[];
}
export interface Describe {
  readonly name: "describe";
  readonly target: "S" | "P";
  readonly object: string;
}
export interface Execute {
  readonly name: "execute";
  readonly portal: string;
  readonly maxRows: number;
}
export interface Close {
  readonly name: "close";
  readonly target: "S" | "P";
  readonly object: string;
}
export interface Sync {
  readonly name: "sync";
}
export interface Flush {
  readonly name: "flush";
}
export interface Terminate {
  readonly name: "terminate";
}
export interface CopyData {
  readonly name: "copyData";
}
export interface CopyDone {
  readonly name: "copyDone";
}
export interface CopyFail {
  readonly name: "copyFail";
  readonly message: string;
}
export interface PasswordMessage {
  /** 'p' carries a cleartext password, a SASLInitialResponse or a SASLResponse: which one depends on the state. */
  readonly name: "password";
  readonly payload: Buffer;
}
export interface FunctionCall {
  readonly name: "functionCall";
}

export type ClientMessage =
  | Query
  | Parse
  | Bind
  | Describe
  | Execute
  | Close
  | Sync
  | Flush
  | Terminate
  | CopyData
  | CopyDone
  | CopyFail
  | PasswordMessage
  | FunctionCall;

/** A message that could not be decoded: the connection is closed with a protocol-violation error. */
export interface MalformedMessage {
  readonly name: "malformed";
  readonly reason: string;
}

// ── Server → client, the parts Airlock reads ──────────────────────────────────────────────────────────────

export interface FieldDescription {
  readonly name: string;
  readonly tableOid: number;
  readonly columnNumber: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: number;
}

export interface Notice {
  /** Field code (S, V, C, M, D, H, P, …) → value, in the order received. */
  readonly fields: ReadonlyMap<string, string>;
}

export type TransactionStatus = "I" | "T" | "E";
