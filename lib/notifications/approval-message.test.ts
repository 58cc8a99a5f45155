import { describe, expect, it } from "vitest";
import { describePreview, ruleIdsOf, statementKindOf } from "./approval-message";

describe("describePreview", () => {
  it("says what a rolled-back run changed", () => {
    expect(describePreview({ status: "ran", engine: "postgres", flags: [], rowsAffected: 10, estimatedCost: 12.34, durationMs: 3 }, "UPDATE")).toBe(
      "UPDATE would change 10 rows (est. cost 12.3); rolled back",
    );
    expect(describePreview({ status: "ran", engine: "mysql", flags: [], rowsAffected: 1, durationMs: 3 }, "DELETE")).toBe("DELETE would change 1 row; rolled back");
  });

  it("says why a statement was not run, with the plan when there is one", () => {
    expect(describePreview({ status: "explained", engine: "postgres", flags: [{ code: "sequence", detail: "uses nextval" }], durationMs: 1 })).toBe("not run: uses nextval (sequence)");
    expect(describePreview({ status: "explained", engine: "postgres", flags: [{ code: "ddl", detail: "" }], estimatedRows: 3, estimatedCost: 1, durationMs: 1 })).toBe(
      "not run: DDL; planner: est. 3 rows, cost 1.0",
    );
  });

  it("reports failures and disabled previews, and nothing for an absent or unreadable one", () => {
    expect(describePreview({ status: "failed", engine: "postgres", flags: [], error: { message: "canceling statement due to statement timeout", sqlState: "57014" }, durationMs: 5 })).toBe(
      "dry run failed: canceling statement due to statement timeout (SQLSTATE 57014); nothing changed",
    );
    expect(describePreview({ status: "off", engine: "mysql", flags: [], durationMs: 0 })).toBe("no dry run (previews are off for this connection)");
    expect(describePreview(null)).toBeNull();
    expect(describePreview({ status: "weird" })).toBeNull();
  });
});

describe("statementKindOf and ruleIdsOf", () => {
  it("reads the leading keyword past comments", () => {
    expect(statementKindOf("/* reason: cleanup */ -- x\n  update t set a = 1")).toBe("UPDATE");
    expect(statementKindOf("with x as (select 1) delete from t")).toBe("The statement");
  });

  it("takes the approval's rule ids, else the matched approval rules", () => {
    expect(ruleIdsOf({ approval: { ruleIds: ["a", "b", "a"] }, matched: [{ rule: "c", action: "require_approval" }] })).toEqual(["a", "b"]);
    expect(ruleIdsOf({ matched: [{ rule: "c", action: "require_approval" }, { rule: "m", action: "mask" }] })).toEqual(["c"]);
    expect(ruleIdsOf(null)).toEqual([]);
  });
});
