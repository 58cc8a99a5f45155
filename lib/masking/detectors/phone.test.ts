import { describe, expect, it } from "vitest";
import type { Detection } from "../types";
import { findPhones } from "./phone";

function phones(text: string): string[] {
  const out: Detection[] = [];
  findPhones(text, out);
  return out.map((d) => text.slice(d.start, d.end));
}

describe("findPhones", () => {
  it.each([
    "+14155552671",
    "+1 415 555 2671",
    "+1 (415) 555-2671",
    "+44 20 7946 0958",
    "+44 (0)20 7946 0958",
    "+49 151 12345678",
    "(415) 555-2671",
    "415-555-2671",
    "415.555.2671",
    "415 555 2671",
    "1-800-555-0199",
    "020 7946 0958",
    "06 12 34 56 78",
    "07700 900123",
  ])("finds %s", (p) => {
    expect(phones(`call ${p} today`)).toEqual([p]);
  });

  it.each([
    "4155552671", // bare integer / id
    "1700000000", // unix time
    "2024-01-15",
    "2024-01-15 10:30:00",
    "15/01/2024",
    "192.168.100.200",
    "3.14159265358",
    "0.123456789012",
    "0-306-40615-2", // ISBN-10
    "978-3-16-148410-0", // ISBN-13
    "12345-678901",
    "1234-5678-9012", // product code
    "2-415-555-2671",
    "100-200",
    "1,234,567,890",
    "v1.2.3",
    "+0123456789",
    "#4155552671",
    "abc415-555-2671",
  ])("does not flag %s", (v) => {
    expect(phones(`value ${v} here`)).toEqual([]);
  });

  it("keeps a phone followed by another number", () => {
    expect(phones("415-555-2671 1234")).toEqual(["415-555-2671"]);
  });
});
