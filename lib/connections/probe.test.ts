import { describe, expect, test } from "vitest";
import { explain, scrub } from "./probe";

const target = { engine: "postgres", host: "db.internal", port: 5432, database: "shop", username: "airlock", tls: "prefer" } as const;

describe("scrub", () => {
  test("removes the secret as is, URL-encoded and JSON-escaped", () => {
    const secret = 'p@ss "word"/1';
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${JSON.stringify(secret).slice(1, -1)}`;
    const out = scrub(text, secret);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
  });

  test("an empty secret leaves the text alone", () => {
    expect(scrub("nothing", "")).toBe("nothing");
  });
});

describe("explain", () => {
  test("network failures name the server and the cause", () => {
    expect(explain(Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:5432"), { code: "ECONNREFUSED" }), target)).toEqual({
      code: "unreachable",
      message: "Could not reach db.internal:5432: nothing is listening there (connection refused).",
    });
  });

  test("authentication failures say so without the driver's text", () => {
    const pgAuth = explain(Object.assign(new Error("password authentication failed for user"), { code: "28P01" }), target);
    expect(pgAuth.code).toBe("auth_failed");
    const myAuth = explain(Object.assign(new Error("Access denied for user 'airlock'@'x' (using password: YES)"), { code: "ER_ACCESS_DENIED_ERROR", errno: 1045 }), { ...target, engine: "mysql" });
    expect(myAuth.code).toBe("auth_failed");
    expect(myAuth.message).not.toContain("using password");
  });

  test("an unknown driver error does not pass its text on", () => {
    const out = explain(new Error("something with hunter2 inside"), target);
    expect(out.code).toBe("failed");
    expect(out.message).not.toContain("hunter2");
  });
});
