import { describe, expect, it } from "vitest";
import type { Detection } from "../types";
import { findIbans, ibanChecksumValid, isIban } from "./iban";

function ibans(text: string): string[] {
  const out: Detection[] = [];
  findIbans(text, out);
  return out.map((d) => text.slice(d.start, d.end));
}

const VALID = ["DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300", "NO9386011117947", "CH9300762011623852957"];

describe("IBAN checksum", () => {
  it.each(VALID)("accepts %s", (v) => {
    expect(ibanChecksumValid(v)).toBe(true);
    expect(isIban(v)).toBe(true);
  });
  it("rejects a changed digit, a wrong length or an unknown country", () => {
    expect(isIban("DE89370400440532013001")).toBe(false);
    expect(isIban("DE8937040044053201300")).toBe(false);
    expect(isIban("ZZ89370400440532013000")).toBe(false);
  });
  it("accepts printed groups and lower case as a whole value", () => {
    expect(isIban("DE89 3704 0044 0532 0130 00")).toBe(true);
    expect(isIban("gb82 west 1234 5698 7654 32")).toBe(true);
  });
});

describe("findIbans", () => {
  it("finds compact and grouped IBANs in text", () => {
    expect(ibans("pay to DE89370400440532013000 today")).toEqual(["DE89370400440532013000"]);
    expect(ibans("IBAN: DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX")).toEqual(["DE89 3704 0044 0532 0130 00"]);
    expect(ibans("GB82 WEST 1234 5698 7654 32, NL91ABNA0417164300")).toEqual(["GB82 WEST 1234 5698 7654 32", "NL91ABNA0417164300"]);
  });
  it("ignores invalid checksums and glued text", () => {
    expect(ibans("DE89370400440532013001")).toEqual([]);
    expect(ibans("XDE89370400440532013000")).toEqual([]);
    expect(ibans("DE89370400440532013000X")).toEqual([]);
    expect(ibans("AB12345678901234567")).toEqual([]);
  });
});
