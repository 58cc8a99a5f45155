import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../lib/audit/chain";
import { storablePayload, storablePayloadJson, storableSql, toStorableJson, TRUNCATED_KEY, wellFormed } from "./payload";

describe("toStorableJson", () => {
  it("turns BigInt and Date into strings, drops undefined, nulls non-finite numbers", () => {
    expect(toStorableJson({ n: 10n, d: new Date("2026-02-03T04:05:06.007Z"), u: undefined, x: [undefined, NaN] })).toEqual({
      n: "10",
      d: "2026-02-03T04:05:06.007Z",
      x: [null, null],
    });
  });

  it("replaces NUL and lone surrogates in values and keys, keeps proper pairs", () => {
    expect(toStorableJson({ "k\u0000": "a\u0000b", s: "\uD800x\uDC00", ok: "😀" })).toEqual({ "k\uFFFD": "a\uFFFDb", s: "\uFFFDx\uFFFD", ok: "😀" });
    expect(wellFormed("😀\uD83D")).toBe("😀\uFFFD");
  });

  it("hashes the same before and after a JSON round trip", () => {
    const value = toStorableJson({ b: 1.5, a: { c: [1, "x", null, true] }, big: 2n ** 64n });
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });
});

describe("storablePayload", () => {
  it("refuses anything but a JSON object", () => {
    for (const bad of [null, [1], "text", 3]) expect(() => storablePayload(bad)).toThrow(TypeError);
  });

  it("passes a payload under the cap through unchanged", () => {
    const payload = { rowCount: 2, rows: [{ email: "a***@x.io" }] };
    const json = canonicalJson(payload);
    expect(storablePayload(payload, 1024)).toEqual({ payload, json, bytes: Buffer.byteLength(json) });
  });

  it("keeps small fields, cuts a large array to a prefix, and marks what it did", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, note: "x".repeat(20) }));
    const { payload, json, truncatedFrom } = storablePayload({ rowCount: 1000, columns: ["id", "note"], rows }, 8192);
    expect(json).toBe(canonicalJson(payload));
    expect(truncatedFrom).toBeGreaterThan(8192);
    expect(payload.rowCount).toBe(1000);
    expect(payload.columns).toEqual(["id", "note"]);
    const kept = payload.rows as unknown[];
    expect(kept.length).toBeGreaterThan(50);
    expect(kept).toEqual(rows.slice(0, kept.length));
    expect(payload[TRUNCATED_KEY]).toEqual({ bytes: truncatedFrom, limit: 8192, fields: { rows: { kept: kept.length, of: 1000 } } });
    expect(Buffer.byteLength(canonicalJson(payload))).toBeLessThanOrEqual(8192);
  });

  it("cuts a large string to a prefix and drops a large object", () => {
    const { payload } = storablePayload({ text: "é".repeat(10_000), nested: { blob: "y".repeat(10_000) }, small: 1 }, 4096);
    expect(payload.small).toBe(1);
    expect(typeof payload.text === "string" || payload.text === undefined).toBe(true);
    expect(payload.nested).toBeUndefined();
    expect((payload[TRUNCATED_KEY] as { fields: Record<string, unknown> }).fields).toHaveProperty("nested");
    expect(Buffer.byteLength(canonicalJson(payload))).toBeLessThanOrEqual(4096);
  });

  it("stays under the cap even when escaping inflates a cut string", () => {
    const { payload } = storablePayload({ text: "\u0001".repeat(50_000) }, 2048);
    expect(Buffer.byteLength(canonicalJson(payload))).toBeLessThanOrEqual(2048);
    expect(payload[TRUNCATED_KEY]).toMatchObject({ limit: 2048 });
  });
});

describe("storableSql", () => {
  it("passes null through, cleans NUL, and cuts long text with a marker", () => {
    expect(storableSql(null)).toBeNull();
    expect(storableSql("SELECT '\u0000'")).toBe("SELECT '\uFFFD'");
    const long = storableSql(`SELECT '${"é".repeat(1000)}'`, 200)!;
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(200);
    expect(long).toMatch(/^SELECT 'é+ \/\* …truncated, \d+ bytes \*\/$/);
  });
});

describe("storablePayloadJson", () => {
  it("is storablePayload's text and size, without the object, for clean, dirty and oversized payloads", () => {
    const cases: Record<string, unknown>[] = [
      { b: 1, a: [1, "x", null], c: { z: true, y: new Date(0) } },
      { text: "nul\u0000 and lone \ud800 surrogate", "key\u0000": 1 },
      { rows: Array.from({ length: 5000 }, (_, i) => [i, `value ${i}`]), small: "kept" },
      { big: 10n, nested: { list: [undefined, () => 1] } },
    ];
    for (const value of cases) {
      const full = storablePayload(value, 4096);
      const text = storablePayloadJson(value, 4096);
      expect(text.json).toBe(full.json);
      expect(text.bytes).toBe(full.bytes);
      expect(text.truncatedFrom).toBe(full.truncatedFrom);
    }
    expect(() => storablePayloadJson([1, 2])).toThrow(TypeError);
  });
});
