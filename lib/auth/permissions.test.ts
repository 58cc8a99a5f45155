import { describe, expect, it } from "vitest";
import { ALL_PERMISSIONS, can, isRole, permissionsOf, type Permission, type Role } from "./permissions";

const expected: Record<Role, Permission[]> = {
  admin: ALL_PERMISSIONS,
  approver: ["approvals.view", "approvals.decide", "connections.view", "agents.view", "sessions.view"],
  policy_author: ["policies.view", "policies.edit", "policies.simulate", "connections.view"],
  auditor: ["policies.view", "sessions.view", "sessions.export", "audit.view"],
};

describe("permissions", () => {
  it.each(Object.entries(expected) as [Role, Permission[]][])("%s has exactly its permissions", (role, permissions) => {
    expect(new Set(permissionsOf([role]))).toEqual(new Set(permissions));
    for (const permission of ALL_PERMISSIONS) expect(can([role], permission)).toBe(permissions.includes(permission));
  });

  it("grants the union of several roles", () => {
    expect(can(["auditor", "policy_author"], "policies.edit")).toBe(true);
    expect(can(["auditor", "policy_author"], "sessions.export")).toBe(true);
    expect(can(["auditor", "policy_author"], "approvals.decide")).toBe(false);
  });

  it("denies by default", () => {
    expect(permissionsOf([])).toEqual([]);
    expect(can([], "approvals.view")).toBe(false);
    expect(can(["root", "superuser", "__proto__", "constructor"], "users.manage")).toBe(false);
  });

  it("only admins manage people, issue tokens, and see or change notification channels", () => {
    for (const role of ["approver", "policy_author", "auditor"] as const) {
      expect(can([role], "users.manage")).toBe(false);
      expect(can([role], "tokens.issue")).toBe(false);
      expect(can([role], "connections.edit")).toBe(false);
      expect(can([role], "notifications.view")).toBe(false);
      expect(can([role], "notifications.edit")).toBe(false);
    }
  });

  it("recognises the schema's roles", () => {
    expect(["admin", "approver", "policy_author", "auditor"].every(isRole)).toBe(true);
    expect(isRole("owner")).toBe(false);
  });
});
