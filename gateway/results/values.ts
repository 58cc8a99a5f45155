// One result value, three ways: a cell of the compact table (one line a row, so nothing in a value may break a
// line or forge a boundary marker), a JSON value (structured output: bigint as text, bytes as base64, dates as
// ISO), and a CSV field (RFC 4180). Values arrive masked; nothing here sees a raw one.

export type JsonCell = null | string | number | boolean | { readonly base64: string } | readonly unknown[] | { readonly [key: string]: unknown };

/** NULL in the compact table (a string "\N" is written `\\N`, so the two never meet). */
export const NULL_CELL = "\\N";

/** Characters that would break the one-line-a-row layout or could pass for a line break in some renderer. */
const ESCAPED = /[\\|\u0000-\u001f\u007f\u0085\u2028\u2029]|<(?=<)/g;

function escapeOne(char: string): string {
  switch (char) {
    case "\\":
      return "\\\\";
    case "|":
      return "\\|";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    case "<":
      // "<<" never appears in a cell, so no value can spell a `<<<airlock:…>>>` marker.
      return "<\\";
    default:
      return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  }
}

/** Escapes text for the compact table: `\\`, `\|`, `\n`, `\r`, `\t`, `\uXXXX`, and `<<` written `<\<`. */
export function escapeCell(text: string): string {
  return text.replace(ESCAPED, escapeOne);
}

/** A value's text before escaping (null excluded). */
export function plainText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`;
  return JSON.stringify(value, jsonSafe) ?? String(value);
}

/**
 * A value as JSON: bigint as a string, bytes as `{ base64 }`, dates as ISO text, non-finite numbers as text;
 * arrays and objects (json columns, PostgreSQL arrays) made JSON-safe the same way.
 */
export function jsonCell(value: unknown): JsonCell {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return plainText(value);
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString("base64") };
  return JSON.parse(JSON.stringify(value, jsonSafe) ?? "null") as JsonCell;
}

function jsonSafe(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString("base64") };
  if (value && typeof value === "object" && (value as { type?: string }).type === "Buffer" && Array.isArray((value as { data?: unknown }).data)) {
    return { base64: Buffer.from((value as { data: number[] }).data).toString("base64") };
  }
  return value;
}

/** Text longer than `max` characters, cut (never inside a surrogate pair) and marked with how much is left out. */
export function cutText(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { text: `${text.slice(0, end)}…[+${text.length - end} chars]`, cut: true };
}

/** One CSV field (RFC 4180): NULL is an empty field, an empty string is `""`; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = plainText(value);
  return text === "" || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
