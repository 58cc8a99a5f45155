import { describe, expect, test } from "vitest";
import type { MaskingPlan } from "../../lib/policy";
import type { FieldDescription } from "../protocols/postgres/messages";
import { dataRowCells } from "../protocols/postgres/parser";
import { resolveMasks, type OriginMask } from "../../lib/masking";
import { buildColumnMasking as buildResolved, MaskingRefusal, TEXT_OID } from "./row-masking";
import { dataRow } from "../protocols/postgres/serializer";

const field = (name: string, typeOid: number, format = 0): FieldDescription => ({ name, tableOid: 1, columnNumber: 1, typeOid, typeSize: -1, typeModifier: -1, format });
/** As the engine session does: the resolver's masks for the fields, then the wire's masking array. */
function buildColumnMasking(input: { fields: FieldDescription[]; formats?: number[]; plan: MaskingPlan; origins: OriginMask[]; options: object }) {
  return buildResolved({ fields: input.fields, formats: input.formats, resolved: resolveMasks(input.plan, input.fields, input.origins), options: input.options });
}
const rule = { policyId: "p", ruleId: "r", ruleName: "r" } as never;

function plan(columns: { name: string; strategy?: "redact" | null; detectors?: boolean }[], touchesMasked = true): MaskingPlan {
  return {
    statementIndex: 0,
    columns: columns.map((column, index) => ({
      index,
      name: column.name,
      strategy: column.strategy ? { kind: column.strategy } : null,
      detectors: column.detectors ?? false,
      ...(column.strategy ? { because: { rule, source: `t.${column.name}`, via: "direct" as const } } : {}),
    })),
    otherColumns: { detectors: false },
    touchesMasked,
    readsMaskedTable: touchesMasked,
  } as MaskingPlan;
}

const cells = (row: Buffer | null) => (row ? dataRowCells(row.subarray(5)).map((cell) => cell?.toString("utf8") ?? null) : null);

describe("the masking array built at RowDescription", () => {
  test("masked columns are rewritten and announced as text; others pass through untouched", () => {
    const fields = [field("id", 23), field("ssn", 1043)];
    const built = buildColumnMasking({ fields, plan: plan([{ name: "id" }, { name: "ssn", strategy: "redact" }]), origins: [], options: {} });
    expect(built.fields[1]!.typeOid).toBe(TEXT_OID);
    expect(built.fields[0]).toEqual(fields[0]);
    expect(cells(built.mask!(dataRow([Buffer.from("7"), Buffer.from("219-09-9999")]).subarray(5)))).toEqual(["7", "****"]);
  });

  test("a result nothing needs to look at has no masker: rows are relayed raw", () => {
    const built = buildColumnMasking({ fields: [field("n", 23)], plan: plan([{ name: "n" }], false), origins: [], options: {} });
    expect(built.mask).toBeNull();
  });

  test("detectors run on text columns, not on integers; an unchanged row is not re-encoded", () => {
    const built = buildColumnMasking({ fields: [field("n", 23), field("note", 25)], plan: plan([{ name: "n", detectors: true }, { name: "note", detectors: true }], false), origins: [], options: {} });
    expect(built.mask).not.toBeNull();
    expect(built.mask!(dataRow([Buffer.from("4111111111111111"), Buffer.from("hello")]).subarray(5))).toBeNull();
    expect(cells(built.mask!(dataRow([Buffer.from("1"), Buffer.from("card 4111 1111 1111 1111")]).subarray(5)))![1]).not.toContain("4111 1111 1111 1111");
  });

  test("the origin masks a column the plan missed", () => {
    const built = buildColumnMasking({ fields: [field("x", 25)], plan: plan([{ name: "x" }], false), origins: [{ kind: "redact" }], options: {} });
    expect(cells(built.mask!(dataRow([Buffer.from("secret")]).subarray(5)))).toEqual(["****"]);
  });

  test("refusals: a shape that differs from the plan; a masked non-text column in binary", () => {
    expect(() => buildColumnMasking({ fields: [field("other", 25)], plan: plan([{ name: "ssn", strategy: "redact" }]), origins: [], options: {} })).toThrow(MaskingRefusal);
    expect(() => buildColumnMasking({ fields: [field("a", 25), field("b", 25)], plan: plan([{ name: "a", strategy: "redact" }]), origins: [], options: {} })).toThrow(MaskingRefusal);
    expect(() => buildColumnMasking({ fields: [field("n", 20)], formats: [1], plan: plan([{ name: "n", strategy: "redact" }]), origins: [], options: {} })).toThrow(MaskingRefusal);
    const binaryText = buildColumnMasking({ fields: [field("s", 25)], formats: [1], plan: plan([{ name: "s", strategy: "redact" }]), origins: [], options: {} });
    expect(cells(binaryText.mask!(dataRow([Buffer.from("x")]).subarray(5)))).toEqual(["****"]);
  });
});
