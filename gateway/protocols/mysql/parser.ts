import { PacketReader, ShortPacket } from "./buffers";
import { Capability, ColumnType, Command } from "./constants";

// The client's packets. Each parse answers a message or an error value (a packet cut short, a command this door
// does not know); nothing here throws at the caller.

export type ParseFailure = { readonly name: "malformed"; readonly reason: string };

export type HandshakeMessage =
  | { readonly name: "ssl_request"; readonly capabilities: number }
  | {
      readonly name: "handshake_response";
      readonly capabilities: number;
      readonly maxPacket: number;
      readonly charset: number;
      readonly user: string;
      readonly authResponse: Buffer;
      readonly database: string | null;
      readonly plugin: string | null;
      readonly attributes: Readonly<Record<string, string>>;
    };

/** HandshakeResponse41, or the SSLRequest that comes before it on a TLS connection (32 bytes, CLIENT_SSL set). */
export function parseHandshakeResponse(payload: Buffer): HandshakeMessage | ParseFailure {
  try {
    const r = new PacketReader(payload);
    const capabilities = r.u32();
    if (!(capabilities & Capability.Protocol41)) return { name: "malformed", reason: "the client does not speak protocol 4.1" };
    const maxPacket = r.u32();
    const charset = r.u8();
    r.skip(23);
    if (r.remaining === 0) {
      if (capabilities & Capability.Ssl) return { name: "ssl_request", capabilities };
      return { name: "malformed", reason: "the handshake response has no user" };
    }
    const user = r.nulString();
    let authResponse: Buffer;
    if (capabilities & Capability.PluginAuthLenencData) authResponse = r.lenencBytes() ?? Buffer.alloc(0);
    else if (capabilities & Capability.SecureConnection) authResponse = r.bytes(r.u8());
    else authResponse = Buffer.from(r.nulString(), "utf8");
    const database = capabilities & Capability.ConnectWithDb && r.remaining > 0 ? r.nulString() : null;
    const plugin = capabilities & Capability.PluginAuth && r.remaining > 0 ? r.nulString() : null;
    const attributes: Record<string, string> = {};
    if (capabilities & Capability.ConnectAttrs && r.remaining > 0) {
      const length = r.lenenc() ?? 0;
      const end = r.offset + length;
      while (r.offset < end) {
        const key = r.lenencBytes()?.toString("utf8") ?? "";
        const value = r.lenencBytes()?.toString("utf8") ?? "";
        if (Object.keys(attributes).length < 64) attributes[key.slice(0, 64)] = value.slice(0, 256);
      }
    }
    return { name: "handshake_response", capabilities, maxPacket, charset, user, authResponse, database: database || null, plugin, attributes };
  } catch (error) {
    return { name: "malformed", reason: error instanceof ShortPacket ? error.message : "unreadable handshake response" };
  }
}

export type CommandMessage =
  | { readonly name: "quit" }
  | { readonly name: "ping" }
  | { readonly name: "statistics" }
  | { readonly name: "reset_connection" }
  | { readonly name: "query"; readonly sql: string }
  | { readonly name: "init_db"; readonly schema: string }
  | { readonly name: "field_list"; readonly table: string; readonly wildcard: string }
  | { readonly name: "process_kill"; readonly id: number }
  | { readonly name: "set_option"; readonly option: number }
  | { readonly name: "stmt_prepare"; readonly sql: string }
  | { readonly name: "stmt_execute"; readonly statementId: number; readonly flags: number; readonly body: Buffer }
  | { readonly name: "stmt_send_long_data"; readonly statementId: number; readonly param: number; readonly data: Buffer }
  | { readonly name: "stmt_close"; readonly statementId: number }
  | { readonly name: "stmt_reset"; readonly statementId: number }
  | { readonly name: "unknown"; readonly code: number };

