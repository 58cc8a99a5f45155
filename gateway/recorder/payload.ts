import { canonicalJson } from "../../lib/audit/chain";

// What an event's payload becomes before it is hashed and stored. The hash is computed over exactly the value
// that goes into the JSONB column, in a form that comes back out of it unchanged (up to key order, which the
// canonical JSON ignores):
//   - Date → ISO text, BigInt → decimal string, undefined/functions dropped, NaN/±Infinity → null (as JSON);
//   - NUL characters and lone UTF-16 surrogates → U+FFFD (PostgreSQL refuses both in JSONB and TEXT);
//   - larger than the cap when serialized → the small fields kept, the large ones cut, and a "$truncated" marker.
// The recorder stores what it is given: masking is the caller's job. This is a guard, not a masker.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
export const DEFAULT_MAX_SQL_BYTES = 64 * 1024;
export const TRUNCATED_KEY = "$truncated";

/** Room kept for the marker and the object's own punctuation. */
const MARKER_RESERVE = 1024;

export interface StoredPayload {
  readonly payload: JsonObject;
  /** canonicalJson(payload): what is hashed, and stored as the JSONB value. */
  readonly json: string;
  /** Serialized size of the stored payload. */
  readonly bytes: number;
  /** Serialized size of the caller's payload, when it was cut down to fit. */
  readonly truncatedFrom?: number;
}

/** The JSON form of `value` that survives a JSONB round trip; throws TypeError on a cycle. */
export function toStorableJson(value: unknown): JsonValue {
  return storable(value).json;
}

/** A storable payload: a JSON object of at most `maxBytes` serialized. */
export function storablePayload(value: unknown, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): StoredPayload {
  const { json, text } = storable(value);
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw new TypeError("payload must be a JSON object");
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { payload: json, json: text, bytes };
  const payload = truncate(json, bytes, maxBytes);
  const cut = canonicalJson(payload);
  return { payload, json: cut, bytes: Buffer.byteLength(cut), truncatedFrom: bytes };
}

/**
 * The same as storablePayload's `json` and `bytes`, without building the payload object when the canonical text is
 * already storable (the common case: a recorder that keeps only the text skips a parse per event).
 */
export function storablePayloadJson(value: unknown, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): Omit<StoredPayload, "payload"> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError("payload must be a JSON object");
  const text = canonicalJson(value);
  if (!NEEDS_CLEANING.test(text) && text.startsWith("{")) {
    const bytes = Buffer.byteLength(text);
    if (bytes <= maxBytes) return { json: text, bytes };
  }
  const { json, bytes, truncatedFrom } = storablePayload(value, maxBytes);
  return truncatedFrom === undefined ? { json, bytes } : { json, bytes, truncatedFrom };
}

/** NUL and lone surrogates are the only characters canonical JSON writes as \u0000 and \ud8xx–\udfff escapes. */
const NEEDS_CLEANING = /\\u0000|\\ud[89a-f]/i;

function storable(value: unknown): { json: JsonValue; text: string } {
  const text = canonicalJson(value);
  if (!NEEDS_CLEANING.test(text)) return { json: JSON.parse(text) as JsonValue, text };
  const json = cleanKeys(JSON.parse(text, (_key, item: unknown) => (typeof item === "string" ? wellFormed(item) : item)) as JsonValue);
  return { json, text: canonicalJson(json) };
}

/** SQL text that PostgreSQL accepts, cut to `maxBytes` with a visible marker. */
export function storableSql(sql: string | null | undefined, maxBytes = DEFAULT_MAX_SQL_BYTES): string | null {
  if (sql === null || sql === undefined) return null;
  const clean = wellFormed(sql);
  const bytes = Buffer.byteLength(clean);
  if (bytes <= maxBytes) return clean;
  const marker = ` /* …truncated, ${bytes} bytes */`;
  return wellFormed(Buffer.from(clean).subarray(0, maxBytes - Buffer.byteLength(marker)).toString("utf8")).replace(/\uFFFD+$/, "") + marker;
}

/** NUL and lone surrogates → U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** Keys are strings too: JSON.parse's reviver only sees values. */
function cleanKeys(item: JsonValue): JsonValue {
  if (Array.isArray(item)) return item.map(cleanKeys);
  if (item === null || typeof item !== "object") return item;
  return Object.fromEntries(Object.entries(item).map(([key, inner]) => [wellFormed(key), cleanKeys(inner)]));
}

/**
 * Keeps the smallest top-level fields whole, cuts the first field that does not fit (an array to a prefix of its
 * items, a string to a prefix), drops the rest, and says what happened under "$truncated".
 */
function truncate(payload: JsonObject, bytes: number, maxBytes: number): JsonObject {
  const fields: Record<string, JsonValue> = {};
  const out: JsonObject = {};
  let budget = maxBytes - MARKER_RESERVE;
  const sized = Object.entries(payload)
    .filter(([key]) => key !== TRUNCATED_KEY)
    .map(([key, value]) => ({ key, value, size: Buffer.byteLength(canonicalJson(value)) + Buffer.byteLength(JSON.stringify(key)) + 2 }))
    .sort((a, b) => a.size - b.size);
  for (const { key, value, size } of sized) {
    if (size <= budget) {
      out[key] = value;
      budget -= size;
      continue;
    }
    const room = budget - Buffer.byteLength(JSON.stringify(key)) - 2;
    if (Array.isArray(value) && room > 2) {
      const kept: JsonValue[] = [];
      let used = 2;
      for (const item of value) {
        const itemSize = Buffer.byteLength(canonicalJson(item)) + 1;
        if (used + itemSize > room) break;
        kept.push(item);
        used += itemSize;
      }
      out[key] = kept;
      budget -= used;
      fields[key] = { kept: kept.length, of: value.length };
    } else if (typeof value === "string" && room > 2) {
      const prefix = cutUtf8(value, room - 2);
      out[key] = prefix;
      budget -= Buffer.byteLength(JSON.stringify(prefix));
      fields[key] = { bytes: Buffer.byteLength(value) };
    } else {
      fields[key] = { bytes: size };
    }
    budget = Math.max(0, budget);
  }
  const marker: JsonObject = { bytes, limit: maxBytes, fields };
  out[TRUNCATED_KEY] = marker;
  // JSON escaping can make a cut string longer than its byte count; when that overshoots, keep only the marker.
  if (Buffer.byteLength(canonicalJson(out)) > maxBytes) return { [TRUNCATED_KEY]: { bytes, limit: maxBytes } };
  return out;
}

function cutUtf8(text: string, maxBytes: number): string {
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(JSON.stringify(text.slice(0, end))) - 2 > maxBytes) end = Math.floor(end * 0.9);
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1])) end--;
  return text.slice(0, end);
}
