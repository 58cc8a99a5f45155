import { describe, expect, it } from "vitest";
import { csvField, toCsv } from "./csv";

describe("csv", () => {
  it("leaves plain fields alone and empties null", () => {
    expect(csvField("select")).toBe("select");
    expect(csvField(42)).toBe("42");
    expect(csvField(-3)).toBe("-3");
    expect(csvField(false)).toBe("false");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
  });

  it("quotes commas, quotes and line breaks, doubling quotes", () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("SELECT 1\nFROM t")).toBe('"SELECT 1\nFROM t"');
    expect(csvField(" padded ")).toBe('" padded "');
  });

  it("defuses spreadsheet formulas in text", () => {
    expect(csvField("=HYPERLINK(\"http://evil\")")).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
  });

  it("writes a header and CRLF-terminated rows that parse back", () => {
    const text = toCsv(["seq", "sql"], [[1, "SELECT 'a,b'"], [2, null]]);
    expect(text).toBe("seq,sql\r\n1,\"SELECT 'a,b'\"\r\n2,\r\n");
  });
});
