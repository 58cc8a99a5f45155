// Credentials pasted into data: AWS access key ids, JWTs, PEM private-key blocks, Stripe secret keys, GitHub and
// Slack tokens. Each token pattern starts behind a character outside its own class, so every run of token
// characters is scanned at most once (linear, no catastrophic backtracking).
import type { Detection } from "../types";

/** Cheap gate: no secret can be present unless one of these markers is. */
export const SECRET_HINT = /AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|eyJ|-----BEGIN|[rs]k_(?:live|test)_|whsec_|gh[opsur]_|github_pat_|xox[abprs]-/;

const TOKENS: readonly RegExp[] = [
  /(?<![A-Za-z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /(?<![A-Za-z0-9_])(?:[rs]k_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})/g,
  /(?<![A-Za-z0-9_])(?:gh[opsur]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g,
  /(?<![A-Za-z0-9-])xox[abprs]-[A-Za-z0-9-]{10,}/g,
];

const PEM_BEGIN = "-----BEGIN ";
const PEM_END = "-----END ";
const MAX_PEM_LABEL = 64;

/** PEM blocks whose label names a private key; an unterminated block is redacted to the end of the text. */
function findPemKeys(text: string, out: Detection[]): void {
  let begin = text.indexOf(PEM_BEGIN);
  while (begin !== -1) {
    const labelStart = begin + PEM_BEGIN.length;
    const labelEnd = text.indexOf("-----", labelStart);
    if (labelEnd === -1) return;
    if (labelEnd - labelStart <= MAX_PEM_LABEL && text.slice(labelStart, labelEnd).includes("PRIVATE KEY")) {
      const endMarker = text.indexOf(PEM_END, labelEnd + 5);
      let end = text.length;
      if (endMarker !== -1) {
        const close = text.indexOf("-----", endMarker + PEM_END.length);
        end = close === -1 ? text.length : close + 5;
      }
      out.push({ kind: "secret", start: begin, end });
      begin = text.indexOf(PEM_BEGIN, end);
    } else {
      begin = text.indexOf(PEM_BEGIN, labelStart);
    }
  }
}

/** Append every secret found in `text` to `out`. */
export function findSecrets(text: string, out: Detection[]): void {
  if (text.includes(PEM_BEGIN)) findPemKeys(text, out);
  for (const re of TOKENS) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) out.push({ kind: "secret", start: m.index, end: m.index + m[0].length });
  }
}
