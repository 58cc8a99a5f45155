import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// Agent tokens: "alk_" + 8 chars of public prefix + "_" + 43 chars of secret (256 bits, base64url).
// Only the SHA-256 of the whole token is stored; the prefix identifies a token in the UI and logs.

const SCHEME = "alk_";
const TOKEN_PATTERN = /^alk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  /** Shown once, never stored. */
  readonly token: string;
  readonly prefix: string;
  readonly hash: string;
}

export function issueAgentToken(): IssuedToken {
  const prefix = randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 8);
  const token = `${SCHEME}${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, prefix: `${SCHEME}${prefix}`, hash: hashAgentToken(token) };
}

export function hashAgentToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The token's public prefix, or null when the text is not shaped like an agent token. */
export function agentTokenPrefix(token: string): string | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? `${SCHEME}${match[1]}` : null;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/** Constant-time comparison of two hex hashes. Anything that is not whole, non-empty hex never matches
 *  (Buffer's hex decoder silently stops at the first bad character, so "abc" would equal "abd"). */
export function sameHash(a: string, b: string): boolean {
  if (!HEX.test(a) || !HEX.test(b)) return false;
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}
