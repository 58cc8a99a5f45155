// Payment card numbers inside free text: 13–19 digits, optionally grouped by single spaces or dashes,
// Luhn-valid, first digit 2–6 (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro; this also keeps
// 13-digit millisecond timestamps starting with 1 out). One linear pass over the text, no regex.
import type { Detection } from "../types";
import { isAlnum, isDigit } from "./chars";

/** Luhn checksum over the digits of text[start, end), skipping anything that is not a digit. */
export function luhnValid(text: string, start = 0, end = text.length): boolean {
  let sum = 0;
  let double = false;
  let count = 0;
  for (let i = end - 1; i >= start; i--) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) continue;
    let d = code - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
    count++;
  }
  return count > 0 && sum % 10 === 0;
}

// Scratch arrays for the digit groups of one run, reused across calls (the scanner is synchronous).
const groupStart: number[] = [];
const groupEnd: number[] = [];

function isSeparator(code: number): boolean {
  return code === 32 || code === 45;
}

function firstDigitOk(text: string, index: number): boolean {
  const d = text.charCodeAt(index) - 48;
  return d >= 2 && d <= 6;
}

/**
 * Try group-aligned windows of one run of digit groups; push the longest valid card at each start. A run glued to a
 * word or '+' at its start (a hex id, an E.164 phone) cannot have a window starting at its first group; one glued to
 * a word at its end cannot have a window ending at its last group.
 */
function scanRun(text: string, groups: number, gluedStart: boolean, gluedEnd: boolean, out: Detection[]): void {
  let g = gluedStart ? 1 : 0;
  const lastEnd = gluedEnd ? groups - 2 : groups - 1;
  while (g <= lastEnd) {
    let digits = 0;
    let best = -1;
    for (let h = g; h <= lastEnd; h++) {
      digits += groupEnd[h] - groupStart[h];
      if (digits > 19) break;
      if (digits >= 13 && firstDigitOk(text, groupStart[g]) && luhnValid(text, groupStart[g], groupEnd[h])) best = h;
    }
    if (best >= 0) {
      out.push({ kind: "card", start: groupStart[g], end: groupEnd[best] });
      g = best + 1;
    } else {
      g++;
    }
  }
}

/** A '.' or ',' between two digits: the digits around it are one decimal number, not a card. */
function decimalMark(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return (code === 46 || code === 44) && isDigit(text.charCodeAt(index - 1)) && isDigit(text.charCodeAt(index + 1));
}

/** Append every card number found in `text` to `out`. */
export function findCards(text: string, out: Detection[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const runStart = i;
    const gluedStart = i > 0 && (isAlnum(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 43 || decimalMark(text, i - 1));
    let groups = 0;
    for (;;) {
      const start = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      groupStart[groups] = start;
      groupEnd[groups] = i;
      groups++;
      if (i + 1 < n && isSeparator(text.charCodeAt(i)) && isDigit(text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      break;
    }
    const gluedEnd = i < n && (isAlnum(text.charCodeAt(i)) || decimalMark(text, i));
    if (i - runStart >= 13) scanRun(text, groups, gluedStart, gluedEnd, out);
    // Skip the rest of a word the run is glued to, so its digits do not start a new run.
    while (i < n && isAlnum(text.charCodeAt(i))) i++;
  }
}
