import { describe, expect, it } from "vitest";
import type { ColumnPlan, MaskingPlan } from "@/lib/policy/decision";
import type { MaskStrategy } from "@/lib/policy/strategy";
import { MASKING_MISMATCH, resolveMasks, type OriginMask } from "./resolve";

const RULE = { policyId: "p1", ruleId: "mask-ssn", ruleName: "SSNs" };
const REDACT: MaskStrategy = { kind: "redact" };
const PARTIAL: MaskStrategy = { kind: "partial", keepFirst: 0, keepLast: 4 };
const NULL: MaskStrategy = { kind: "null" };
const HASH: MaskStrategy = { kind: "hash" };

function column(name: string, strategy: MaskStrategy | null, options: { via?: "direct" | "derived" | "whole-row"; detectors?: boolean } = {}): ColumnPlan {
  return {
    index: 0,
    name,
    strategy,
    detectors: options.detectors ?? false,
    ...(strategy ? { because: { rule: RULE, source: `customers.${name}`, via: options.via ?? "direct" } } : {}),
  };
}

function plan(columns: ColumnPlan[], options: { touchesMasked?: boolean; otherDetectors?: boolean } = {}): MaskingPlan {
  return {
    statementIndex: 0,
    columns,
    otherColumns: { detectors: options.otherDetectors ?? false },
    touchesMasked: options.touchesMasked ?? columns.some((c) => c.strategy !== null),
    readsMaskedTable: options.touchesMasked ?? columns.some((c) => c.strategy !== null),
  };
}

function resolved(p: MaskingPlan | undefined, names: string[], origins?: OriginMask[]) {
  const out = resolveMasks(p, names.map((name) => ({ name, source: `origin_table.${name}` })), origins);
  if (!out.ok) throw new Error(out.message);
  return out;
}

describe("resolveMasks: planned × origin × detectors", () => {
  const strategies: (MaskStrategy | null)[] = [null, PARTIAL, HASH, REDACT, NULL];
  const origins: OriginMask[] = [null, "detect", PARTIAL, HASH, REDACT, NULL];
  const rank = (s: MaskStrategy | null) => (s === null ? 0 : { partial: 1, card: 2, email: 2, hash: 3, redact: 4, null: 5 }[s.kind]);

  for (const planned of strategies) {
    for (const origin of origins) {
      for (const detectors of [false, true]) {
        it(`planned ${planned?.kind ?? "none"}, origin ${typeof origin === "string" ? origin : (origin?.kind ?? "none")}, detectors ${detectors}`, () => {
          const out = resolved(plan([column("ssn", planned, { detectors })]), ["ssn"], [origin]);
          const fromOrigin = origin === "detect" ? null : origin;
          const expected = rank(planned) >= rank(fromOrigin) ? planned : fromOrigin;
          expect(out.columns[0]!.mask.strategy).toEqual(expected);
          expect(out.columns[0]!.mask.detect).toBe(detectors || origin === "detect");
          expect(out.masksSomething).toBe(expected !== null);
          if (expected === null) expect(out.columns[0]!.masked).toBeUndefined();
          else if (expected === planned) expect(out.columns[0]!.masked).toEqual({ strategy: expected.kind, source: "customers.ssn", via: "direct", rule: "mask-ssn" });
          else expect(out.columns[0]!.masked).toEqual({ strategy: expected.kind, source: "origin_table.ssn", via: "origin", rule: "origin" });
        });
      }
    }
  }

  it("a weaker planned mask never wins over a stronger origin (the wire door took planned ?? origin)", () => {
    const out = resolved(plan([column("ssn", PARTIAL)]), ["ssn"], [REDACT]);
    expect(out.columns[0]!.mask.strategy).toEqual(REDACT);
    expect(out.columns[0]!.masked?.via).toBe("origin");
  });

  it("the stronger of two partial masks keeps fewer characters", () => {
    const out = resolved(plan([column("ssn", { kind: "partial", keepFirst: 2, keepLast: 4 })]), ["ssn"], [{ kind: "partial", keepFirst: 0, keepLast: 2 }]);
    expect(out.columns[0]!.mask.strategy).toEqual({ kind: "partial", keepFirst: 0, keepLast: 2 });
  });
});

describe("resolveMasks: columns past the plan and no plan at all", () => {
  it("columns past the plan take otherColumns' detectors, and an origin still masks them", () => {
    const out = resolved(plan([], { touchesMasked: false, otherDetectors: true }), ["a", "b", "c"], [null, REDACT, "detect"]);
    expect(out.columns.map((c) => c.mask)).toEqual([
      { strategy: null, detect: true },
      { strategy: REDACT, detect: true },
      { strategy: null, detect: true },
    ]);
  });

  it("otherColumns without detectors leaves plain columns alone; an origin asking for detectors turns them on", () => {
    const out = resolved(plan([], { touchesMasked: false, otherDetectors: false }), ["a", "b"], [null, "detect"]);
    expect(out.columns.map((c) => c.mask.detect)).toEqual([false, true]);
  });

  it("without a plan every column gets the detectors (fail closed)", () => {
    const out = resolved(undefined, ["a", "b"]);
    expect(out.columns.map((c) => c.mask)).toEqual([
      { strategy: null, detect: true },
      { strategy: null, detect: true },
    ]);
    expect(out.masksSomething).toBe(false);
  });

  it("without origins the plan alone decides", () => {
    const out = resolved(plan([column("id", null), column("ssn", HASH)]), ["id", "ssn"]);
    expect(out.columns.map((c) => c.mask.strategy)).toEqual([null, HASH]);
  });

  it("an origin is announced with the name of the column when it has no source", () => {
    const out = resolveMasks(plan([], { touchesMasked: false }), [{ name: "x" }], [REDACT]);
    expect(out.ok && out.columns[0]!.masked).toEqual({ strategy: "redact", source: "x", via: "origin", rule: "origin" });
  });
});

describe("resolveMasks: a result shaped otherwise than planned is refused", () => {
  it("more or fewer columns than planned when the statement touches masked data", () => {
    for (const names of [["ssn"], ["id", "ssn", "extra"]]) {
      const out = resolveMasks(plan([column("id", null), column("ssn", REDACT)]), names.map((name) => ({ name })));
      expect(out).toEqual({ ok: false, code: "masking_mismatch", message: MASKING_MISMATCH });
    }
  });

  it("a masked column passed through as itself under another name", () => {
    const out = resolveMasks(plan([column("ssn", REDACT)]), [{ name: "name" }]);
    expect(out.ok).toBe(false);
  });

  it("names compare without case; computed (derived) columns are not compared", () => {
    expect(resolveMasks(plan([column("ssn", REDACT)]), [{ name: "SSN" }]).ok).toBe(true);
    expect(resolveMasks(plan([column("ssn", REDACT, { via: "derived" })]), [{ name: "upper(ssn)" }]).ok).toBe(true);
  });

  it("a plan that touches nothing masked accepts any shape", () => {
    expect(resolveMasks(plan([column("a", null)], { touchesMasked: false }), [{ name: "x" }, { name: "y" }]).ok).toBe(true);
  });
});
