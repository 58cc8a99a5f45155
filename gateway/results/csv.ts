import type { StatementResult } from "../engine/types";
import { csvField } from "./values";

// A result as CSV (RFC 4180): a header row of column names, then one record a row, CRLF line ends. Masked values
// are written as masked; NULL is an empty field and an empty string `""`.

export function csvOf(result: StatementResult): string {
  const lines = [result.columns.map((column) => csvField(column.name)).join(",")];
  for (const row of result.rows) lines.push(row.map(csvField).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
