import type { MaskingPlan } from "@/lib/policy/decision";
import { stronger } from "@/lib/policy/masks";
import type { MaskStrategy } from "@/lib/policy/strategy";
import type { ColumnMask } from "./types";

// The one mask resolver every front door uses: for each result column, what policy planned from the statement's
// analysis, what the column's origin asks for (the table column the database says it comes from, a view followed
// through its definition), and the value detectors become one ColumnMask. The strongest strategy wins, whichever
// source it came from; detectors run when any source asks for them. Pure: the doors apply the answer.

/** What the origin of one column asks for: a masked source column's strategy, the detectors, or nothing. */
export type OriginMask = MaskStrategy | "detect" | null;

export interface ResolvedColumnInput {
  /** The name the result gives the column. */
  readonly name: string;
  /** Where the database says it comes from ("table.column"), for the announcement of an origin mask. */
  readonly source?: string;
}

/** Why a column comes back masked: the policy rule that planned it, or its origin. */
export interface MaskedBecause {
  readonly strategy: MaskStrategy["kind"];
  readonly source: string;
  readonly via: "direct" | "derived" | "whole-row" | "origin";
  readonly rule: string;
}

export interface ResolvedColumn {
  readonly mask: ColumnMask;
  /** Present when a strategy masks the column. */
  readonly masked?: MaskedBecause;
}

export type ResolvedMasks =
  | { readonly ok: true; readonly columns: readonly ResolvedColumn[]; readonly masksSomething: boolean }
  | { readonly ok: false; readonly code: "masking_mismatch"; readonly message: string };

export const MASKING_MISMATCH =
  "The result's columns differ from what policy planned masking for; nothing was returned. Select the columns by name.";

/**
 * One mask per result column. `plan` is policy's plan for this statement (by position), `origins` what each
 * column's origin asks for (absent: no origin information). When the statement touches masked data, the result
 * must be shaped as policy planned it: as many columns, and a masked column passed through as itself under the
 * name policy planned for it. Otherwise (a stale catalog, a view) nothing is returned rather than a guess.
 * Computed columns are not compared by name: engines name them differently (MariaDB uses the expression text).
 */
export function resolveMasks(
  plan: MaskingPlan | undefined,
  columns: readonly ResolvedColumnInput[],
  origins?: readonly OriginMask[],
): ResolvedMasks {
  if (plan?.touchesMasked && plan.columns.length !== columns.length) return mismatch();
  const out: ResolvedColumn[] = [];
  let masksSomething = false;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const planned = plan?.columns[i];
    if (plan?.touchesMasked && (!planned || (planned.because?.via === "direct" && planned.name.toLowerCase() !== column.name.toLowerCase()))) {
      return mismatch();
    }
    const origin = origins?.[i] ?? null;
    const fromOrigin = origin !== null && origin !== "detect" ? origin : null;
    const fromPlan = planned?.strategy ?? null;
    const strategy = fromPlan && fromOrigin ? stronger(fromPlan, fromOrigin) : (fromPlan ?? fromOrigin);
    const detect = origin === "detect" || (planned ? planned.detectors : (plan?.otherColumns.detectors ?? true));
    if (strategy === null) {
      out.push({ mask: { strategy: null, detect } });
      continue;
    }
    masksSomething = true;
    const masked: MaskedBecause =
      strategy === fromPlan && planned?.because
        ? { strategy: strategy.kind, source: planned.because.source, via: planned.because.via, rule: planned.because.rule.ruleId }
        : { strategy: strategy.kind, source: column.source ?? column.name, via: "origin", rule: "origin" };
    out.push({ mask: { strategy, detect }, masked });
  }
  return { ok: true, columns: out, masksSomething };
}

function mismatch(): ResolvedMasks {
  return { ok: false, code: "masking_mismatch", message: MASKING_MISMATCH };
}
