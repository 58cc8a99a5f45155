// The column strategies. Each is a pure text function plus one compiled cell masker per column that turns any
// driver value into `string | null`. The text functions are exported so detectors reuse the same output forms.
import type { MaskStrategy } from "@/lib/policy/strategy";
import { createHasher, DEFAULT_HASH_LENGTH } from "./hash";
import { isBytes, valueToText } from "./text";
import { MaskingError, REDACTED, type MaskingOptions } from "./types";

/** The masked value a strategy produces: always text, or SQL NULL. */
export type MaskedValue = string | null;

const CARD_PREFIX = "**** **** **** ";

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Keep the first `keepFirst` and last `keepLast` characters, replace the middle with a fixed "****" (the hidden
 * part's length is not revealed). When the kept parts would cover the whole value, everything is masked.
 * Never splits a surrogate pair: a boundary inside one reveals one unit less.
 */
export function maskPartialText(text: string, keepFirst: number, keepLast: number): string {
  const length = text.length;
  if (keepFirst + keepLast >= length) return REDACTED;
  let head = keepFirst;
  if (head > 0 && isHighSurrogate(text.charCodeAt(head - 1))) head--;
  let tail = length - keepLast;
  if (keepLast > 0 && isLowSurrogate(text.charCodeAt(tail))) tail++;
  const first = head > 0 ? text.slice(0, head) : "";
  const last = tail < length ? text.slice(tail) : "";
  return first + REDACTED + last;
}

function isDomainCode(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) ||
    code === 45 || code === 46 || code > 127
  );
}

/** "alice@example.com" → "****@example.com". Anything that is not one address → "****". */
export function maskEmailText(text: string): string {
  const value = text.trim();
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1 || value.indexOf("@") !== at) return REDACTED;
  for (let i = 0; i < at; i++) {
    const code = value.charCodeAt(i);
    if (code <= 32 || code === 60 || code === 62 || code === 34) return REDACTED; // space, <, >, "
  }
  const domain = value.slice(at + 1);
  if (domain.charCodeAt(0) === 46 || domain.charCodeAt(domain.length - 1) === 46) return REDACTED;
  for (let i = 0; i < domain.length; i++) if (!isDomainCode(domain.charCodeAt(i))) return REDACTED;
  return REDACTED + "@" + domain;
}

/**
 * A value made only of 13–19 digits with optional spaces/dashes → "**** **** **** 4242" (last four digits kept,
 * the length is not revealed). Luhn is not required here: the column is declared a card column, and test data
 * is often not Luhn-valid. Anything else → "****".
 */
export function maskCardText(text: string): string {
  let digits = 0;
  let last4 = "";
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      digits++;
      if (digits <= 4) last4 = text[i] + last4;
    } else if (code !== 32 && code !== 45) {
      return REDACTED;
    }
  }
  return digits >= 13 && digits <= 19 ? CARD_PREFIX + last4 : REDACTED;
}

function clampKeep(n: number | undefined, fallback: number): number {
  if (n === undefined || !Number.isFinite(n)) return fallback;
  return Math.max(0, Math.floor(n));
}

function redactCell(value: unknown): MaskedValue {
  return value === null || value === undefined ? null : REDACTED;
}
function nullCell(): MaskedValue {
  return null;
}

function textMasker(mask: (text: string) => string): (value: unknown) => MaskedValue {
  return (value) => {
    if (value === null || value === undefined) return null;
    if (typeof value === "string") return mask(value);
    const text = valueToText(value);
    return text === null ? REDACTED : mask(text);
  };
}

/**
 * Compile one strategy into a cell masker. Behaviour for every value type:
 * - null/undefined → null, for every strategy.
 * - `redact` → "****"; `null` → null.
 * - other strategies mask the value's text form (see `valueToText`): numbers, bigints, booleans, Dates (ISO),
 *   bytes (UTF-8), and JSON objects/arrays as a whole (their JSON text). A value with no text form → "****".
 * - `hash` hashes bytes as they are, everything else as the UTF-8 of its text form.
 * Throws `MaskingError` for an unknown strategy or a missing/short hash key (fail closed at compile time).
 */
export function compileStrategy(strategy: MaskStrategy, options: MaskingOptions = {}): (value: unknown) => MaskedValue {
  switch (strategy.kind) {
    case "redact":
      return redactCell;
    case "null":
      return nullCell;
    case "partial": {
      const keepFirst = clampKeep(strategy.keepFirst, 0);
      const keepLast = clampKeep(strategy.keepLast, 4);
      return textMasker((text) => maskPartialText(text, keepFirst, keepLast));
    }
    case "email":
      return textMasker(maskEmailText);
    case "card":
      return textMasker(maskCardText);
    case "hash": {
      const hasher = createHasher(options.hashKey, options.hashLength ?? DEFAULT_HASH_LENGTH);
      return (value) => {
        if (value === null || value === undefined) return null;
        if (typeof value === "string") return hasher.hashText(value);
        if (isBytes(value)) return hasher.hashBytes(value);
        const text = valueToText(value);
        return text === null ? REDACTED : hasher.hashText(text);
      };
    }
    default: {
      const kind: unknown = (strategy as { kind?: unknown }).kind;
      throw new MaskingError("unknown_strategy", `unknown mask strategy ${JSON.stringify(String(kind))}`);
    }
  }
}

/** Mask one value with one strategy. Compiles each call: use `compileStrategy` on hot paths. */
export function maskValue(value: unknown, strategy: MaskStrategy, options?: MaskingOptions): MaskedValue {
  return compileStrategy(strategy, options)(value);
}
