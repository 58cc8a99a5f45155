// CSV for exports people open in spreadsheets (RFC 4180: CRLF lines, quotes doubled). A cell that a spreadsheet
// would run as a formula (=, +, -, @, tab, CR at the start) is prefixed with a single quote: recorded SQL and
// agent-chosen names are attacker-controlled text.

export type CsvCell = string | number | boolean | bigint | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** A whole CSV text: the header line, then one line per row. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  let text = csvLine(header);
  for (const row of rows) text += csvLine(row);
  return text;
}
