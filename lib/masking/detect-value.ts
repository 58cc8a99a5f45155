// The detector backstop applied to any driver value, not just text. Values keep their type unless something
// sensitive is found in them.
import { redactDetected } from "./detectors";
import { bytesToText, isBytes } from "./text";
import { REDACTED } from "./types";

/** JSON nested deeper than this is redacted whole rather than walked (no unbounded recursion). */
export const MAX_JSON_DEPTH = 64;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function walk(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
      return redactDetected(value);
    case "number":
      // An integer below 10^12 has fewer than 13 digits: nothing is detected in it (fractions are looked at).
      if (Number.isInteger(value) && Math.abs(value) < 1e12) return value;
    // falls through
    case "bigint": {
      // Only integers of 13+ digits can hold a card; nothing else is detected in a bare number.
      const text = String(value);
      if (text.length < 13) return value;
      const redacted = redactDetected(text);
      return redacted === text ? value : redacted;
    }
    case "object":
      break;
    default:
      return value;
  }
  if (value === null || value instanceof Date) return value;
  if (isBytes(value)) {
    const text = bytesToText(value);
    const redacted = redactDetected(text);
    return redacted === text ? value : redacted;
  }
  if (depth >= MAX_JSON_DEPTH) return REDACTED;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const masked = walk(item, depth + 1);
      if (masked !== item) {
        copy ??= value.slice();
        copy[i] = masked;
      }
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(value)) {
    const item = value[key];
    const maskedKey = redactDetected(key);
    const masked = walk(item, depth + 1);
    if (maskedKey !== key || masked !== item) changed = true;
    entries.push([maskedKey, masked]);
  }
  return changed ? Object.fromEntries(entries) : value;
}

/**
 * Redact detected spans inside any value: strings (spans replaced), 13+-digit numbers/bigints (a detected card
 * turns the value into its masked text), bytes (decoded as UTF-8; returned as masked text only if something was
 * found), JSON arrays/objects (string leaves and keys walked, copied only where something changed). Booleans,
 * Dates, null and other class instances are returned as they are. Unchanged values keep their identity.
 */
export function redactDetectedValue(value: unknown): unknown {
  return walk(value, 0);
}
