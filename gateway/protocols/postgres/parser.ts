import { ProtocolViolation, Reader } from "./buffers";
import type { ClientMessage, FieldDescription, Frame, MalformedMessage, Notice, StartupPacket } from "./messages";

// Bytes → messages. FrameSplitter cuts a byte stream into whole frames (views into the received chunks, no
// copy; a frame split across chunks is joined once). parseStartup / parseClientMessage decode one frame; an
// unknown code or a short field comes back as a `malformed` value, never as a throw.

/** Client → server message codes. */
export const enum Client {
  Query = 0x51, // Q
  Parse = 0x50, // P
  Bind = 0x42, // B
  Describe = 0x44, // D
  Execute = 0x45, // E
  Close = 0x43, // C
  Sync = 0x53, // S
  Flush = 0x48, // H
  Terminate = 0x58, // X
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  CopyFail = 0x66, // f
  Password = 0x70, // p
  FunctionCall = 0x46, // F
}

/** Server → client message codes (the same letter can mean something else the other way). */
export const enum Code {
  Authentication = 0x52, // R
  BackendKeyData = 0x4b, // K
  ParameterStatus = 0x53, // S
  ReadyForQuery = 0x5a, // Z
  RowDescription = 0x54, // T
  DataRow = 0x44, // D
  CommandComplete = 0x43, // C
  EmptyQueryResponse = 0x49, // I
  ErrorResponse = 0x45, // E
  NoticeResponse = 0x4e, // N
  ParseComplete = 0x31, // 1
  BindComplete = 0x32, // 2
  CloseComplete = 0x33, // 3
  NoData = 0x6e, // n
  PortalSuspended = 0x73, // s
  ParameterDescription = 0x74, // t
  CopyInResponse = 0x47, // G
  CopyOutResponse = 0x48, // H
  CopyBothResponse = 0x57, // W
  CopyData = 0x64, // d
  CopyDone = 0x63, // c
  NotificationResponse = 0x41, // A
}

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;
export const PROTOCOL_3_0 = 196608;

/** Largest frame accepted from a client before authentication, and after it (the SQL size limit + slack). */
export const MAX_STARTUP_BYTES = 10_000;

export class FrameSplitter {
  #pending: Buffer | null = null;
  #startup: boolean;

  /**
   * @param startup the next frame is a startup packet (no code byte)
   * @param maxBytes frames longer than this are refused
   */
  constructor(
    startup: boolean,
    public maxBytes: number,
  ) {
    this.#startup = startup;
  }

  /** After the startup packet, frames carry a code byte. */
  expectCodes(): void {
    this.#startup = false;
  }

  get buffered(): number {
    return this.#pending?.length ?? 0;
  }

  /** Whole frames in `chunk` (plus what was buffered); a partial tail is kept. An absurd length is an error value. */
  push(chunk: Buffer): Frame[] | MalformedMessage {
    let data = this.#pending === null ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = null;
    const frames: Frame[] = [];
    let offset = 0;
    for (;;) {
      const header = this.#startup ? 4 : 5;
      if (data.length - offset < header) break;
      const length = data.readInt32BE(offset + header - 4);
      if (length < 4 || length > this.maxBytes) return { name: "malformed", reason: `invalid message length ${length}` };
      const total = header - 4 + length;
      if (data.length - offset < total) break;
      const raw = data.subarray(offset, offset + total);
      frames.push({ code: this.#startup ? 0 : raw[0]!, payload: raw.subarray(header), raw });
      offset += total;
      // Only one startup packet comes without a code: SSLRequest is followed by another startup packet, so
      // the caller switches with expectCodes() once it has seen a StartupMessage.
      if (this.#startup) {
        if (data.length > offset) {
          // keep the rest for the caller to re-push after deciding (TLS upgrade hands the socket over)
          this.#pending = Buffer.from(data.subarray(offset));
        }
        return frames;
      }
    }
    if (offset < data.length) {
      // copy the tail so the (possibly large) chunk it came from can be freed
      data = data.subarray(offset);
      this.#pending = Buffer.from(data);
    }
    return frames;
  }

  /** Puts bytes back in front of whatever comes next. */
  keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#pending = this.#pending === null ? bytes : Buffer.concat([bytes, this.#pending]);
  }

  /** Bytes received after the last frame returned (kept across a startup packet). */
  takePending(): Buffer | null {
    const pending = this.#pending;
    this.#pending = null;
    return pending;
  }
}

export function parseStartup(frame: Frame): StartupPacket | MalformedMessage {
  return decode(frame, (reader) => {
    const code = reader.int32();
    switch (code) {
      case SSL_REQUEST_CODE:
        return { name: "sslRequest" };
      case GSSENC_REQUEST_CODE:
        return { name: "gssEncRequest" };
      case CANCEL_REQUEST_CODE:
        return { name: "cancelRequest", processId: reader.int32(), secretKey: reader.int32() };
      case PROTOCOL_3_0: {
        const parameters = new Map<string, string>();
        for (;;) {
          const key = reader.cstring();
          if (key === "") break;
          parameters.set(key, reader.cstring());
        }
        return { name: "startup", protocol: code, parameters };
      }
      default:
        return { name: "malformed", reason: `unsupported protocol ${code >> 16}.${code & 0xffff}` };
    }
  });
}

export function parseClientMessage(frame: Frame): ClientMessage | MalformedMessage {
  return decode(frame, (reader) => {
    switch (frame.code) {
      case Client.Query:
        return { name: "query", sql: reader.cstring() };
      case Client.Parse: {
        const statement = reader.cstring();
        const sql = reader.cstring();
        const count = reader.int16();
        const paramTypes: number[] = [];
        for (let i = 0; i < count; i++) paramTypes.push(reader.int32() >>> 0);
        return { name: "parse", statement, sql, paramTypes };
      }
      case Client.Bind:
        return parseBind(reader);
      case Client.Describe:
      case Client.Close: {
        const target = String.fromCharCode(reader.byte());
        if (target !== "S" && target !== "P") return { name: "malformed", reason: "describe/close target must be S or P" };
        const object = reader.cstring();
        return frame.code === Client.Describe ? { name: "describe", target, object } : { name: "close", target, object };
      }
      case Client.Execute:
        return { name: "execute", portal: reader.cstring(), maxRows: reader.int32() };
      case Client.Sync:
        return { name: "sync" };
      case Client.Flush:
        return { name: "flush" };
      case Client.Terminate:
        return { name: "terminate" };
      case Client.CopyData:
        return { name: "copyData" };
      case Client.CopyDone:
        return { name: "copyDone" };
      case Client.CopyFail:
        return { name: "copyFail", message: reader.cstring() };
      case Client.Password:
        return { name: "password", payload: reader.rest() };
      case Client.FunctionCall:
        return { name: "functionCall" };
      default:
        return { name: "malformed", reason: `unknown message type 0x${frame.code.toString(16).padStart(2, "0")}` };
    }
  });
}

function parseBind(reader: Reader): ClientMessage | MalformedMessage {
  const portal = reader.cstring();
  const statement = reader.cstring();
  const paramFormats = int16s(reader);
  const count = reader.int16();
  if (count < 0) return { name: "malformed", reason: "negative parameter count" };
  const params: (Buffer | null)[] = [];
  for (let i = 0; i < count; i++) {
    const length = reader.int32();
    if (length < -1) return { name: "malformed", reason: "negative parameter length" };
    params.push(length === -1 ? null : reader.bytes(length));
  }
  const resultFormats = int16s(reader);
  if (paramFormats.length > 1 && paramFormats.length !== count) return { name: "malformed", reason: "parameter format count does not match the parameters" };
  return { name: "bind", portal, statement, paramFormats, params, resultFormats };
}

function int16s(reader: Reader): number[] {
  const count = reader.int16();
  if (count < 0) throw new ProtocolViolation("negative count");
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const value = reader.int16();
    if (value !== 0 && value !== 1) throw new ProtocolViolation(`format code ${value} is neither text (0) nor binary (1)`);
    values.push(value);
  }
  return values;
}

