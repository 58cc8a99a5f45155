import { describe, expect, test } from "vitest";
import { agentSchema, expiryFrom, revokeSchema, splitGroups, tokenSchema } from "./schema";

const ID = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";

describe("agentSchema", () => {
  test("groups are split on commas and new lines, trimmed, without repeats", () => {
    expect(splitGroups(" engineering, data\nengineering ,, ")).toEqual(["engineering", "data"]);
    const parsed = agentSchema.parse({ name: "ci-bot", groups: "engineering, data", ownerId: ID });
    expect(parsed).toMatchObject({ name: "ci-bot", groups: ["engineering", "data"], ownerId: ID, disabled: false });
  });

  test("no owner is null; a forged owner that is not a uuid is refused", () => {
    expect(agentSchema.parse({ name: "a", ownerId: "" }).ownerId).toBeNull();
    expect(agentSchema.safeParse({ name: "a", ownerId: "admin" }).success).toBe(false);
  });

  test("bad names and groups are refused beside their field", () => {
    expect(agentSchema.safeParse({ name: "", groups: "" }).error?.issues[0]?.path).toEqual(["name"]);
    expect(agentSchema.safeParse({ name: "x", groups: "ok, not ok" }).error?.issues[0]?.path[0]).toBe("groups");
  });
});

describe("tokens", () => {
  test("a token needs a name and a known lifetime", () => {
    expect(tokenSchema.safeParse({ agentId: ID, name: "", expiresInDays: "30" }).success).toBe(false);
    expect(tokenSchema.safeParse({ agentId: ID, name: "ci", expiresInDays: "31" }).success).toBe(false);
    expect(tokenSchema.parse({ agentId: ID, name: "ci", expiresInDays: "" })).toEqual({ agentId: ID, name: "ci", expiresInDays: "" });
  });

  test("expiry from a lifetime", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(expiryFrom(now, "")).toBeNull();
    expect(expiryFrom(now, "7")?.toISOString()).toBe("2026-01-08T00:00:00.000Z");
  });

  test("revoking names a token and its agent, both uuids", () => {
    expect(revokeSchema.safeParse({ agentId: ID, tokenId: ID }).success).toBe(true);
    expect(revokeSchema.safeParse({ agentId: ID, tokenId: "x" }).success).toBe(false);
  });
});
