import { Writer } from "./buffers";
import { Client, Code, PROTOCOL_3_0 } from "./parser";
import type { FieldDescription, TransactionStatus } from "./messages";

// Messages → bytes. Server messages Airlock writes itself (authentication, errors, notices, masked rows) and the
// few client messages the gateway sends its target on its own behalf. Fixed frames are built once.

const writer = new Writer(1024);

export const SSL_ACCEPTED = Buffer.from("S");
export const SSL_REFUSED = Buffer.from("N");
export const AUTH_OK = writer.int32(0).frame(Code.Authentication);
export const AUTH_CLEARTEXT = writer.int32(3).frame(Code.Authentication);
export const SYNC = writer.frame(Client.Sync);
export const FLUSH = writer.frame(Client.Flush);
export const TERMINATE = writer.frame(Client.Terminate);
export const NO_DATA = writer.frame(Code.NoData);
export const DESCRIBE_UNNAMED_PORTAL = writer.byte(0x50).cstring("").frame(Client.Describe);
const READY: Record<TransactionStatus, Buffer> = {
  I: writer.byte(0x49).frame(Code.ReadyForQuery),
  T: writer.byte(0x54).frame(Code.ReadyForQuery),
  E: writer.byte(0x45).frame(Code.ReadyForQuery),
};

export function readyForQuery(status: TransactionStatus): Buffer {
  return READY[status];
}

export function authSasl(mechanisms: readonly string[]): Buffer {
  writer.int32(10);
  for (const mechanism of mechanisms) writer.cstring(mechanism);
  return writer.byte(0).frame(Code.Authentication);
}

export function authSaslContinue(data: string): Buffer {
  return writer.int32(11).bytes(Buffer.from(data, "utf8")).frame(Code.Authentication);
}

export function authSaslFinal(data: string): Buffer {
  return writer.int32(12).bytes(Buffer.from(data, "utf8")).frame(Code.Authentication);
}

export function parameterStatus(name: string, value: string): Buffer {
  return writer.cstring(name).cstring(value).frame(Code.ParameterStatus);
}

export function backendKeyData(processId: number, secretKey: number): Buffer {
  return writer.int32(processId).int32(secretKey).frame(Code.BackendKeyData);
}

export interface ErrorFields {
  /** ERROR, FATAL, NOTICE, WARNING, … */
  readonly severity: string;
  /** SQLSTATE. */
  readonly code: string;
  readonly message: string;
  readonly detail?: string;
  readonly hint?: string;
  /** 1-based character position in the statement the error points at. */
  readonly position?: number;
}

function fields(code: number, error: ErrorFields): Buffer {
  writer.byte(0x53).cstring(error.severity); // S
  writer.byte(0x56).cstring(error.severity); // V (not localised)
  writer.byte(0x43).cstring(error.code); // C
  writer.byte(0x4d).cstring(error.message); // M
  if (error.detail) writer.byte(0x44).cstring(error.detail); // D
  if (error.hint) writer.byte(0x48).cstring(error.hint); // H
  if (error.position !== undefined) writer.byte(0x50).cstring(String(error.position)); // P
  return writer.byte(0).frame(code);
}

export function errorResponse(error: ErrorFields): Buffer {
  return fields(Code.ErrorResponse, error);
}

export function noticeResponse(notice: ErrorFields): Buffer {
  return fields(Code.NoticeResponse, notice);
}

/** An error or notice from raw field pairs (a target's error with some fields rewritten). */
export function noticeFields(code: number, entries: Iterable<[string, string]>): Buffer {
  for (const [key, value] of entries) writer.byte(key.charCodeAt(0)).cstring(value);
  return writer.byte(0).frame(code);
}

export function notificationResponse(processId: number, channel: string, payload: string): Buffer {
  return writer.int32(processId).cstring(channel).cstring(payload).frame(Code.NotificationResponse);
}

export function rowDescription(columns: readonly FieldDescription[]): Buffer {
  writer.int16(columns.length);
  for (const column of columns) {
    writer.cstring(column.name).int32(column.tableOid).int16(column.columnNumber).int32(column.typeOid);
    writer.int16(column.typeSize).int32(column.typeModifier).int16(column.format);
  }
  return writer.frame(Code.RowDescription);
}

export function dataRow(cells: readonly (Uint8Array | null)[]): Buffer {
  writer.int16(cells.length);
  for (const cell of cells) {
    if (cell === null) writer.int32(-1);
    else writer.int32(cell.length).bytes(cell);
  }
  return writer.frame(Code.DataRow);
}

export function commandComplete(tag: string): Buffer {
  return writer.cstring(tag).frame(Code.CommandComplete);
}

// ── Client messages (the gateway towards its target, and tests) ──────────────────────────────────────────

export function startupMessage(parameters: Iterable<[string, string]>): Buffer {
  writer.int32(PROTOCOL_3_0);
  for (const [key, value] of parameters) writer.cstring(key).cstring(value);
  return writer.byte(0).frame(null);
}

export function sslRequest(): Buffer {
  return writer.int32(80877103).frame(null);
}

export function cancelRequest(processId: number, secretKey: number): Buffer {
  return writer.int32(80877102).int32(processId).int32(secretKey).frame(null);
}

export function passwordMessage(password: string): Buffer {
  return writer.cstring(password).frame(Client.Password);
}

export function saslInitialResponse(mechanism: string, data: string): Buffer {
  const bytes = Buffer.from(data, "utf8");
  return writer.cstring(mechanism).int32(bytes.length).bytes(bytes).frame(Client.Password);
}

export function saslResponse(data: string): Buffer {
  return writer.bytes(Buffer.from(data, "utf8")).frame(Client.Password);
}

export function query(sql: string): Buffer {
  return writer.cstring(sql).frame(Client.Query);
}

export function parse(statement: string, sql: string, paramTypes: readonly number[] = []): Buffer {
  writer.cstring(statement).cstring(sql).int16(paramTypes.length);
  for (const type of paramTypes) writer.int32(type);
  return writer.frame(Client.Parse);
}

export function bind(portal: string, statement: string, params: readonly (Uint8Array | null)[], paramFormats: readonly number[] = [], resultFormats: readonly number[] = []): Buffer {
  writer.cstring(portal).cstring(statement).int16(paramFormats.length);
  for (const format of paramFormats) writer.int16(format);
  writer.int16(params.length);
  for (const param of params) {
    if (param === null) writer.int32(-1);
    else writer.int32(param.length).bytes(param);
  }
  writer.int16(resultFormats.length);
  for (const format of resultFormats) writer.int16(format);
  return writer.frame(Client.Bind);
}

export function describe(target: "S" | "P", name: string): Buffer {
  return writer.byte(target.charCodeAt(0)).cstring(name).frame(Client.Describe);
}

export function execute(portal: string, maxRows = 0): Buffer {
  return writer.cstring(portal).int32(maxRows).frame(Client.Execute);
}

export function close(target: "S" | "P", name: string): Buffer {
  return writer.byte(target.charCodeAt(0)).cstring(name).frame(Client.Close);
}

export function copyData(data: Uint8Array): Buffer {
  return writer.bytes(data).frame(Client.CopyData);
}

export function copyDone(): Buffer {
  return writer.frame(Client.CopyDone);
}
