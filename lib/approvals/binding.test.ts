import { describe, expect, it } from "vitest";
import { approvalBinding, encodeParams, type BindingInput } from "./binding";

const base: BindingInput = {
  sql: "DELETE FROM orders WHERE id = $1",
  params: [1],
  connectionId: "11111111-1111-4111-8111-111111111111",
  agentId: "22222222-2222-4222-8222-222222222222",
};

describe("approvalBinding", () => {
  it("is a stable sha256 hex digest", () => {
    const hash = approvalBinding(base);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(approvalBinding({ ...base, params: [1] })).toBe(hash);
  });

  it("changes with every field", () => {
    const hash = approvalBinding(base);
    expect(approvalBinding({ ...base, sql: "DELETE FROM orders WHERE id = $1 " })).not.toBe(hash);
    expect(approvalBinding({ ...base, params: [2] })).not.toBe(hash);
    expect(approvalBinding({ ...base, connectionId: "11111111-1111-4111-8111-111111111112" })).not.toBe(hash);
    expect(approvalBinding({ ...base, agentId: "22222222-2222-4222-8222-222222222223" })).not.toBe(hash);
  });

  it("tells parameter types apart", () => {
    const variants: unknown[][] = [
      [1],
      ["1"],
      [1n],
      [true],
      ["true"],
      [null],
      ["null"],
      [undefined],
      [[]],
      [{}],
      [new Date(0)],
      [new Date(0).toISOString()],
      [new Uint8Array([1])],
      [-0],
      [Number.NaN],
      [Number.POSITIVE_INFINITY],
      [],
      [1, 1],
      [[1]],
    ];
    const hashes = variants.map((params) => approvalBinding({ ...base, params }));
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it("cannot be fooled by moving text between fields", () => {
    const a = approvalBinding({ ...base, connectionId: "ab", agentId: "c" });
    const b = approvalBinding({ ...base, connectionId: "a", agentId: "bc" });
    expect(a).not.toBe(b);
    expect(approvalBinding({ ...base, sql: "SELECT 1", params: [] })).not.toBe(approvalBinding({ ...base, sql: "SELECT 1[]", params: [] }));
  });

  it("ignores object key order but not array order", () => {
    expect(encodeParams([{ a: 1, b: 2 }])).toBe(encodeParams([{ b: 2, a: 1 }]));
    expect(encodeParams([[1, 2]])).not.toBe(encodeParams([[2, 1]]));
  });

  it("treats omitted parameters as none", () => {
    expect(approvalBinding({ ...base, params: undefined })).toBe(approvalBinding({ ...base, params: [] }));
  });

  it("refuses values that are not parameters", () => {
    expect(() => approvalBinding({ ...base, params: [() => 1] })).toThrow(TypeError);
    expect(() => approvalBinding({ ...base, params: [new Map()] })).toThrow(TypeError);
    expect(() => approvalBinding({ ...base, params: [Symbol("x")] })).toThrow(TypeError);
  });
});
