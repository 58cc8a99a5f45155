import { describe, expect, test } from "vitest";
import { APPROVERS_MAX, connectionFromForm, connectionSchema, grantSchema, sameServer, storedSecretMayFollow } from "./schema";

const base = {
  name: "shop",
  description: "",
  engine: "postgres",
  host: "db.internal",
  port: "5432",
  database: "shop",
  username: "airlock",
  secret: "s3cret",
  tls: "prefer",
  rowLimit: "1000",
  timeoutSeconds: "30",
};
const ID = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";
const OTHER = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d";

describe("connectionSchema", () => {
  test("parses a form's strings into settings", () => {
    const parsed = connectionSchema.parse({ ...base, readOnly: "on" });
    expect(parsed).toMatchObject({ port: 5432, rowLimit: 1000, timeoutSeconds: 30, readOnly: true, noSecret: false, secret: "s3cret" });
  });

  test("a new connection needs a password unless the user has none", () => {
    const missing = connectionSchema.safeParse({ ...base, secret: "" });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(["secret"]);
    expect(connectionSchema.safeParse({ ...base, secret: "", noSecret: "on" }).success).toBe(true);
  });

  test("editing without a password keeps the stored one (empty is allowed)", () => {
    expect(connectionSchema.parse({ ...base, id: ID, secret: "" }).secret).toBe("");
  });

  test("no password and a typed password together are refused", () => {
    const both = connectionSchema.safeParse({ ...base, noSecret: "on" });
    expect(both.success).toBe(false);
  });

  test.each([
    ["name", "bad name"],
    ["host", "postgres://db:5432"],
    ["port", "70000"],
    ["port", "abc"],
    ["engine", "oracle"],
    ["tls", "maybe"],
    ["rowLimit", "0"],
    ["timeoutSeconds", "1.5"],
    ["database", ""],
    ["username", ""],
  ])("refuses %s = %j beside the field", (field, value) => {
    const result = connectionSchema.safeParse({ ...base, [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path[0])).toContain(field);
  });

  test("a forged id that is not a uuid is refused", () => {
    expect(connectionSchema.safeParse({ ...base, id: "1 OR 1=1" }).success).toBe(false);
  });

  test("write previews follow their checkbox: ticked is on, absent (unticked) is off", () => {
    expect(connectionSchema.parse({ ...base, previewWrites: "on" }).previewWrites).toBe(true);
    expect(connectionSchema.parse({ ...base, previewWrites: true }).previewWrites).toBe(true);
    expect(connectionSchema.parse(base).previewWrites).toBe(false);
  });

  test("approvers are optional (none: anyone the rule's roles allow), de-duplicated, and must be ids", () => {
    expect(connectionSchema.parse(base).approverIds).toEqual([]);
    const upper = ID.toUpperCase();
    expect(connectionSchema.parse({ ...base, approverIds: [ID, upper, OTHER] }).approverIds).toEqual([ID, OTHER]);
    const forged = connectionSchema.safeParse({ ...base, approverIds: [ID, "admin' --"] });
    expect(forged.success).toBe(false);
    expect(forged.error?.issues[0]?.path[0]).toBe("approverIds");
    const tooMany = Array.from({ length: APPROVERS_MAX + 1 }, (_, i) => `6f1c2d3e-4a5b-4c6d-8e7f-${String(i).padStart(12, "0")}`);
    expect(connectionSchema.safeParse({ ...base, approverIds: tooMany }).success).toBe(false);
  });

  test("the form's ticked approvers and preview checkbox reach the schema", () => {
    const form = new FormData();
    for (const [key, value] of Object.entries(base)) form.set(key, value);
    form.set("previewWrites", "on");
    form.append("approverIds", ID);
    form.append("approverIds", OTHER);
    expect(connectionSchema.parse(connectionFromForm(form))).toMatchObject({ previewWrites: true, approverIds: [ID, OTHER] });
    form.delete("previewWrites");
    form.delete("approverIds");
    expect(connectionSchema.parse(connectionFromForm(form))).toMatchObject({ previewWrites: false, approverIds: [] });
  });
});

describe("grantSchema", () => {
  test("exactly one of agent and group", () => {
    expect(grantSchema.parse({ connectionId: ID, kind: "agent", agentId: ID, agentGroup: "" })).toEqual({ connectionId: ID, agentId: ID, agentGroup: null });
    expect(grantSchema.parse({ connectionId: ID, kind: "group", agentId: "", agentGroup: "engineering" })).toEqual({ connectionId: ID, agentId: null, agentGroup: "engineering" });
    expect(grantSchema.safeParse({ connectionId: ID, kind: "agent", agentId: ID, agentGroup: "engineering" }).success).toBe(false);
    expect(grantSchema.safeParse({ connectionId: ID, kind: "group", agentId: ID, agentGroup: "engineering" }).success).toBe(false);
    expect(grantSchema.safeParse({ connectionId: ID, kind: "agent", agentId: "", agentGroup: "" }).success).toBe(false);
    expect(grantSchema.safeParse({ connectionId: ID, kind: "group", agentId: "", agentGroup: "" }).success).toBe(false);
    expect(grantSchema.safeParse({ connectionId: ID, kind: "group", agentId: "", agentGroup: "a b" }).success).toBe(false);
  });
});

test("sameServer compares host case-insensitively and port exactly", () => {
  expect(sameServer({ host: "DB.internal", port: 5432 }, { host: "db.internal", port: 5432 })).toBe(true);
  expect(sameServer({ host: "db.internal", port: 5432 }, { host: "evil.example", port: 5432 })).toBe(false);
  expect(sameServer({ host: "db.internal", port: 5432 }, { host: "db.internal", port: 5433 })).toBe(false);
});

test("the stored secret follows only to the same server over TLS at least as strict", () => {
  const saved = { host: "db.internal", port: 5432, tls: "require" } as const;
  expect(storedSecretMayFollow(saved, { ...saved })).toBe(true);
  expect(storedSecretMayFollow(saved, { ...saved, tls: "verify_full" })).toBe(true);
  expect(storedSecretMayFollow(saved, { ...saved, tls: "prefer" })).toBe(false);
  expect(storedSecretMayFollow(saved, { ...saved, tls: "disable" })).toBe(false);
  expect(storedSecretMayFollow(saved, { ...saved, host: "evil.example" })).toBe(false);
});
