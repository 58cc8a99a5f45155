import { PacketWriter } from "./buffers";
import { Capability, ColumnType, ServerStatus, UTF8MB4 } from "./constants";

// The server's packets (payloads only; packets.ts frames them with sequence ids).

export interface Handshake {
  readonly serverVersion: string;
  readonly connectionId: number;
  /** 20 random bytes (no NUL). */
  readonly nonce: Buffer;
  readonly capabilities: number;
  readonly authPlugin: string;
  readonly status?: number;
}

export function handshakeV10(h: Handshake): Buffer {
  return new PacketWriter()
    .u8(10)
    .nulString(h.serverVersion)
    .u32(h.connectionId)
    .bytes(h.nonce.subarray(0, 8))
    .u8(0)
    .u16(h.capabilities & 0xffff)
    .u8(UTF8MB4)
    .u16(h.status ?? ServerStatus.Autocommit)
    .u16((h.capabilities >>> 16) & 0xffff)
    .u8(21)
    .zeros(10)
    .bytes(h.nonce.subarray(8, 20))
    .u8(0)
    .nulString(h.authPlugin)
    .build();
}

export interface Ok {
  readonly affectedRows?: number;
  readonly lastInsertId?: number | bigint;
  readonly status?: number;
  readonly warnings?: number;
  readonly info?: string;
}

/** OK; `eof`: as the end of a result set under CLIENT_DEPRECATE_EOF (header 0xFE). */
export function ok(packet: Ok = {}, eof = false): Buffer {
  const writer = new PacketWriter()
    .u8(eof ? 0xfe : 0x00)
    .lenenc(packet.affectedRows ?? 0);
  const id = packet.lastInsertId ?? 0;
  if (typeof id === "bigint") writer.u8(0xfe).u64(id);
  else writer.lenenc(id);
  writer.u16(packet.status ?? ServerStatus.Autocommit).u16(packet.warnings ?? 0);
  if (packet.info) writer.string(packet.info);
  return writer.build();
}

export interface Err {
  readonly errno: number;
  readonly sqlState: string;
  readonly message: string;
}

export function err(packet: Err): Buffer {
  const state = /^[0-9A-Z]{5}$/.test(packet.sqlState) ? packet.sqlState : "HY000";
  return new PacketWriter().u8(0xff).u16(packet.errno).string("#").string(state).string(packet.message).build();
}

export function eof(status: number = ServerStatus.Autocommit, warnings = 0): Buffer {
  return new PacketWriter().u8(0xfe).u16(warnings).u16(status).build();
}

/** The end of a result set (or of column definitions): EOF, or OK with 0xFE under CLIENT_DEPRECATE_EOF. */
export function endOfRows(capabilities: number, status: number = ServerStatus.Autocommit, warnings = 0): Buffer {
  return capabilities & Capability.DeprecateEof ? ok({ status, warnings }, true) : eof(status, warnings);
}

export function columnCount(count: number): Buffer {
  return new PacketWriter().lenenc(count).build();
}

export interface ColumnDefinition {
  readonly schema: string;
  readonly table: string;
  readonly orgTable: string;
  readonly name: string;
  readonly orgName: string;
  readonly charset: number;
  readonly length: number;
  readonly type: number;
  readonly flags: number;
  readonly decimals: number;
}

export function columnDefinition(column: ColumnDefinition): Buffer {
  return new PacketWriter()
    .lenencString("def")
    .lenencString(column.schema)
    .lenencString(column.table)
    .lenencString(column.orgTable)
    .lenencString(column.name)
    .lenencString(column.orgName)
    .lenenc(0x0c)
    .u16(column.charset)
    .u32(column.length)
    .u8(column.type)
    .u16(column.flags)
    .u8(column.decimals)
    .zeros(2)
    .build();
}

/** A text-protocol row: each value as text (or bytes), NULL as 0xFB. */
export function textRow(values: readonly (string | Buffer | null)[]): Buffer {
  const writer = new PacketWriter();
  for (const value of values) {
    if (value === null) writer.u8(0xfb);
    else writer.lenencString(value);
  }
  return writer.build();
}

