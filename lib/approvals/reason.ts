import { redactDetected } from "../masking";

// An agent's justification for a statement that waits for approval: why it needs this. Given as the HTTP body's
// or the MCP tool's `reason`, on a wire door as a session setting (`SET airlock.reason = '…'`), or on any door as a
// leading comment (`/* reason: … */` or `-- reason: …`). People read it, and it is recorded: values the detectors
// recognise (card numbers, e-mail addresses, …) are redacted from it like from any free text.

export const MAX_REASON_CHARS = 1000;

/** A reason as stored: control characters and runs of blanks collapsed, detected values redacted, cut to size; undefined when blank. */
export function cleanReason(text: string | null | undefined): string | undefined {
  if (typeof text !== "string") return undefined;
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
  if (flat === "") return undefined;
  const cut = flat.length > MAX_REASON_CHARS ? `${flat.slice(0, MAX_REASON_CHARS - 1)}…` : flat;
  return redactDetected(cut);
}

const BLOCK_COMMENT = /^\s*\/\*\s*reason\s*:([\s\S]*?)\*\//i;
const LINE_COMMENT = /^\s*--\s*reason\s*:([^\r\n]*)/i;

/** The reason in the statement's leading comment, if it has one. */
export function reasonInComment(sql: string): string | undefined {
  const found = BLOCK_COMMENT.exec(sql) ?? LINE_COMMENT.exec(sql);
  return found ? cleanReason(found[1]) : undefined;
}

const SET_REASON = /^\s*SET\s+(?:SESSION\s+)?airlock\.reason\s*(?:=|\bTO\b)\s*(?:'((?:[^']|'')*)'|(DEFAULT))\s*;?\s*$/i;
const RESET_REASON = /^\s*RESET\s+airlock\.reason\s*;?\s*$/i;

/**
 * What a `SET airlock.reason = '…'` (or `RESET airlock.reason`, `SET airlock.reason TO DEFAULT`) sets the session's
 * reason to: the text, or null to clear it. Undefined when the statement is something else.
 */
export function reasonSetting(sql: string): string | null | undefined {
  if (RESET_REASON.test(sql)) return null;
  const found = SET_REASON.exec(sql);
  if (!found) return undefined;
  if (found[2]) return null;
  return cleanReason(found[1]!.replace(/''/g, "'")) ?? null;
}