export function parseCommand(payload: Buffer): CommandMessage | ParseFailure {
  if (payload.length === 0) return { name: "malformed", reason: "an empty command packet" };
  try {
    const r = new PacketReader(payload);
    const code = r.u8();
    switch (code) {
      case Command.Quit:
        return { name: "quit" };
      case Command.Ping:
        return { name: "ping" };
      case Command.Statistics:
        return { name: "statistics" };
      case Command.ResetConnection:
        return { name: "reset_connection" };
      case Command.Query:
        return { name: "query", sql: r.rest().toString("utf8") };
      case Command.InitDb:
        return { name: "init_db", schema: r.rest().toString("utf8") };
      case Command.FieldList: {
        const table = r.nulString();
        return { name: "field_list", table, wildcard: r.rest().toString("utf8") };
      }
      case Command.ProcessKill:
        return { name: "process_kill", id: r.u32() };
      case Command.SetOption:
        return { name: "set_option", option: r.u16() };
      case Command.StmtPrepare:
        return { name: "stmt_prepare", sql: r.rest().toString("utf8") };
      case Command.StmtExecute: {
        const statementId = r.u32();
        const flags = r.u8();
        r.u32(); // iteration count, always 1
        return { name: "stmt_execute", statementId, flags, body: r.rest() };
      }
      case Command.StmtSendLongData: {
        const statementId = r.u32();
        const param = r.u16();
        return { name: "stmt_send_long_data", statementId, param, data: r.rest() };
      }
      case Command.StmtClose:
        return { name: "stmt_close", statementId: r.u32() };
      case Command.StmtReset:
        return { name: "stmt_reset", statementId: r.u32() };
      default:
        return { name: "unknown", code };
    }
  } catch (error) {
    return { name: "malformed", reason: error instanceof ShortPacket ? error.message : "unreadable command" };
  }
}

/**
 * COM_STMT_EXECUTE's parameters: the NULL bitmap, the new-params-bound flag with each parameter's type (else the
 * types the client sent last time), then the values. Long data sent earlier stands for its parameter.
 */
export function parseExecuteParams(
  body: Buffer,
  count: number,
  previousTypes: readonly number[] | undefined,
  longData: ReadonlyMap<number, Buffer>,
): { params: unknown[]; types: number[] } | ParseFailure {
  if (count === 0) return { params: [], types: [] };
  try {
    const r = new PacketReader(body);
    const nullBitmap = r.bytes(Math.floor((count + 7) / 8));
    const bound = r.u8();
    let types: number[];
    if (bound === 1) {
      types = [];
      for (let i = 0; i < count; i++) types.push(r.u16());
    } else if (previousTypes) types = [...previousTypes];
    else return { name: "malformed", reason: "parameters sent without their types" };
    const params: unknown[] = [];
    for (let i = 0; i < count; i++) {
      if (nullBitmap[i >> 3]! & (1 << (i & 7))) params.push(null);
      else if (longData.has(i)) params.push(longData.get(i)!.toString("utf8"));
      else params.push(readBinaryValue(r, types[i]!));
    }
    return { params, types };
  } catch (error) {
    return { name: "malformed", reason: error instanceof ShortPacket ? error.message : "unreadable parameters" };
  }
}

function readBinaryValue(r: PacketReader, typeAndFlag: number): unknown {
  const type = typeAndFlag & 0xff;
  const unsigned = (typeAndFlag & 0x8000) !== 0;
  switch (type) {
    case ColumnType.Tiny: {
      const v = r.u8();
      return unsigned ? v : (v << 24) >> 24;
    }
    case ColumnType.Short:
    case ColumnType.Year: {
      const v = r.u16();
      return unsigned ? v : (v << 16) >> 16;
    }
    case ColumnType.Long:
    case ColumnType.Int24: {
      const v = r.u32();
      return unsigned ? v : v | 0;
    }
    case ColumnType.LongLong: {
      const raw = r.bytes(8);
      const v = unsigned ? raw.readBigUInt64LE(0) : raw.readBigInt64LE(0);
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    }
    case ColumnType.Float:
      return r.bytes(4).readFloatLE(0);
    case ColumnType.Double:
      return r.bytes(8).readDoubleLE(0);
    case ColumnType.Null:
      return null;
    case ColumnType.Date:
    case ColumnType.DateTime:
    case ColumnType.Timestamp: {
      const length = r.u8();
      const p = r.bytes(length);
      if (length === 0) return "0000-00-00 00:00:00";
      const pad = (n: number, w = 2) => String(n).padStart(w, "0");
      let text = `${pad(p.readUInt16LE(0), 4)}-${pad(p[2]!)}-${pad(p[3]!)}`;
      if (length >= 7) text += ` ${pad(p[4]!)}:${pad(p[5]!)}:${pad(p[6]!)}`;
      if (length >= 11) text += `.${pad(p.readUInt32LE(7), 6)}`;
      return text;
    }
    case ColumnType.Time: {
      const length = r.u8();
      const p = r.bytes(length);
      if (length === 0) return "00:00:00";
      const pad = (n: number, w = 2) => String(n).padStart(w, "0");
      const hours = p.readUInt32LE(1) * 24 + p[5]!;
      let text = `${p[0] ? "-" : ""}${pad(hours)}:${pad(p[6]!)}:${pad(p[7]!)}`;
      if (length >= 12) text += `.${pad(p.readUInt32LE(8), 6)}`;
      return text;
    }
    default: {
      const bytes = r.lenencBytes();
      return bytes === null ? null : bytes.toString("utf8");
    }
  }
}
