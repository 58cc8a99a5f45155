import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor";

describe("keyset cursor", () => {
  it("round-trips (at, id)", () => {
    const cursor = { at: new Date("2026-11-25T22:35:01.042Z"), id: "123456789012" };
    const text = encodeCursor(cursor);
    expect(text).toBe("2026-11-25T22:35:01.042Z_123456789012");
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it("normalises leading zeros in the id", () => {
    expect(decodeCursor("2026-11-25T22:35:01.042Z_0042")?.id).toBe("42");
  });

  it.each([
    "",
    "garbage",
    "2026-11-25T22:35:01Z_1", // no milliseconds
    "2026-13-45T22:35:01.042Z_1", // no such day
    "2026-11-25T22:35:01.042Z_-1",
    "2026-11-25T22:35:01.042Z_1; DROP TABLE x",
    "2026-11-25T22:35:01.042Z_99999999999999999999", // beyond bigint
    "2026-11-25T22:35:01.042Z_9223372036854775808",
  ])("refuses %j", (text) => {
    expect(decodeCursor(text)).toBeNull();
  });

  it("treats a missing cursor as none", () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor(null)).toBeNull();
  });
});
