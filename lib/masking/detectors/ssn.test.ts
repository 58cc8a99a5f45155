import { describe, expect, it } from "vitest";
import type { Detection } from "../types";
import { findSsns, ssnValid } from "./ssn";

function ssns(text: string): string[] {
  const out: Detection[] = [];
  findSsns(text, out);
  return out.map((d) => text.slice(d.start, d.end));
}

describe("findSsns", () => {
  it("finds valid SSNs", () => {
    expect(ssns("SSN 123-45-6789.")).toEqual(["123-45-6789"]);
    expect(ssns("(899-99-9999) 001-01-0001")).toEqual(["899-99-9999", "001-01-0001"]);
  });
  it.each(["000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000", "078-05-1120", "219-09-9999"])(
    "rejects never-issued %s",
    (v) => expect(ssns(v)).toEqual([]),
  );
  it("ignores other digit shapes", () => {
    expect(ssns("123456789 123 45 6789 1234-45-6789 123-45-67890 1-123-45-6789 ab123-45-6789")).toEqual([]);
  });
  it("ssnValid checks each part", () => {
    expect(ssnValid("123", "45", "6789")).toBe(true);
    expect(ssnValid("665", "01", "0001")).toBe(true);
    expect(ssnValid("666", "01", "0001")).toBe(false);
  });
});
