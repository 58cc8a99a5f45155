import { createHash } from "node:crypto";

// What an approval is bound to: the exact statement text, its parameters (with their types), the connection
// and the agent. An approval granted for one of these can never be spent on another.
//
// The hash is SHA-256 over a canonical encoding: a version tag, then each field as `<byte length>:<bytes>`,
// so no choice of field contents can shift a boundary ("ab"+"c" ≠ "a"+"bc"). Parameters are encoded as JSON
// in which every value carries a type tag: 1 and "1", null and "null", 1 and 1n, a Date and its ISO text all
// differ. Object keys are sorted, so key order does not matter; array order does.

const VERSION = "airlock.approval-binding.v1";

export interface BindingInput {
  readonly sql: string;
  /** Positional parameters as the agent sent them; omitted or empty when the statement has none. */
  readonly params?: readonly unknown[];
  readonly connectionId: string;
  readonly agentId: string;
}

/** Hex SHA-256 binding of a statement to its parameters, connection and agent. */
export function approvalBinding(input: BindingInput): string {
  const hash = createHash("sha256");
  for (const field of [VERSION, input.connectionId, input.agentId, input.sql, encodeParams(input.params ?? [])]) {
    const bytes = Buffer.from(field, "utf8");
    hash.update(`${bytes.length}:`, "utf8");
    hash.update(bytes);
  }
  return hash.digest("hex");
}

/** The type-tagged JSON text of a parameter list (exported for tests and diagnostics; holds parameter values). */
export function encodeParams(params: readonly unknown[]): string {
  return JSON.stringify(params.map((value) => tag(value, 0)));
}

type Tagged = readonly [string, ...unknown[]];

const MAX_DEPTH = 64;

function tag(value: unknown, depth: number): Tagged {
  if (depth > MAX_DEPTH) throw new TypeError("approval binding: parameter nested too deeply");
  if (value === null) return ["null"];
  if (value === undefined) return ["undefined"];
  switch (typeof value) {
    case "string":
      return ["s", value];
    case "boolean":
      return ["b", value];
    case "number":
      // JSON cannot hold NaN/Infinity and writes -0 as 0; String() keeps NaN and Infinity apart, Object.is -0.
      return ["n", Object.is(value, -0) ? "-0" : String(value)];
    case "bigint":
      return ["i", value.toString()];
    case "object":
      return tagObject(value, depth);
    default:
      throw new TypeError(`approval binding: a ${typeof value} cannot be a statement parameter`);
  }
}

function tagObject(value: object, depth: number): Tagged {
  if (value instanceof Date) return ["d", Number.isNaN(value.getTime()) ? "invalid" : value.toISOString()];
  if (value instanceof Uint8Array) return ["x", Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")];
  if (Array.isArray(value)) return ["a", value.map((item) => tag(item, depth + 1))];
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError("approval binding: only plain objects, arrays, dates and byte arrays can be parameters");
  }
  const keys = Object.keys(value).sort();
  return ["o", keys.map((key) => [key, tag((value as Record<string, unknown>)[key], depth + 1)])];
}
