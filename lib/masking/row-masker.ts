// Row maskers compiled once per result shape: the plan becomes an array of masked column indices and an
// array of cell maskers (one closure per column, built here, never per row). Each row is then one indexed loop
// over the masked columns only; every other cell is passed through as the very same value.
import { redactDetectedValue } from "./detect-value";
import { compileStrategy } from "./strategies";
import type { CellMasker, ColumnMask, MaskingOptions, MaskingPlan, ObjectMaskingPlan } from "./types";

/** Masks one row given as an array of cells. The input row is never modified. */
export type RowMasker = (row: readonly unknown[]) => unknown[];
/** Masks one row in place and returns it. */
export type InPlaceRowMasker = (row: unknown[]) => unknown[];
/** Masks one row given as an object keyed by column name. The input row is never modified. */
export type ObjectRowMasker = (row: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/** The cell masker a column needs, or null when it is passed through. A strategy wins over detection. */
export function compileColumn(mask: ColumnMask | null | undefined, options: MaskingOptions): CellMasker | null {
  if (!mask) return null;
  if (mask.strategy) return compileStrategy(mask.strategy, options);
  return mask.detect ? redactDetectedValue : null;
}

interface CompiledPlan {
  readonly indices: Int32Array;
  readonly maskers: readonly CellMasker[];
}

function compilePlan(plan: MaskingPlan, options: MaskingOptions): CompiledPlan {
  const indices: number[] = [];
  const maskers: CellMasker[] = [];
  for (let i = 0; i < plan.length; i++) {
    const masker = compileColumn(plan[i], options);
    if (masker) {
      indices.push(i);
      maskers.push(masker);
    }
  }
  return { indices: Int32Array.from(indices), maskers };
}

/**
 * Compile a plan (one `ColumnMask` per column index) into a row masker returning a new array: unmasked cells
 * are the same values (same references); masked cells hold the masker's output. A plan that masks nothing
 * compiles to a function that copies the row. Cells beyond the plan's length are passed through.
 * Throws `MaskingError` when a strategy cannot be compiled (e.g. `hash` without a key).
 */
export function compileRowMasker(plan: MaskingPlan, options: MaskingOptions = {}): RowMasker {
  const { indices, maskers } = compilePlan(plan, options);
  const count = indices.length;
  return (row) => {
    const out = row.slice();
    for (let k = 0; k < count; k++) {
      const i = indices[k];
      if (i < out.length) out[i] = maskers[k](out[i]);
    }
    return out;
  };
}

/** As `compileRowMasker`, but overwrites the masked cells of the given row (no allocation per row). */
export function compileRowMaskerInPlace(plan: MaskingPlan, options: MaskingOptions = {}): InPlaceRowMasker {
  const { indices, maskers } = compilePlan(plan, options);
  const count = indices.length;
  return (row) => {
    for (let k = 0; k < count; k++) {
      const i = indices[k];
      if (i < row.length) row[i] = maskers[k](row[i]);
    }
    return row;
  };
}

/** True when the plan masks at least one column (callers can skip masking, and relay raw rows, otherwise). */
export function planMasksAnything(plan: MaskingPlan | ObjectMaskingPlan): boolean {
  const masks = Array.isArray(plan) ? (plan as MaskingPlan) : Object.values(plan as ObjectMaskingPlan);
  return masks.some((m) => !!m && (m.strategy !== null || m.detect));
}

/**
 * Compile a plan keyed by column name into a masker for object rows (e.g. the HTTP API's JSON rows). Returns a
 * shallow copy whose masked keys hold masked values; keys the row does not have (own keys only) are skipped.
 */
export function compileObjectRowMasker(plan: ObjectMaskingPlan, options: MaskingOptions = {}): ObjectRowMasker {
  const keys: string[] = [];
  const maskers: CellMasker[] = [];
  for (const key of Object.keys(plan)) {
    const masker = compileColumn(plan[key], options);
    if (masker) {
      keys.push(key);
      maskers.push(masker);
    }
  }
  const count = keys.length;
  const hasOwn = Object.prototype.hasOwnProperty;
  return (row) => {
    const out: Record<string, unknown> = { ...row };
    for (let k = 0; k < count; k++) {
      const key = keys[k];
      if (!hasOwn.call(row, key)) continue;
      const masked = maskers[k](row[key]);
      // defineProperty, not assignment: a column named "__proto__" must stay a plain data property.
      Object.defineProperty(out, key, { value: masked, writable: true, enumerable: true, configurable: true });
    }
    return out;
  };
}