/** A 'p' message read as SASLInitialResponse: the chosen mechanism and the client's first message (-1: none). */
export function parseSaslInitialResponse(frame: Frame): { readonly name: "saslInitialResponse"; readonly mechanism: string; readonly data: Buffer | null } | MalformedMessage {
  if (frame.code !== Client.Password) return { name: "malformed", reason: "expected SASLInitialResponse" };
  return decode(frame, (reader) => {
    const mechanism = reader.cstring();
    const length = reader.int32();
    if (length < -1) throw new ProtocolViolation("negative SASL data length");
    return { name: "saslInitialResponse", mechanism, data: length === -1 ? null : reader.bytes(length) };
  });
}

function decode<T>(frame: Frame, read: (reader: Reader) => T | MalformedMessage): T | MalformedMessage {
  try {
    const reader = new Reader(frame.payload);
    const message = read(reader);
    if (reader.remaining !== 0 && (message as { name: string }).name !== "malformed" && frame.code !== Client.CopyData) {
      return { name: "malformed", reason: "message is longer than its fields" };
    }
    return message;
  } catch (error) {
    if (error instanceof ProtocolViolation) return { name: "malformed", reason: error.message };
    throw error;
  }
}

// ── Server messages, decoded only when needed ────────────────────────────────────────────────────────────

export function parseRowDescription(payload: Buffer): FieldDescription[] {
  const reader = new Reader(payload);
  const count = reader.int16();
  const fields: FieldDescription[] = [];
  for (let i = 0; i < count; i++) {
    fields.push({
      name: reader.cstring(),
      tableOid: reader.int32() >>> 0,
      columnNumber: reader.int16(),
      typeOid: reader.int32() >>> 0,
      typeSize: reader.int16(),
      typeModifier: reader.int32(),
      format: reader.int16(),
    });
  }
  return fields;
}

/** A DataRow's cells as views (null for SQL NULL). */
export function dataRowCells(payload: Buffer): (Buffer | null)[] {
  const reader = new Reader(payload);
  const count = reader.int16();
  const cells: (Buffer | null)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const length = reader.int32();
    cells[i] = length < 0 ? null : reader.bytes(length);
  }
  return cells;
}

export function parseNotice(payload: Buffer): Notice {
  const reader = new Reader(payload);
  const fields = new Map<string, string>();
  for (;;) {
    const code = reader.byte();
    if (code === 0) break;
    fields.set(String.fromCharCode(code), reader.cstring());
  }
  return { fields };
}

/** NotificationResponse: the notifying backend's pid, the channel and the payload (LISTEN/NOTIFY). */
export function parseNotification(payload: Buffer): { processId: number; channel: string; payload: string } {
  const reader = new Reader(payload);
  return { processId: reader.int32(), channel: reader.cstring(), payload: reader.cstring() };
}
