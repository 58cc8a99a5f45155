import { describe, expect, it } from "vitest";
import { approvalIdOf, displayValue, eventDetail } from "./payloads";

describe("replay payloads", () => {
  it("reads a result's masked sample as display text, column by column", () => {
    const detail = eventDetail("result", {
      statements: [
        { command: "SELECT", rowCount: 2, truncated: false, durationMs: 1.5, columns: ["name", "card_number", "note"], maskedColumns: ["card_number"], sample: [["Ada", "**** **** **** 4242", null], ["Alan", "**** **** **** 4444", { a: 1 }]] },
      ],
    });
    expect(detail).toEqual({
      kind: "result",
      statements: [
        { command: "SELECT", rowCount: 2, truncated: false, durationMs: 1.5, columns: ["name", "card_number", "note"], maskedColumns: ["card_number"], sample: [["Ada", "**** **** **** 4242", "NULL"], ["Alan", "**** **** **** 4444", '{"a":1}']] },
      ],
    });
  });

  it("reads a decision's rules, reasons, hints and masked columns", () => {
    const detail = eventDetail("decision", {
      action: "block",
      message: "DROP and TRUNCATE are not allowed",
      code: "blocked",
      matched: [{ policy: "shop-demo", rule: "block-drop-truncate", action: "block" }],
      reasons: [{ code: "rule", message: "matched", statement: 0 }],
      hints: ["ask a person"],
      tables: { read: [], written: ["customers"] },
    });
    expect(detail).toMatchObject({ kind: "decision", action: "block", message: "DROP and TRUNCATE are not allowed", matched: [{ rule: "block-drop-truncate" }], hints: ["ask a person"], masked: [] });
  });

  it("survives malformed or tampered payloads", () => {
    expect(eventDetail("result", { statements: "nope" })).toEqual({ kind: "result", statements: [] });
    expect(eventDetail("statement", null)).toEqual({ kind: "statement", statements: [], params: [] });
    expect(eventDetail("decision", [1, 2])).toMatchObject({ kind: "decision", action: "", matched: [] });
    expect(eventDetail("approval_wait", { approvalId: 7 })).toEqual({ kind: "approval_wait", approvalId: "", expiresAt: undefined });
    expect(eventDetail("mystery", { a: "b", n: 1 })).toEqual({ kind: "other", fields: [["a", "b"], ["n", "1"]] });
  });

  it("names the approval of wait and outcome events, only when it is an id", () => {
    const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    expect(approvalIdOf(eventDetail("approval_wait", { approvalId: id }))).toBe(id);
    expect(approvalIdOf(eventDetail("approval_outcome", { approvalId: "x'; --", status: "approved" }))).toBeNull();
    expect(approvalIdOf(eventDetail("statement", {}))).toBeNull();
  });

  it("shows values as text", () => {
    expect(displayValue(null)).toBe("NULL");
    expect(displayValue("a")).toBe("a");
    expect(displayValue(3)).toBe("3");
    expect(displayValue([1])).toBe("[1]");
  });
});
