import { describe, expect, test } from "vitest";
import { csvCell, csvLine, toCsv } from "./csv";

describe("csvCell", () => {
  test("plain values pass, empty for absent ones, dates in ISO", () => {
    expect(csvCell("abc")).toBe("abc");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(10n)).toBe("10");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(new Date("2026-11-25T10:00:00Z"))).toBe("2026-11-25T10:00:00.000Z");
  });

  test("quotes commas, quotes, line breaks and edge spaces", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell(" padded")).toBe('" padded"');
  });

  test("defuses text a spreadsheet would run as a formula", () => {
    expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe("\"'=HYPERLINK(\"\"http://evil\"\")\"");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell(-2)).toBe("-2"); // numbers are numbers
  });
});

test("csvLine joins cells with CRLF", () => {
  expect(csvLine(["a", 1, null, "b,c"])).toBe('a,1,,"b,c"\r\n');
});

test("toCsv writes a header and CRLF-terminated rows", () => {
  expect(toCsv(["seq", "sql"], [[1, "SELECT 'a,b'"], [2, null], [3, false]])).toBe("seq,sql\r\n1,\"SELECT 'a,b'\"\r\n2,\r\n3,false\r\n");
});
