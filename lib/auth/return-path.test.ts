import { describe, expect, it } from "vitest";
import { safeReturnPath, signInPath } from "./return-path";

describe("safeReturnPath", () => {
  it("keeps paths on this site", () => {
    expect(safeReturnPath("/approvals/42?tab=sql#top")).toBe("/approvals/42?tab=sql#top");
    expect(safeReturnPath(["/sessions", "/audit"])).toBe("/sessions");
  });

  it.each([
    undefined,
    null,
    "",
    "approvals",
    "//evil.example/x",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\tevil",
    "/signin",
    "/signin?callbackUrl=/x",
    "/api/auth/signout",
    "/" + "a".repeat(3000),
  ])("sends %j home", (value) => {
    expect(safeReturnPath(value)).toBe("/");
  });
});

describe("signInPath", () => {
  it("remembers where to return", () => {
    expect(signInPath("/approvals/42")).toBe("/signin?callbackUrl=%2Fapprovals%2F42");
    expect(signInPath("/")).toBe("/signin");
    expect(signInPath(null)).toBe("/signin");
  });
});
