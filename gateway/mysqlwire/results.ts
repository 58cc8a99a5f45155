import type { FieldPacket } from "mysql2";
import type { StatementResult } from "../engine/types";
import type { WireFields } from "../targets";
import { BINARY_CHARSET, Capability, ColumnType, ServerStatus, UTF8MB4 } from "../protocols/mysql/constants";
import { binaryRow, columnCount, columnDefinition, endOfRows, ok, type ColumnDefinition } from "../protocols/mysql/serializer";

// The engine's masked results as MySQL result sets: column definitions from the target's own fields (a masked
// column is announced as a string, since its values no longer are numbers or dates), the rows as the server sent
// them but for the masked cells, then the end of the set. Several results: each but the last says more follow.

/** A masked column's definition: text, whatever the column was. */
function maskedDefinition(field: FieldPacket): ColumnDefinition {
  return { ...definition(field), charset: UTF8MB4, length: 1024, type: ColumnType.VarString, flags: 0, decimals: 0x1f };
}

function definition(field: FieldPacket): ColumnDefinition {
  return {
    schema: field.db ?? "",
    table: field.table ?? "",
    orgTable: field.orgTable ?? "",
    name: field.name,
    orgName: field.orgName ?? "",
    // Text is relayed as the JavaScript string mysql2 decoded, so it leaves in UTF-8 whatever the column's charset.
    charset: field.characterSet === BINARY_CHARSET ? BINARY_CHARSET : UTF8MB4,
    length: field.columnLength ?? 0,
    type: field.columnType ?? ColumnType.VarString,
    flags: Number(field.flags ?? 0),
    decimals: field.decimals ?? 0,
  };
}

/** A value as the text protocol carries it. */
export function wireText(value: unknown): string | Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === "string") return value;
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace("T", " ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export interface ResultPackets {
  readonly payloads: Buffer[];
  readonly status: number;
}

/**
 * The payloads for every result, text or binary protocol. `status` is the session's server status (in a
 * transaction or not); each result but the last carries SERVER_MORE_RESULTS_EXISTS.
 */
export function resultPackets(results: readonly StatementResult[], fields: readonly WireFields[], capabilities: number, binary: boolean, status: number): ResultPackets {
  const payloads: Buffer[] = [];
  let current = status;
  results.forEach((result, index) => {
    const wire = fields[index];
    const more = index < results.length - 1 ? ServerStatus.MoreResults : 0;
    const header = wire?.header;
    if (header?.serverStatus !== undefined) current = header.serverStatus & ~ServerStatus.MoreResults;
    if (!wire || wire.fields.length === 0) {
      payloads.push(
        ok({ affectedRows: header?.affectedRows ?? result.rowCount, lastInsertId: header?.insertId ?? 0, status: current | more, warnings: header?.warningStatus ?? 0, info: header?.info ?? "" }),
      );
      return;
    }
    payloads.push(columnCount(wire.fields.length));
    const types: number[] = [];
    wire.fields.forEach((field, i) => {
      const masked = result.columns[i]?.masked !== undefined;
      const def = masked ? maskedDefinition(field) : definition(field);
      types.push(def.type);
      payloads.push(columnDefinition(def));
    });
    if (!(capabilities & Capability.DeprecateEof)) payloads.push(endOfRows(capabilities, current));
    for (const row of result.rows) {
      const values = row.map(wireText);
      payloads.push(binary ? binaryRow(types, values) : textRowOf(values));
    }
    if (!result.truncated) payloads.push(endOfRows(capabilities, current | more));
  });
  return { payloads, status: current };
}

function textRowOf(values: readonly (string | Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) {
    if (value === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
    parts.push(lenenc(bytes.length), bytes);
  }
  return Buffer.concat(parts);
}

function lenenc(value: number): Buffer {
  if (value < 0xfb) return Buffer.from([value]);
  if (value < 0x10000) return Buffer.from([0xfc, value & 0xff, value >> 8]);
  if (value < 0x1000000) return Buffer.from([0xfd, value & 0xff, (value >> 8) & 0xff, value >> 16]);
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(value), 1);
  return b;
}
