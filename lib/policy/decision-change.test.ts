import { describe, expect, test } from "vitest";
import { compilePolicy } from "./compile";
import { decisionGist, gistChanged } from "./decision-change";
import { evaluate } from "./evaluate";
import { analysis, context, demoMasking, out, policy, stmt } from "./fixtures";

const selectName = analysis(stmt({ kind: "select", tablesRead: ["customers"], outputColumns: [out("name", "customers.name"), out("email", "customers.email")] }));

describe("decisionGist / gistChanged", () => {
  const inForce = compilePolicy(demoMasking());
  const withName = demoMasking();
  withName.rules.push(policy([{ id: "mask-name", name: "Names", action: { type: "mask", columns: ["customers.name"], strategy: { kind: "redact" } } }]).rules[0]!);
  const draft = compilePolicy(withName);

  test("a new mask on a returned column changes the decision, though the action stays allow", () => {
    const before = decisionGist(evaluate(inForce, selectName, context()));
    const after = decisionGist(evaluate(draft, selectName, context()));
    expect(before.action).toBe("allow");
    expect(after.action).toBe("allow");
    expect(before.masked).toEqual(["email ← customers.email (email)"]);
    expect(after.masked).toEqual(["email ← customers.email (email)", "name ← customers.name (redact)"]);
    expect(after.rules).toContain("demo-masking/mask-name");
    expect(gistChanged(before, after)).toBe(true);
  });

  test("a statement the draft does not touch is unchanged", () => {
    const orders = analysis(stmt({ kind: "select", tablesRead: ["orders"], outputColumns: [out("id", "orders.id")] }));
    expect(gistChanged(decisionGist(evaluate(inForce, orders, context())), decisionGist(evaluate(draft, orders, context())))).toBe(false);
  });

  test("an action change counts, and a block carries its message", () => {
    const blocking = compilePolicy(policy([{ id: "no-customers", name: "No", match: { tables: ["customers"] }, action: { type: "block", message: "not here" } }]));
    const after = decisionGist(evaluate(blocking, selectName, context()));
    expect(after).toMatchObject({ action: "block", masked: [], why: "not here", rules: ["test/no-customers"] });
    expect(gistChanged(decisionGist(evaluate(inForce, selectName, context())), after)).toBe(true);
  });
});
