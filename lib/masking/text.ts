// Turning any driver value into the text a strategy masks. pg and mysql2 hand back strings, numbers, bigints,
// booleans, Dates, Buffers and parsed JSON; every one of them has exactly one text form here.

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array; // Buffer is a Uint8Array
}

/** UTF-8 text of bytes, without copying them (invalid sequences become U+FFFD). */
export function bytesToText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * The text form of a non-null value:
 * string as is; number/bigint via String(); boolean "true"/"false"; Date as ISO 8601 (UTC), an invalid Date as
 * "Invalid Date"; bytes decoded as UTF-8; arrays and objects as JSON (bigints as strings). Returns `null` when no
 * text form exists (circular JSON, symbols, functions): callers then redact the value entirely.
 */
export function valueToText(value: unknown): string | null {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
      if (isBytes(value)) return bytesToText(value);
      try {
        const json = JSON.stringify(value, jsonReplacer);
        return typeof json === "string" ? json : null;
      } catch {
        return null;
      }
    }
    default:
      return null;
  }
}
