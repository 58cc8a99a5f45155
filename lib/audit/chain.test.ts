import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, eventHash, GENESIS_HASH, type EventBody } from "./chain";

describe("canonicalJson", () => {
  it("sorts keys at every depth and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("is the same for objects that differ only in key order", () => {
    expect(canonicalJson({ x: 1, y: { p: true, q: null } })).toBe(canonicalJson({ y: { q: null, p: true }, x: 1 }));
  });

  it("sorts keys by code unit, not locale", () => {
    expect(canonicalJson({ b: 1, B: 2, ä: 3, a: 4, "10": 5, "9": 6 })).toBe('{"10":5,"9":6,"B":2,"a":4,"b":1,"ä":3}');
  });

  it("writes BigInt as its digits in a string and Date as ISO text", () => {
    expect(canonicalJson({ n: 12345678901234567890n, at: new Date("2026-01-02T03:04:05.678Z") })).toBe(
      '{"at":"2026-01-02T03:04:05.678Z","n":"12345678901234567890"}',
    );
  });

  it("follows JSON.stringify for undefined, functions, non-finite numbers and toJSON", () => {
    const value = { u: undefined, f: () => 1, arr: [undefined, NaN, Infinity, -0], nested: { toJSON: () => ({ b: 2, a: 1 }) }, bad: new Date(NaN) };
    expect(canonicalJson(value)).toBe('{"arr":[null,null,null,0],"bad":null,"nested":{"a":1,"b":2}}');
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("escapes strings as JSON does", () => {
    expect(canonicalJson({ s: 'a"b\\c\n\u0001é😀' })).toBe(JSON.stringify({ s: 'a"b\\c\n\u0001é😀' }));
  });

  it("round-trips: canonical of the parsed canonical is itself", () => {
    const value = { z: [1, 2.5, -3e-7, 1e21], a: { "": "", nested: [{ k: false }] }, big: 9007199254740993n };
    const text = canonicalJson(value);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it("keeps a __proto__ key as data", () => {
    const value = JSON.parse('{"__proto__":{"x":1},"a":2}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it("refuses a cycle but accepts a shared (acyclic) reference", () => {
    const shared = { v: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"v":1},"b":{"v":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });
});

describe("eventHash", () => {
  const body: EventBody = {
    sessionId: "6f1c2b1e-7d3a-4c55-9a43-0c1d2e3f4a5b",
    seq: 1,
    type: "connect",
    at: "2026-01-02T03:04:05.678Z",
    decision: null,
    sqlText: null,
    payload: { clientAddr: "127.0.0.1" },
  };

  it("has a 64-zero genesis", () => {
    expect(GENESIS_HASH).toMatch(/^0{64}$/);
  });

  it("is sha256 hex of prevHash, a newline and the canonical body", () => {
    const expected = createHash("sha256")
      .update(
        `${GENESIS_HASH}\n{"at":"2026-01-02T03:04:05.678Z","decision":null,"payload":{"clientAddr":"127.0.0.1"},"seq":1,"sessionId":"6f1c2b1e-7d3a-4c55-9a43-0c1d2e3f4a5b","sqlText":null,"type":"connect"}`,
      )
      .digest("hex");
    expect(eventHash(GENESIS_HASH, body)).toBe(expected);
  });

  it("changes with every covered field and with the previous hash", () => {
    const base = eventHash(GENESIS_HASH, body);
    const variants: Partial<EventBody>[] = [
      { sessionId: "6f1c2b1e-7d3a-4c55-9a43-0c1d2e3f4a5c" },
      { seq: 2 },
      { type: "statement" },
      { at: "2026-01-02T03:04:05.679Z" },
      { decision: "allow" },
      { sqlText: "SELECT 1" },
      { payload: { clientAddr: "127.0.0.2" } },
    ];
    for (const variant of variants) expect(eventHash(GENESIS_HASH, { ...body, ...variant })).not.toBe(base);
    expect(eventHash("f".repeat(64), body)).not.toBe(base);
  });

  it("treats a missing decision or sqlText as null, and ignores payload key order", () => {
    const loose = { ...body, decision: undefined, sqlText: undefined } as unknown as EventBody;
    expect(eventHash(GENESIS_HASH, loose)).toBe(eventHash(GENESIS_HASH, body));
    const a = eventHash(GENESIS_HASH, { ...body, payload: { a: 1, b: [1, 2] } });
    const b = eventHash(GENESIS_HASH, { ...body, payload: { b: [1, 2], a: 1 } });
    expect(a).toBe(b);
  });

  it("is canonicalJson of the whole body, with or without the payload's canonical text given", () => {
    const bodies: EventBody[] = [
      body,
      { ...body, decision: "allow", sqlText: 'SELECT "é😀"\n\u0001', type: "statement", seq: 2 ** 31 - 1 },
      { ...body, payload: { z: [1, { y: null, x: "\u2028" }], a: 1.5e-7, "": true } },
    ];
    for (const b of bodies) {
      const whole = createHash("sha256").update(`${GENESIS_HASH}\n${canonicalJson(b)}`).digest("hex");
      expect(eventHash(GENESIS_HASH, b)).toBe(whole);
      expect(eventHash(GENESIS_HASH, b, canonicalJson(b.payload))).toBe(whole);
    }
  });

  it("distinguishes an empty string from null", () => {
    expect(eventHash(GENESIS_HASH, { ...body, sqlText: "" })).not.toBe(eventHash(GENESIS_HASH, body));
  });
});
