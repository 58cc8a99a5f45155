import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { defaultPolicy } from "@/lib/policy/defaults";
import { parsePolicyDocument, validatePolicy } from "@/lib/policy/document";
import { emptyPolicy, errorAt, friendly, policyFromForm, policyToForm, splitList } from "./form-model";

const shop = parsePolicyDocument(fs.readFileSync(path.resolve(import.meta.dirname, "../../demo/shop-policy.yaml"), "utf8"));

describe("policy form model", () => {
  test.each([
    ["the built-in defaults", defaultPolicy()],
    ["the demo shop policy", shop.ok ? shop.policy : null],
  ])("%s survive form → document unchanged", (_, policy) => {
    expect(policy).not.toBeNull();
    const back = validatePolicy(policyFromForm(policyToForm(policy!)));
    expect(back).toEqual({ ok: true, policy });
  });

  test("the settings' safe and untrusted columns survive form → document", () => {
    const parsed = validatePolicy({ version: 1, id: "text", name: "Text", settings: { detectors: "all", safeColumns: ["orders.tracking_number"], untrustedColumns: ["reviews.body", "tickets.*"] }, rules: [] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(validatePolicy(policyFromForm(policyToForm(parsed.policy)))).toEqual({ ok: true, policy: parsed.policy });
  });

  test("an approval rule's reason, reminder and approver groups survive form → document", () => {
    const parsed = validatePolicy({
      version: 1,
      id: "changes",
      name: "Changes",
      rules: [
        {
          id: "payments",
          name: "Payments need two DBAs and a reason",
          match: { tables: ["payments"] },
          action: { type: "require_approval", approverRoles: ["approver"], approverGroups: ["dba", "payments-leads"], minApprovals: 2, requireReason: true, remindAfterSeconds: 300 },
        },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(validatePolicy(policyFromForm(policyToForm(parsed.policy)))).toEqual({ ok: true, policy: parsed.policy });
  });

  test("a new mask rule from the form is a valid document", () => {
    const form = emptyPolicy();
    Object.assign(form, { id: "pii", name: "PII" });
    Object.assign(form.rules[0]!, { id: "mask-name", name: "Names", connections: "shop", maskColumns: "customers.name,\n customers.city", strategy: "partial", keepFirst: "1", keepLast: "0" });
    const result = validatePolicy(policyFromForm(form));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.rules[0]!.action).toEqual({
      type: "mask",
      columns: ["customers.name", "customers.city"],
      strategy: { kind: "partial", keepFirst: 1, keepLast: 0 },
      derived: "redact",
      predicates: "block",
    });
    expect(result.policy.rules[0]!.scope.connections).toEqual(["shop"]);
  });

  test("errors come back by path and land on the field that owns them", () => {
    const form = emptyPolicy();
    Object.assign(form, { id: "Bad Id", name: "" });
    Object.assign(form.rules[0]!, { id: "r", name: "r", maskColumns: "customers.name, .oops" });
    form.rules.push({ ...form.rules[0]!, key: "x", type: "require_approval", minApprovals: "many", kinds: ["update"] });
    const result = validatePolicy(policyFromForm(form));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(errorAt(result.errors, "id")).toMatch(/id must be/);
    expect(errorAt(result.errors, "name")).toBeTruthy();
    expect(errorAt(result.errors, "rules[0].action.columns")).toMatch(/^\[1\]: column pattern must look like table.column/);
    expect(errorAt(result.errors, "rules[1].action.minApprovals")).toBeTruthy();
    expect(errorAt(result.errors, "rules[0].scope")).toBeUndefined();
  });

  test("a duplicate rule id is reported on the second rule's id", () => {
    const form = emptyPolicy();
    Object.assign(form, { id: "p", name: "P" });
    Object.assign(form.rules[0]!, { id: "r", name: "r", maskColumns: "customers.name" });
    form.rules.push({ ...form.rules[0]!, key: "x" });
    const result = validatePolicy(policyFromForm(form));
    expect(result.ok ? null : errorAt(result.errors, "rules[1].id")).toMatch(/duplicate rule id/);
  });

  test("zod's generic wording is said the way a form says it", () => {
    const form = emptyPolicy();
    Object.assign(form, { id: "p", name: "", maxRows: "lots" });
    Object.assign(form.rules[0]!, { id: "r", name: "r", type: "require_approval", minApprovals: "0", expirySeconds: "" });
    const result = validatePolicy(policyFromForm(form));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(errorAt(result.errors, "name")).toBe("Required");
    expect(errorAt(result.errors, "settings.maxRows")).toBe("Enter a whole number");
    expect(errorAt(result.errors, "rules[0].action.minApprovals")).toBe("At least 1");
    expect(friendly("pattern is empty")).toBe("pattern is empty");
  });

  test("splitList", () => {
    expect(splitList(" a, b\n\nc ,")).toEqual(["a", "b", "c"]);
    expect(splitList(" , ")).toBeUndefined();
  });
});
