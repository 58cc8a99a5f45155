import { createHash } from "node:crypto";

// The hash chain over a session's recording. Pure: no I/O, no clock.
//
//   hash(n) = sha256hex( hash(n-1) + "\n" + canonicalJson({ sessionId, seq, type, at, decision, sqlText, payload }) )
//   hash(0) = GENESIS_HASH (64 zeros)
//
// Canonical JSON is JSON.stringify's value model with object keys sorted (by UTF-16 code units) and no
// whitespace, so the hash is the same before the payload is stored and after it comes back out of a JSONB
// column (which reorders keys). Beyond JSON.stringify: a BigInt becomes its decimal digits as a string, a Date
// its ISO-8601 text (as Date#toJSON does). Anything JSON.stringify drops (undefined, functions, symbols) is
// dropped from objects and becomes null in arrays; a non-finite number becomes null.

/** prevHash of a session's first event. */
export const GENESIS_HASH = "0".repeat(64);

/** The fields of an event the hash covers; `at` is the ISO-8601 instant with milliseconds. */
export interface EventBody {
  readonly sessionId: string;
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly decision: string | null;
  readonly sqlText: string | null;
  readonly payload: unknown;
}

/**
 * sha256 hex of `prevHash + "\n" + canonicalJson(body)`. `payloadJson`, when given, is canonicalJson(body.payload)
 * already computed by the caller (the recorder has it from making the payload storable).
 */
export function eventHash(prevHash: string, body: EventBody, payloadJson?: string): string {
  // The body's keys in canonicalJson's order: at, decision, payload, seq, sessionId, sqlText, type.
  const canonical =
    `{"at":${JSON.stringify(body.at)},"decision":${nullableString(body.decision)},"payload":${payloadJson ?? canonicalJson(body.payload)},` +
    `"seq":${canonicalJson(body.seq)},"sessionId":${JSON.stringify(body.sessionId)},"sqlText":${nullableString(body.sqlText)},"type":${JSON.stringify(body.type)}}`;
  return createHash("sha256").update(`${prevHash}\n${canonical}`).digest("hex");
}

function nullableString(value: string | null | undefined): string {
  return value === null || value === undefined ? "null" : JSON.stringify(value);
}

/** Sorted keys, no whitespace; BigInt as a decimal string, Date as ISO text. Throws on a cycle. */
export function canonicalJson(value: unknown): string {
  const out = write(value, []);
  return out === undefined ? "null" : out;
}

/** `ancestors`: the objects being written around this value (a cycle is one of them again; a shared value is not). */
function write(value: unknown, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return `"${value.toString()}"`;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "null" : JSON.stringify(value.toISOString());
  const object = value as Record<string, unknown>;
  if (typeof object.toJSON === "function") return write((object.toJSON as () => unknown)(), ancestors);
  if (ancestors.includes(object)) throw new TypeError("canonicalJson: value has a cycle");
  ancestors.push(object);
  try {
    if (Array.isArray(object)) {
      let out = "[";
      for (let i = 0; i < object.length; i++) out += (i === 0 ? "" : ",") + (write(object[i], ancestors) ?? "null");
      return `${out}]`;
    }
    const keys = Object.keys(object);
    if (keys.length > 1) keys.sort();
    let out = "{";
    for (const key of keys) {
      const item = write(object[key], ancestors);
      if (item !== undefined) out += (out.length === 1 ? "" : ",") + JSON.stringify(key) + ":" + item;
    }
    return `${out}}`;
  } finally {
    ancestors.pop();
  }
}
