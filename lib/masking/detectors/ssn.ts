// US Social Security numbers written ###-##-####. Excluded as never issued: area 000, 666 and 900–999,
// group 00, serial 0000, plus the famous published examples (078-05-1120, 219-09-9999).
import type { Detection } from "../types";

// Linear: fixed-width pieces, and the look-arounds keep it from starting or ending inside a longer number.
const SSN = /(?<![\dA-Za-z-])(\d{3})-(\d{2})-(\d{4})(?![\dA-Za-z-])/g;

export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === "00" || serial === "0000") return false;
  const whole = area + group + serial;
  return whole !== "078051120" && whole !== "219099999";
}

/** Append every SSN found in `text` to `out`. */
export function findSsns(text: string, out: Detection[]): void {
  SSN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SSN.exec(text)) !== null) {
    if (ssnValid(m[1], m[2], m[3])) out.push({ kind: "ssn", start: m.index, end: m.index + m[0].length });
  }
}
