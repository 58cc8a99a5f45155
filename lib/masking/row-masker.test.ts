import { describe, expect, it } from "vitest";
import { compileObjectRowMasker, compileRowMasker, compileRowMaskerInPlace, planMasksAnything } from "./row-masker";
import type { MaskingPlan } from "./types";
import { MaskingError } from "./types";

const KEY = { hashKey: "row-masker-test-key-0123" };
const plan: MaskingPlan = [
  null,
  { strategy: { kind: "card" }, detect: false },
  { strategy: null, detect: false },
  { strategy: { kind: "partial", keepFirst: 0, keepLast: 4 }, detect: true },
  { strategy: null, detect: true },
  { strategy: { kind: "hash" }, detect: false },
  undefined,
];

function sampleRow(): unknown[] {
  return [
    7,
    "4242424242424242",
    { nested: "alice@example.com" },
    "5551234567",
    "call 415-555-2671",
    "bob@example.com",
    new Date(0),
    "extra beyond plan",
  ];
}

describe("compileRowMasker", () => {
  it("masks planned columns and leaves every other cell identical", () => {
    const mask = compileRowMasker(plan, KEY);
    const row = sampleRow();
    const out = mask(row);
    expect(out).not.toBe(row);
    expect(out[0]).toBe(7);
    expect(out[1]).toBe("**** **** **** 4242");
    expect(out[2]).toBe(row[2]); // same object reference
    expect(out[3]).toBe("****4567"); // strategy wins over detect
    expect(out[4]).toBe("call ****");
    expect(out[5]).toMatch(/^[0-9a-f]{16}$/);
    expect(out[6]).toBe(row[6]);
    expect(out[7]).toBe("extra beyond plan");
    expect(row[1]).toBe("4242424242424242"); // input untouched
  });
  it("gives the same hash for the same value on every row (joins, GROUP BY)", () => {
    const mask = compileRowMasker(plan, KEY);
    expect(mask(sampleRow())[5]).toBe(mask(sampleRow())[5]);
  });
  it("tolerates rows shorter than the plan", () => {
    const mask = compileRowMasker(plan, KEY);
    expect(mask([1, "4242424242424242"])).toEqual([1, "**** **** **** 4242"]);
  });
  it("copies a row unchanged when nothing is masked", () => {
    const mask = compileRowMasker([null, { strategy: null, detect: false }]);
    const row = [{ a: 1 }, "4242424242424242"];
    const out = mask(row);
    expect(out).toEqual(row);
    expect(out[0]).toBe(row[0]);
  });
  it("fails at compile time, not per row, when hash has no key", () => {
    expect(() => compileRowMasker(plan)).toThrow(MaskingError);
  });
});

describe("compileRowMaskerInPlace", () => {
  it("overwrites masked cells of the given row", () => {
    const mask = compileRowMaskerInPlace(plan, KEY);
    const row = sampleRow();
    const obj = row[2];
    expect(mask(row)).toBe(row);
    expect(row[1]).toBe("**** **** **** 4242");
    expect(row[2]).toBe(obj);
  });
});

describe("compileObjectRowMasker", () => {
  it("masks keys named by the plan and keeps the others by reference", () => {
    const mask = compileObjectRowMasker(
      { card: { strategy: { kind: "card" }, detect: false }, note: { strategy: null, detect: true }, missing: { strategy: { kind: "redact" }, detect: false } },
      KEY,
    );
    const meta = { x: 1 };
    const row = { id: 1, card: "4111 1111 1111 1111", note: "ssn 123-45-6789", meta };
    const out = mask(row);
    expect(out).toEqual({ id: 1, card: "**** **** **** 1111", note: "ssn ****", meta });
    expect(out.meta).toBe(meta);
    expect("missing" in out).toBe(false);
    expect(row.card).toBe("4111 1111 1111 1111");
  });
  it("keeps a column named __proto__ a plain property", () => {
    const mask = compileObjectRowMasker({ ["__proto__"]: { strategy: { kind: "redact" }, detect: false } });
    const row = JSON.parse('{"__proto__": "secret", "a": 1}') as Record<string, unknown>;
    const out = mask(row);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toBe("****");
  });
});

describe("planMasksAnything", () => {
  it("tells whether any column is masked", () => {
    expect(planMasksAnything([null, { strategy: null, detect: false }])).toBe(false);
    expect(planMasksAnything([null, { strategy: null, detect: true }])).toBe(true);
    expect(planMasksAnything({ a: { strategy: { kind: "null" }, detect: false } })).toBe(true);
  });
});
