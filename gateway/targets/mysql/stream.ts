import type { FieldPacket, PoolConnection, ResultSetHeader } from "mysql2";

// Runs one statement and reads at most `limit + 1` rows of its first result set, as they arrive. When the
// limit is passed the socket is paused and the promise settles with `truncated`; the caller must then destroy
// the connection (the rest of the result is still on its way). Without parameters the text protocol runs it
// (every statement kind works); with parameters a server-side prepared statement does (values are bound by
// the server, never spliced into the text).

export interface StreamOutcome {
  readonly fields: readonly FieldPacket[];
  readonly rows: unknown[][];
  readonly header: ResultSetHeader | undefined;
  readonly truncated: boolean;
}

/** About how many bytes a row's values take (strings and bytes by length; other values a word each). */
function rowBytes(row: readonly unknown[]): number {
  let bytes = 0;
  for (const value of row) bytes += typeof value === "string" || Buffer.isBuffer(value) ? value.length : 8;
  return bytes;
}

export function streamStatement(
  connection: PoolConnection,
  sql: string,
  params: readonly unknown[],
  limit: number,
  options: { textTypeCast?: unknown; maxBytes?: number } = {},
): Promise<StreamOutcome> {
  const maxBytes = options.maxBytes ?? Infinity;
  return new Promise((resolve, reject) => {
    let fields: readonly FieldPacket[] | undefined;
    let header: ResultSetHeader | undefined;
    let rowsIndex: number | undefined;
    const rows: unknown[][] = [];
    let bytes = 0;
    let settled = false;
    const command =
      params.length > 0
        ? connection.execute({ sql, values: params.map((value) => (value === undefined ? null : value)), rowsAsArray: true })
        : connection.query({ sql, rowsAsArray: true, ...(options.textTypeCast ? { typeCast: options.textTypeCast as never } : {}) });
    command.on("fields", (received: FieldPacket[] | undefined) => {
      if (fields === undefined && received !== undefined) fields = received;
    });
    command.on("result", (row: unknown, index?: number) => {
      if (settled) return;
      if (!Array.isArray(row)) {
        header ??= row as ResultSetHeader;
        return;
      }
      rowsIndex ??= index ?? 0;
      if ((index ?? 0) !== rowsIndex) return;
      bytes += rowBytes(row);
      // Past the row limit or the byte limit: cut here (the row that passed the byte limit is not kept).
      if (bytes <= maxBytes) rows.push(row);
      if (rows.length > limit || bytes > maxBytes) {
        settled = true;
        connection.pause();
        if (rows.length > limit) rows.length = limit;
        resolve({ fields: fields ?? [], rows, header, truncated: true });
      }
    });
    command.on("error", (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    command.on("end", () => {
      if (settled) return;
      settled = true;
      resolve({ fields: fields ?? [], rows, header, truncated: false });
    });
  });
}

/** A statement whose result the gateway does not need (session settings, transaction control). */
export function runQuiet(connection: PoolConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => connection.query(sql, (error) => (error ? reject(error) : resolve())));
}

/** The gateway's own reads (information_schema), as objects. */
export function readRows<T>(connection: PoolConnection, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => connection.query(sql, (error, rows) => (error ? reject(error) : resolve(rows as T[]))));
}

/**
 * A statement with bound values (a server-side prepared statement, kept in mysql2's per-connection cache unless
 * `unprepare`: then closed at once, for a session whose prepared statements a reset may drop).
 */
export function runBound(connection: PoolConnection, sql: string, values: readonly (string | null)[], unprepare = false): Promise<void> {
  return new Promise((resolve, reject) =>
    connection.execute(sql, [...values], (error) => {
      if (unprepare) connection.unprepare(sql);
      if (error) reject(error);
      else resolve();
    }),
  );
}
