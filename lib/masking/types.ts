import type { MaskStrategy } from "@/lib/policy/strategy";

/** What every fully redacted value, and every redacted span inside a text, becomes. Never length-preserving. */
export const REDACTED = "****";

/**
 * How one result column is masked.
 *
 * - `strategy`: the policy's strategy for this column, or `null` when no rule masks it. When set, every
 *   value of the column is replaced by the strategy's output (`string | null`), whatever its type.
 * - `detect`: run the value detectors (cards, e-mail, SSN, IBAN, phone, secrets) as a backstop on the column's
 *   values and redact only what they find. Ignored when `strategy` is set (the strategy already hides the value).
 *
 * A column with `strategy: null, detect: false` (or a `null`/missing entry in a plan) is passed through untouched.
 */
export interface ColumnMask {
  readonly strategy: MaskStrategy | null;
  readonly detect: boolean;
}

/** One entry per result column, by column index. `null`/`undefined` means "pass through". */
export type MaskingPlan = ReadonlyArray<ColumnMask | null | undefined>;

/** The same, for rows given as objects keyed by column name (e.g. the HTTP API). */
export type ObjectMaskingPlan = Readonly<Record<string, ColumnMask | null | undefined>>;

/** Caller-supplied settings for compiling maskers. */
export interface MaskingOptions {
  /**
   * The HMAC-SHA256 key for the `hash` strategy (at least 16 bytes). Required only when a plan uses `hash`.
   * Keep it stable across requests so the same value always hashes the same (joins, GROUP BY); rotate it to
   * unlink old outputs.
   */
  readonly hashKey?: string | Uint8Array;
  /** Hex characters kept from the HMAC; even, 8..64. Default 16 (64 bits). */
  readonly hashLength?: number;
}

/** Masks one cell value. Compiled once per column; never allocates closures per call. */
export type CellMasker = (value: unknown) => unknown;

export type DetectionKind = "card" | "email" | "ssn" | "iban" | "phone" | "secret";

/** A sensitive span found in a text: `text.slice(start, end)`. Carries no copy of the value. */
export interface Detection {
  readonly kind: DetectionKind;
  readonly start: number;
  readonly end: number;
}

export type MaskingErrorCode = "hash_key_missing" | "hash_key_too_short" | "invalid_hash_length" | "unknown_strategy";

/** A configuration problem found while compiling a masker. Never carries a value or the key. */
export class MaskingError extends Error {
  readonly code: MaskingErrorCode;
  constructor(code: MaskingErrorCode, message: string) {
    super(message);
    this.name = "MaskingError";
    this.code = code;
  }
}
