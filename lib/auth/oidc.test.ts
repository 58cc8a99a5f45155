import { describe, expect, test } from "vitest";
import { groupsFrom, parseRoleMap, peopleOidcConfig, rolesFor } from "./oidc";

describe("parseRoleMap", () => {
  test("maps groups to roles, a group may grant several", () => {
    const map = parseRoleMap(" db-admins=admin, oncall=approver ,oncall=auditor,team=a=b=policy_author");
    expect(map).toEqual({
      ok: true,
      roles: new Map([
        ["db-admins", ["admin"]],
        ["oncall", ["approver", "auditor"]],
        ["team=a=b", ["policy_author"]],
      ]),
    });
  });

  test.each([
    ["", "maps no group to a role"],
    ["admins", '"admins" is not group=role'],
    ["=admin", '"=admin" is not group=role'],
    ["admins=root", '"root" is not a role (admin, approver, policy_author, auditor)'],
    ["admins=constructor", '"constructor" is not a role (admin, approver, policy_author, auditor)'],
  ])("refuses %j", (text, problem) => {
    expect(parseRoleMap(text)).toEqual({ ok: false, problem });
  });
});

describe("groupsFrom", () => {
  const claims = { groups: ["a", 3, "b"], realm_access: { roles: ["x"] }, single: "solo", nested: { deep: null } };

  test("reads a top-level array, a dotted path and a single string", () => {
    expect(groupsFrom(claims, "groups")).toEqual(["a", "b"]);
    expect(groupsFrom(claims, "realm_access.roles")).toEqual(["x"]);
    expect(groupsFrom(claims, "single")).toEqual(["solo"]);
  });

  test("missing paths and inherited names give no groups", () => {
    expect(groupsFrom(claims, "nested.deep.more")).toEqual([]);
    expect(groupsFrom(claims, "absent")).toEqual([]);
    expect(groupsFrom(claims, "groups.constructor")).toEqual([]);
    expect(groupsFrom(claims, "__proto__")).toEqual([]);
  });
});

test("rolesFor unions the roles of known groups in a stable order", () => {
  const map = new Map([
    ["ops", ["auditor", "approver"] as const],
    ["sec", ["policy_author"] as const],
  ]);
  expect(rolesFor(["unknown", "sec", "ops"], map)).toEqual(["approver", "policy_author", "auditor"]);
  expect(rolesFor(["unknown"], map)).toEqual([]);
});

describe("peopleOidcConfig", () => {
  test("is null when no issuer is set", () => {
    expect(peopleOidcConfig({})).toBeNull();
  });

  test("reads a full setup with defaults", () => {
    const config = peopleOidcConfig({
      AIRLOCK_OIDC_ISSUER: "https://id.example.com/realms/corp/",
      AIRLOCK_OIDC_CLIENT_ID: "airlock",
      AIRLOCK_OIDC_CLIENT_SECRET: "s3cret",
      AIRLOCK_OIDC_ROLES: "ops=approver",
    });
    expect(config).toMatchObject({ issuer: "https://id.example.com/realms/corp", clientId: "airlock", groupsClaim: "groups", label: "Single sign-on" });
  });

  test("refuses half a setup, naming what is missing", () => {
    expect(() => peopleOidcConfig({ AIRLOCK_OIDC_ISSUER: "https://id.example.com", AIRLOCK_OIDC_ROLES: "ops=approver" })).toThrow(/CLIENT_ID and AIRLOCK_OIDC_CLIENT_SECRET/);
    expect(() => peopleOidcConfig({ AIRLOCK_OIDC_ISSUER: "https://id.example.com", AIRLOCK_OIDC_CLIENT_ID: "a", AIRLOCK_OIDC_CLIENT_SECRET: "b" })).toThrow(/AIRLOCK_OIDC_ROLES maps no group/);
  });
});