export function authSwitch(plugin: string, data: Buffer): Buffer {
  return new PacketWriter().u8(0xfe).nulString(plugin).bytes(data).u8(0).build();
}

export function authMoreData(data: Buffer): Buffer {
  return new PacketWriter().u8(0x01).bytes(data).build();
}

export function prepareOk(statementId: number, columns: number, params: number, warnings = 0): Buffer {
  return new PacketWriter().u8(0).u32(statementId).u16(columns).u16(params).u8(0).u16(warnings).build();
}

/**
 * A binary-protocol row from text values: integers, floats and doubles in their binary forms, dates and times
 * as MySQL's date structures, everything else as length-encoded strings (what decimals, strings and blobs are).
 */
export function binaryRow(types: readonly number[], values: readonly (string | Buffer | null)[]): Buffer {
  const nullBitmap = Buffer.alloc(Math.floor((values.length + 7 + 2) / 8));
  const writer = new PacketWriter();
  const body = new PacketWriter();
  values.forEach((value, i) => {
    if (value === null) {
      nullBitmap[Math.floor((i + 2) / 8)]! |= 1 << ((i + 2) % 8);
      return;
    }
    binaryValue(body, types[i] ?? ColumnType.VarString, value);
  });
  return writer.u8(0).bytes(nullBitmap).bytes(body.build()).build();
}

function binaryValue(writer: PacketWriter, type: number, value: string | Buffer): void {
  const text = typeof value === "string" ? value : value.toString("latin1");
  switch (type) {
    case ColumnType.Tiny:
      writer.u8(Number(text) & 0xff);
      return;
    case ColumnType.Short:
    case ColumnType.Year:
      writer.u16(Number(text) & 0xffff);
      return;
    case ColumnType.Long:
    case ColumnType.Int24:
      writer.u32(Number(text) >>> 0);
      return;
    case ColumnType.LongLong:
      writer.u64(BigInt.asUintN(64, BigInt(text)));
      return;
    case ColumnType.Float: {
      const b = Buffer.allocUnsafe(4);
      b.writeFloatLE(Number(text), 0);
      writer.bytes(b);
      return;
    }
    case ColumnType.Double: {
      const b = Buffer.allocUnsafe(8);
      b.writeDoubleLE(Number(text), 0);
      writer.bytes(b);
      return;
    }
    case ColumnType.Date:
    case ColumnType.DateTime:
    case ColumnType.Timestamp:
      writer.bytes(dateTime(text));
      return;
    case ColumnType.Time:
      writer.bytes(time(text));
      return;
    default:
      writer.lenencString(value);
  }
}

/** "YYYY-MM-DD[ hh:mm:ss[.ffffff]]" as MySQL's binary date: a length byte, then only the parts that are not 0. */
function dateTime(text: string): Buffer {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?/.exec(text);
  if (!m) return Buffer.from([0]);
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  const micro = m[7] ? Number(m[7].padEnd(6, "0")) : 0;
  const w = new PacketWriter();
  if (micro) w.u8(11).u16(year!).u8(month!).u8(day!).u8(hour!).u8(minute!).u8(second!).u32(micro);
  else if (hour || minute || second) w.u8(7).u16(year!).u8(month!).u8(day!).u8(hour!).u8(minute!).u8(second!);
  else if (year || month || day) w.u8(4).u16(year!).u8(month!).u8(day!);
  else w.u8(0);
  return w.build();
}

/** "[-]hhh:mm:ss[.ffffff]" as MySQL's binary time. */
function time(text: string): Buffer {
  const m = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) return Buffer.from([0]);
  const hours = Number(m[2]);
  const [days, hour] = [Math.floor(hours / 24), hours % 24];
  const micro = m[5] ? Number(m[5].padEnd(6, "0")) : 0;
  const w = new PacketWriter();
  if (micro) w.u8(12).u8(m[1] ? 1 : 0).u32(days).u8(hour).u8(Number(m[3])).u8(Number(m[4])).u32(micro);
  else if (days || hour || Number(m[3]) || Number(m[4])) w.u8(8).u8(m[1] ? 1 : 0).u32(days).u8(hour).u8(Number(m[3])).u8(Number(m[4]));
  else w.u8(0);
  return w.build();
}
