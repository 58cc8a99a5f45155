// IBANs inside free text: a known country code, two check digits, the country's exact BBAN length (spaces between
// characters allowed, as in printed groups of four), and the ISO 13616 mod-97 check.
import type { Detection } from "../types";
import { isAlnum } from "./chars";

// Total IBAN length per country (SWIFT IBAN registry).
const IBAN_LENGTH: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22,
  GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27,
  MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24,
  XK: 20,
};

// A candidate start: two capitals and two digits not glued to a preceding word. Bounded repetition only.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;

/** ISO 13616 check over compact IBAN characters (no spaces): move the first four to the end, mod 97 === 1. */
export function ibanChecksumValid(compact: string): boolean {
  const n = compact.length;
  let r = 0;
  for (let k = 0; k < n; k++) {
    const code = compact.charCodeAt((k + 4) % n);
    if (code >= 48 && code <= 57) r = (r * 10 + (code - 48)) % 97;
    else if (code >= 65 && code <= 90) r = (r * 100 + (code - 55)) % 97;
    else return false;
  }
  return r === 1;
}

/** Whole-value check, spaces allowed: "DE89 3704 0044 0532 0130 00". */
export function isIban(value: string): boolean {
  const compact = value.replace(/ /g, "").toUpperCase();
  const expected = IBAN_LENGTH[compact.slice(0, 2)];
  return expected !== undefined && compact.length === expected && /^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact) &&
    ibanChecksumValid(compact);
}

/** Append every IBAN found in `text` to `out`. */
export function findIbans(text: string, out: Detection[]): void {
  CANDIDATE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CANDIDATE.exec(text)) !== null) {
    const start = m.index;
    const expected = IBAN_LENGTH[text.slice(start, start + 2)];
    const limit = start + m[0].length;
    let end = -1;
    if (expected !== undefined) {
      let taken = 0;
      let compact = "";
      let i = start;
      while (i < limit && taken < expected) {
        const code = text.charCodeAt(i);
        if (code !== 32) {
          compact += text[i];
          taken++;
        }
        i++;
      }
      if (taken === expected && !isAlnum(text.charCodeAt(i)) && ibanChecksumValid(compact)) end = i;
    }
    if (end !== -1) {
      out.push({ kind: "iban", start, end });
      CANDIDATE.lastIndex = end;
    } else {
      CANDIDATE.lastIndex = start + 1;
    }
  }
}
