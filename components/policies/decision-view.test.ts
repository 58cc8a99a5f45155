import { describe, expect, test } from "vitest";
import { compilePolicy } from "@/lib/policy/compile";
import { evaluate } from "@/lib/policy/evaluate";
import { analysis, context, out, policy, stmt } from "@/lib/policy/fixtures";
import { decisionView } from "./decision-view";

describe("decisionView", () => {
  const p = policy([
    { id: "mask-name", name: "Names", action: { type: "mask", columns: ["customers.name"], strategy: { kind: "partial", keepFirst: 1, keepLast: 0 } } },
    { id: "approve-customers", name: "Customers need approval", match: { tables: ["customers"] }, action: { type: "require_approval", minApprovals: 2 } },
  ]);
  const select = analysis(stmt({ kind: "select", tablesRead: ["customers"], outputColumns: [out("name", "customers.name"), out("id", "customers.id")] }));

  test("an approval with a masking plan becomes plain, serialisable fields", () => {
    const view = decisionView(evaluate(compilePolicy(p), select, context()));
    expect(view.action).toBe("require_approval");
    expect(view.approval).toEqual({ roles: ["approver", "admin"], minApprovals: 2, expirySeconds: 900 });
    expect(view.plans).toEqual([
      {
        statementIndex: 0,
        otherDetectors: true,
        columns: [
          { index: 0, name: "name", strategy: "partial (first 1, last 0)", detectors: false, source: "customers.name", via: "direct", rule: "test/mask-name" },
          { index: 1, name: "id", strategy: null, detectors: true },
        ],
      },
    ]);
    expect(view.matched.map((m) => m.rule)).toContain("test/approve-customers");
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });

  test("a block has its message and no plan", () => {
    const blocking = policy([{ id: "no", name: "No", match: { tables: ["customers"] }, action: { type: "block", message: "not here" } }]);
    const view = decisionView(evaluate(compilePolicy(blocking), select, context()));
    expect(view).toMatchObject({ action: "block", message: "not here", plans: [] });
    expect(view.reasons[0]).toEqual({ code: "rule_block", message: "not here", rule: "test/no" });
  });
});
