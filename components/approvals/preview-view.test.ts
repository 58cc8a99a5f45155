import { describe, expect, test } from "vitest";
import { CELL_TEXT_MAX, cellText, durationText, estimateText, readPreview, rowsAffectedText, SAMPLE_ROWS_MAX, sampleTable } from "./preview-view";
import type { WritePreview } from "@/lib/approvals/preview";

const ran: WritePreview = {
  status: "ran",
  engine: "postgres",
  flags: [],
  rowsAffected: 2,
  estimatedRows: 3,
  estimatedCost: 12.345,
  durationMs: 14.2,
  sample: {
    table: "public.orders",
    columns: ["id", "status", "email"],
    before: [
      [1, "paid", "a***@x.test"],
      [2, "paid", "b***@x.test"],
    ],
    after: [
      [1, "refunded", "a***@x.test"],
      [2, "paid", "c***@x.test"],
    ],
    maskedColumns: ["email"],
  },
};

describe("sampleTable", () => {
  test("puts the key first, then the changed columns, so the change is in view", () => {
    const table = sampleTable({
      table: "customers",
      columns: ["id", "name", "email", "card_number", "city"],
      before: [[1, "Ada", "****@example.com", "**** 4242", "London"]],
      after: [[1, "Ada", "****@example.com", "**** 4242", "Paris"]],
      maskedColumns: ["email", "card_number"],
    });
    expect(table.columns).toEqual(["id", "city", "name", "email", "card_number"]);
    expect(table.rows[0]!.before!.map((cell) => cell.text)).toEqual(["1", "London", "Ada", "****@example.com", "**** 4242"]);
    expect(table.rows[0]!.after!.map((cell) => cell.change)).toEqual(["same", "changed", "same", "hidden", "hidden"]);
  });

  test("marks the cells whose value changed; equal masked values are hidden, not same", () => {
    const table = sampleTable(ran.sample!);
    expect(table.maskedColumns).toEqual(["email"]);
    expect(table.rows.map((row) => row.kind)).toEqual(["updated", "updated"]);
    expect(table.rows[0]!.after!.map((cell) => cell.change)).toEqual(["same", "changed", "hidden"]);
    expect(table.rows[0]!.before!.map((cell) => cell.text)).toEqual(["1", "paid", "a***@x.test"]);
    expect(table.rows[0]!.after!.map((cell) => cell.text)).toEqual(["1", "refunded", "a***@x.test"]);
    // A masked column whose masked values differ did change.
    expect(table.rows[1]!.after!.map((cell) => cell.change)).toEqual(["same", "same", "changed"]);
  });

  test("an INSERT's rows are new and a DELETE's rows are gone, every cell changed", () => {
    const inserted = sampleTable({ table: "t", columns: ["id", "note"], before: [null], after: [[7, null]], maskedColumns: [] });
    expect(inserted.rows).toEqual([{ kind: "inserted", before: null, after: [{ text: "7", change: "changed" }, { text: null, change: "changed" }] }]);
    const deleted = sampleTable({ table: "t", columns: ["id"], before: [[7]], after: [null], maskedColumns: [] });
    expect(deleted.rows).toEqual([{ kind: "deleted", before: [{ text: "7", change: "changed" }], after: null }]);
  });

  test("NULL to a value is a change; compares values, not their JavaScript types' identity", () => {
    const table = sampleTable({ table: "t", columns: ["a", "b", "c"], before: [[null, { k: 1 }, 1]], after: [["x", { k: 1 }, 1]], maskedColumns: [] });
    expect(table.rows[0]!.after!.map((cell) => cell.change)).toEqual(["changed", "same", "same"]);
    expect(table.rows[0]!.after![1]!.text).toBe('{"k":1}');
  });

  test("uneven lists pair by position; rows missing on both sides are skipped; the sample is capped", () => {
    const uneven = sampleTable({ table: "t", columns: ["a"], before: [[1], null], after: [[2]], maskedColumns: [] });
    expect(uneven.rows.map((row) => row.kind)).toEqual(["updated"]);
    const many = Array.from({ length: SAMPLE_ROWS_MAX + 5 }, (_, i) => [i]);
    expect(sampleTable({ table: "t", columns: ["a"], before: many, after: many, maskedColumns: [] }).rows).toHaveLength(SAMPLE_ROWS_MAX);
  });
});

test("cellText keeps NULL apart from text and cuts long values", () => {
  expect(cellText(null)).toBeNull();
  expect(cellText(undefined)).toBeNull();
  expect(cellText("NULL")).toBe("NULL");
  expect(cellText(false)).toBe("false");
  expect(cellText("x".repeat(CELL_TEXT_MAX + 10))).toHaveLength(CELL_TEXT_MAX);
});

describe("readPreview", () => {
  test("reads a run with its numbers and sample", () => {
    const view = readPreview(ran)!;
    expect(view).toMatchObject({ status: "ran", rowsAffected: 2, estimatedRows: 3, estimatedCost: 12.345, durationMs: 14.2, error: null });
    expect(rowsAffectedText(view)).toBe("2 rows");
    expect(estimateText(view)).toBe("~3 rows · cost 12.35");
    expect(view.sample?.rows).toHaveLength(2);
  });

  test("a statement that was not run says why, from its flags", () => {
    const view = readPreview({ status: "explained", engine: "mysql", flags: [{ code: "ddl", detail: "" }, { code: "volatile_function", detail: "dblink" }], estimatedRows: 1, durationMs: 3 })!;
    expect(rowsAffectedText(view)).toBe("Not run: it changes the schema (DDL); it calls a function with side effects (dblink)");
    expect(estimateText(view)).toBe("~1 row");
    expect(rowsAffectedText(readPreview({ status: "explained", engine: "postgres", flags: [], durationMs: 1 })!)).toBe("Not run: only the plan was read");
  });

  test("failed and off are said plainly", () => {
    const failed = readPreview({ status: "failed", engine: "postgres", flags: [], error: { message: "canceling statement due to lock timeout", sqlState: "55P03" }, durationMs: 2000 })!;
    expect(failed.error).toEqual({ message: "canceling statement due to lock timeout", sqlState: "55P03" });
    expect(rowsAffectedText(failed)).toBe("Not known: the dry run failed");
    expect(rowsAffectedText(readPreview({ status: "off", engine: "postgres", flags: [], durationMs: 0 })!)).toBe("Not run: previews are off for this connection");
  });

  test("malformed JSON gives null, and malformed parts are dropped", () => {
    for (const value of [null, undefined, 3, "ran", [], { status: "maybe" }]) expect(readPreview(value)).toBeNull();
    const view = readPreview({ status: "ran", flags: ["junk", { code: "new_kind", detail: "x" }], rowsAffected: -1, estimatedCost: "lots", sample: { table: 1 }, durationMs: 5 })!;
    expect(view).toMatchObject({ engine: "postgres", rowsAffected: null, estimatedCost: null, sample: null, flags: [{ code: "unsupported", detail: "x" }] });
  });
});

test("durationText", () => {
  expect(durationText(12.4)).toBe("12 ms");
  expect(durationText(1450)).toBe("1.5 s");
});
