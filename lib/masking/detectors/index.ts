// The detector backstop: find sensitive spans in free text and redact only those spans.
// Fast path first: one native regex (GATE) passes only text where some kind can be; then one char-code pass counts
// digits (in all, and in the longest run of number characters) so the finders run only where their kind can be.
// A cell with none of them (most names, notes, addresses) costs well under a microsecond.
import { maskCardText, maskEmailText } from "../strategies";
import { REDACTED, type Detection, type DetectionKind } from "../types";
import { findCards } from "./cards";
import { findEmails } from "./email";
import { findIbans } from "./iban";
import { findPhones } from "./phone";
import { findSecrets, SECRET_HINT } from "./secrets";
import { findSsns } from "./ssn";

export { luhnValid } from "./cards";
export { ibanChecksumValid, isIban } from "./iban";
export { ssnValid } from "./ssn";

const NONE: readonly Detection[] = Object.freeze([]);

/** When two detections overlap they are merged, and the merged span takes the kind ranked lower here. */
const RANK: Readonly<Record<DetectionKind, number>> = { secret: 0, card: 1, iban: 2, email: 3, ssn: 4, phone: 5 };

/**
 * The prefilter, one native regex: every kind needs one of these somewhere — a run of 8+ number characters from a
 * digit to a digit (cards, phones, SSNs), '@' (e-mail), two capitals and two digits (IBAN), or the first characters
 * of a secret marker (A + K/S/G/I/R/N, eyJ, --, _, xox). Most cells (names, cities, dates, plain notes) stop here.
 */
const GATE = /\d[\d .()+-]{6,}\d|@|_|A[KSGIRN]|eyJ|--|xox|[A-Z]{2}\d{2}/;

/** Where an IBAN can start: two capitals and two digits. */
const IBAN_START = /[A-Z]{2}\d{2}/;

/** Digits in all, and the most digits in one run of digits, spaces, '-', '.', '+', '(' and ')'. */
function countDigits(text: string): { digits: number; cluster: number } {
  let digits = 0;
  let cluster = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 57 && code >= 48) {
      digits++;
      if (++run > cluster) cluster = run;
    } else if (code !== 32 && code !== 45 && code !== 46 && code !== 43 && code !== 40 && code !== 41) run = 0;
  }
  return { digits, cluster };
}

/**
 * Sort by start and merge overlapping spans (sweep; O(k log k) even for adversarial inputs). Merging, rather than
 * dropping the weaker detection, means no part of any detected span is ever left in clear.
 */
function resolve(found: Detection[]): readonly Detection[] {
  if (found.length <= 1) return found;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Detection[] = [found[0]];
  for (let i = 1; i < found.length; i++) {
    const d = found[i];
    const last = kept[kept.length - 1];
    if (d.start >= last.end) {
      kept.push(d);
    } else if (d.end > last.end || RANK[d.kind] < RANK[last.kind]) {
      const kind = RANK[d.kind] < RANK[last.kind] ? d.kind : last.kind;
      kept[kept.length - 1] = { kind, start: last.start, end: Math.max(last.end, d.end) };
    }
  }
  return kept;
}

/**
 * Every sensitive span in `text`, sorted by start, never overlapping. Kinds: card (Luhn-valid, 13–19 digits),
 * email, ssn, iban (mod-97), phone (E.164 and national formats; not bare integers, ids, dates), secret (AWS access
 * key ids, JWTs, PEM private keys, Stripe/GitHub/Slack tokens).
 */
export function detect(text: string): readonly Detection[] {
  const n = text.length;
  if (n < 6) return NONE;
  if (!GATE.test(text)) return NONE;
  const { digits, cluster } = countDigits(text);
  const hasAt = text.indexOf("@") !== -1;
  const maybeSecret = n >= 20 && SECRET_HINT.test(text);
  if (digits < 8 && !hasAt && !maybeSecret) return NONE;
  const found: Detection[] = [];
  if (maybeSecret) findSecrets(text, found);
  // Cards (13–19 digits grouped by spaces or dashes), phones and SSNs sit inside one run of number characters.
  if (cluster >= 13) findCards(text, found);
  if (digits >= 8 && IBAN_START.test(text)) findIbans(text, found);
  if (cluster >= 8) findPhones(text, found);
  if (cluster >= 9) findSsns(text, found);
  if (hasAt) findEmails(text, found);
  return found.length === 0 ? NONE : resolve(found);
}

/** True when `text` holds anything `detect` would report. */
export function containsSensitive(text: string): boolean {
  return detect(text).length > 0;
}

function replacement(text: string, d: Detection): string {
  switch (d.kind) {
    // Both re-validate the span, so a span merged with a neighbour falls back to "****".
    case "card":
      return maskCardText(text.slice(d.start, d.end));
    case "email":
      return maskEmailText(text.slice(d.start, d.end));
    default:
      return REDACTED;
  }
}

/**
 * `text` with every detected span replaced: a card keeps its last four digits ("**** **** **** 4242"), an e-mail
 * keeps its domain ("****@example.com"), everything else becomes "****". Returns `text` itself when nothing is found.
 */
export function redactDetected(text: string): string {
  const found = detect(text);
  if (found.length === 0) return text;
  let out = "";
  let at = 0;
  for (const d of found) {
    out += text.slice(at, d.start) + replacement(text, d);
    at = d.end;
  }
  return out + text.slice(at);
}
