// Phone numbers inside free text: E.164 ("+14155552671", "+44 20 7946 0958") and common national formats
// ("(415) 555-2671", "415-555-2671", "415.555.2671", "020 7946 0958", "06 12 34 56 78").
// Deliberately not flagged: bare integers and ids ("4155552671"), dates and times, IPv4 addresses, decimals,
// ISBNs, ranges. A regex finds bounded candidates; the grouping rules below decide.
import type { Detection } from "../types";

// Start not glued to a word, '+', '.', '/', ':' or '-'; at most 24 characters; must not run on into a word,
// a path/time, or another number group.
const CANDIDATE = /(?<![\w+.\/:-])\+?\(?\d[\d ().-]{5,22}\d(?![\w\/:]|[.-]\d)/g;
const DATE_PREFIX = /^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(?!\d)/;

// Scratch for one candidate's digit-group lengths.
const groupLengths: number[] = [];

function nanpShaped(candidate: string, groups: number): boolean {
  const g = groupLengths;
  if (groups === 3) return g[0] === 3 && g[1] === 3 && g[2] === 4;
  return groups === 4 && g[0] === 1 && candidate.charCodeAt(0) === 49 && g[1] === 3 && g[2] === 3 && g[3] === 4;
}

const INNER_SEPARATORS: ReadonlySet<string> = new Set([" ", "-", ".", ")", ") ", ")-", " (", "(", "-("]);

/** Is this candidate (starting with '+', '(' or a digit and ending on a digit) shaped like a phone number? */
export function phoneShaped(candidate: string): boolean {
  const plus = candidate.charCodeAt(0) === 43;
  const first = plus ? 1 : 0;
  const parenthesised = candidate.charCodeAt(first) === 40;
  let groups = 0;
  let digits = 0;
  let run = 0;
  let sep = "";
  let dots = 0;
  let depth = 0;
  for (let i = first; i < candidate.length; i++) {
    const code = candidate.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (run === 0) {
        if (groups > 0 && !INNER_SEPARATORS.has(sep)) return false;
        if (sep === ".") dots++;
        sep = "";
      }
      run++;
      digits++;
      continue;
    }
    if (run > 0) {
      groupLengths[groups++] = run;
      run = 0;
    }
    if (code === 40 && ++depth > 1) return false;
    if (code === 41 && --depth < 0) return false;
    sep += candidate[i];
  }
  if (run > 0) groupLengths[groups++] = run;
  if (depth !== 0 || run === 0) return false;
  if (plus) return !parenthesised && digits >= 8 && digits <= 15 && candidate.charCodeAt(1) !== 48;
  // National: 10–12 digits in at least two groups, no group longer than 6, no 1-digit group after the first.
  if (digits < 10 || digits > 12 || groups < 2) return false;
  for (let g = 0; g < groups; g++) if (groupLengths[g] > 6 || (g > 0 && groupLengths[g] < 2)) return false;
  // Without a trunk '0' or an area code in parentheses, only the North American shape counts:
  // 415-555-2671, 1-800-555-0199 (not product codes such as 1234-5678-9012 or 12345-678901).
  if (!parenthesised && candidate.charCodeAt(0) !== 48 && !nanpShaped(candidate, groups)) return false;
  if (dots > 0 && groups < 3) return false; // decimals
  if (dots > 0 && groups === 4 && groupLengths[0] <= 3 && groupLengths[1] <= 3 && groupLengths[2] <= 3 &&
    groupLengths[3] <= 3) return false; // IPv4
  return !DATE_PREFIX.test(candidate);
}

/** Append every phone number found in `text` to `out`. */
export function findPhones(text: string, out: Detection[]): void {
  CANDIDATE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CANDIDATE.exec(text)) !== null) {
    let candidate = m[0];
    // A failed candidate may be a phone followed by more numbers: drop trailing groups and retry.
    let ok = phoneShaped(candidate);
    while (!ok) {
      const cut = Math.max(candidate.lastIndexOf(" "), candidate.lastIndexOf("-"), candidate.lastIndexOf("."));
      if (cut <= 0) break;
      candidate = candidate.slice(0, cut);
      while (candidate.length > 0 && !/\d$/.test(candidate)) candidate = candidate.slice(0, -1);
      if (candidate.length === 0) break;
      ok = phoneShaped(candidate);
    }
    if (ok) {
      out.push({ kind: "phone", start: m.index, end: m.index + candidate.length });
      CANDIDATE.lastIndex = m.index + candidate.length;
    }
  }
}
