// E-mail addresses inside free text, found from each '@' by walking outwards over the allowed characters
// (bounded: 64 for the local part, 253 for the domain), so the scan is linear whatever the input.
import type { Detection } from "../types";
import { isAlnum, isAsciiLetter } from "./chars";

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

function isLocalCode(code: number): boolean {
  // A-Z a-z 0-9 . _ % + - '
  return isAlnum(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45 || code === 39;
}

function isDomainCode(code: number): boolean {
  return isAlnum(code) || code === 45 || code === 46;
}

/** Index just past the domain starting at `from`, or -1 when it is not a plausible domain. */
function domainEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_DOMAIN);
  let end = from;
  while (end < limit && isDomainCode(text.charCodeAt(end))) end++;
  // Trim trailing dots/dashes ("mail me at a@b.com.").
  while (end > from && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
  if (end === from || !isAlnum(text.charCodeAt(from))) return -1;
  let lastDot = end - 1;
  while (lastDot > from && text.charCodeAt(lastDot) !== 46) lastDot--; // bounded: never before `from`
  if (lastDot <= from || end - lastDot - 1 < 2) return -1; // need "x.tld" with a TLD of 2+ chars
  for (let i = lastDot + 1; i < end; i++) if (!isAsciiLetter(text.charCodeAt(i))) return -1;
  for (let i = from + 1; i < end; i++) {
    if (text.charCodeAt(i) === 46 && text.charCodeAt(i - 1) === 46) return -1; // empty label
  }
  return end;
}

/** Append every e-mail address found in `text` to `out`. */
export function findEmails(text: string, out: Detection[]): void {
  let at = text.indexOf("@");
  while (at !== -1) {
    const floor = Math.max(0, at - MAX_LOCAL);
    let start = at;
    while (start > floor && isLocalCode(text.charCodeAt(start - 1))) start--;
    while (start < at && text.charCodeAt(start) === 46) start++; // a local part does not start with '.'
    const end = start < at ? domainEnd(text, at + 1) : -1;
    if (end !== -1) {
      out.push({ kind: "email", start, end });
      at = text.indexOf("@", end);
    } else {
      at = text.indexOf("@", at + 1);
    }
  }
}
