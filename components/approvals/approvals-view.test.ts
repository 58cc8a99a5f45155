import { describe, expect, test } from "vitest";
import { decisionFromForm, decisionSchema, firstFieldErrors } from "./decision-schema";
import { relativeTime } from "./relative-time";
import { tokenizeSql } from "./sql-tokens";
import { explainDecision, tablesTouched } from "./view";

describe("tokenizeSql", () => {
  const cases = [
    "UPDATE orders SET status = 'refunded' WHERE id = 1",
    "select * from t -- trailing comment\nwhere a = 'it''s' and b = 1.5e3 /* block */ and c = $1",
    "SELECT $tag$ body $$ $tag$, E'\\n', `weird``name`, \"Quoted\"\"Id\" FROM x;",
    "'unterminated",
    "/* unterminated",
    "<script>alert(1)</script>",
    "",
  ];
  test.each(cases)("round-trips %j", (sql) => {
    expect(tokenizeSql(sql).map((token) => token.text).join("")).toBe(sql);
  });

  test("classifies keywords, strings, numbers and comments", () => {
    const tokens = tokenizeSql("UPDATE orders SET status = 'refunded' WHERE id = 1 -- note");
    const of = (kind: string) => tokens.filter((token) => token.kind === kind).map((token) => token.text);
    expect(of("keyword")).toEqual(["UPDATE", "SET", "WHERE"]);
    expect(of("string")).toEqual(["'refunded'"]);
    expect(of("number")).toEqual(["1"]);
    expect(of("comment")).toEqual(["-- note"]);
    expect(tokens.find((token) => token.text.includes("orders"))?.kind).toBe("text");
  });

  test("a keyword inside a string or identifier stays part of it", () => {
    const tokens = tokenizeSql(`SELECT 'drop table' AS "select" FROM t`);
    expect(tokens.filter((token) => token.kind === "keyword").map((token) => token.text)).toEqual(["SELECT", "AS", "FROM"]);
  });
});

describe("explainDecision", () => {
  const decision = {
    action: "require_approval",
    matched: [{ policy: "shop-demo", rule: "approve-update-delete", action: "require_approval", what: "kind update" }, "junk"],
    reasons: [{ code: "rule_approval", message: "Changes to shop data need a reviewer's approval", statement: 0 }],
    hints: ["try a smaller change"],
    approval: { approverRoles: ["approver"], minApprovals: 1, message: "Changes need review" },
    masked: [{ column: "customers.email", strategy: "email" }],
    sealedParams: "c2VjcmV0IHBhcmFtZXRlcnM=",
  };

  test("keeps the rules, reasons, hints, message and masked columns", () => {
    expect(explainDecision(decision)).toEqual({
      rules: [{ policy: "shop-demo", rule: "approve-update-delete", action: "require_approval", what: "kind update" }],
      reasons: [{ code: "rule_approval", message: "Changes to shop data need a reviewer's approval" }],
      hints: ["try a smaller change"],
      message: "Changes need review",
      maskedColumns: ["customers.email"],
    });
  });

  test("says a read asked through a read-only tool runs read-only; anything but `true` is not taken for it", () => {
    expect(explainDecision({ ...decision, readOnly: true }).readOnly).toBe(true);
    for (const readOnly of [undefined, false, "true", 1]) expect(explainDecision({ ...decision, readOnly })).not.toHaveProperty("readOnly");
  });

  test("never carries the sealed parameters or any other field", () => {
    expect(JSON.stringify(explainDecision(decision))).not.toContain("c2VjcmV0");
    expect(JSON.stringify(explainDecision(decision))).not.toContain("sealed");
  });

  test("malformed JSON gives an empty explanation instead of throwing", () => {
    for (const value of [null, 3, "x", [], { matched: "no" }]) {
      expect(explainDecision(value).rules).toEqual([]);
    }
  });
});

test("tablesTouched lists written tables, then tables only read", () => {
  const payload = { statements: [{ kind: "update", tablesRead: ["orders", "customers"], tablesWritten: ["orders"] }] };
  expect(tablesTouched(payload)).toEqual({ read: ["customers"], written: ["orders"] });
  expect(tablesTouched(undefined)).toEqual({ read: [], written: [] });
});

test("relativeTime", () => {
  const now = new Date("2025-01-01T12:00:00Z");
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  expect(relativeTime(at(14 * 60 + 10), now)).toBe("in 14 min");
  expect(relativeTime(at(-3 * 60), now)).toBe("3 min ago");
  expect(relativeTime(at(-10), now)).toBe("just now");
  expect(relativeTime(at(20), now)).toBe("in under a minute");
  expect(relativeTime(at(-2 * 3600), now)).toBe("2 h ago");
  expect(relativeTime(at(-3 * 86_400), now)).toBe("3 days ago");
});

describe("decisionSchema", () => {
  const requestId = "7d3c5a4e-8f1b-4c2d-9e0a-1b2c3d4e5f60";
  const form = (fields: Record<string, string>) => {
    const data = new FormData();
    for (const [key, value] of Object.entries(fields)) data.set(key, value);
    return decisionFromForm(data);
  };

  test("an approval needs no reason", () => {
    expect(decisionSchema.safeParse(form({ requestId, verdict: "approve" })).data).toEqual({ requestId, verdict: "approve", reason: "" });
  });

  test("a rejection needs a non-blank reason", () => {
    const result = decisionSchema.safeParse(form({ requestId, verdict: "reject", reason: "   " }));
    expect(result.success).toBe(false);
    expect(firstFieldErrors(result.error!)).toEqual({ reason: expect.stringMatching(/why/) });
    expect(decisionSchema.safeParse(form({ requestId, verdict: "reject", reason: " not now " })).data?.reason).toBe("not now");
  });

  test("an unknown verdict or id is refused", () => {
    expect(decisionSchema.safeParse(form({ requestId, verdict: "maybe" })).success).toBe(false);
    expect(decisionSchema.safeParse(form({ requestId: "1; drop", verdict: "approve" })).success).toBe(false);
  });
});
