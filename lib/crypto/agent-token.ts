import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

// Agent tokens: "alk_" + 8 chars of public prefix + "_" + 43 chars of secret (256 bits, base64url).
// Only the SHA-256 of the whole token is stored; the prefix identifies a token in the UI and logs. For the
// PostgreSQL door without TLS, a SCRAM-SHA-256 verifier is stored too (PostgreSQL's own format), computed when
// the token is issued: it lets the gateway check a SCRAM proof without ever holding the token. For the MySQL door,
// SHA1(SHA1(token)) likewise (mysql_native_password's stored form).

const SCHEME = "alk_";
const TOKEN_PATTERN = /^alk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  /** Shown once, never stored. */
  readonly token: string;
  readonly prefix: string;
  readonly hash: string;
  /** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, stored beside the hash. */
  readonly scramVerifier: string;
  /** SHA1(SHA1(token)) in hex: what the MySQL door checks a mysql_native_password scramble against. */
  readonly mysqlNativeVerifier: string;
}

export function issueAgentToken(): IssuedToken {
  const prefix = randomBytes(6).toString("base64url").replace(/[-_]/g, "x").slice(0, 8);
  const token = `${SCHEME}${prefix}_${randomBytes(32).toString("base64url")}`;
  return {
    token,
    prefix: `${SCHEME}${prefix}`,
    hash: hashAgentToken(token),
    scramVerifier: encodeScramVerifier(computeScramVerifier(token)),
    mysqlNativeVerifier: mysqlNativeVerifier(token),
  };
}

/** MySQL's stored form for mysql_native_password: SHA1(SHA1(password)), hex. */
export function mysqlNativeVerifier(token: string): string {
  return createHash("sha1").update(createHash("sha1").update(token, "utf8").digest()).digest("hex");
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

// ── SCRAM-SHA-256 verifiers (RFC 5802 / 7677) ────────────────────────────────────────────────────────────

export const SCRAM_ITERATIONS = 4096;
const SCRAM_SALT_BYTES = 16;

/** What a SCRAM server keeps: enough to check a proof and prove itself, not enough to log in. */
export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** PBKDF2-SHA-256 of the password (used as given, no SASLprep: tokens are ASCII), then StoredKey and ServerKey. */
export function computeScramVerifier(password: string, salt: Buffer = randomBytes(SCRAM_SALT_BYTES), iterations = SCRAM_ITERATIONS): ScramVerifier {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  return {
    iterations,
    salt,
    storedKey: createHash("sha256").update(clientKey).digest(),
    serverKey: createHmac("sha256", salted).update("Server Key").digest(),
  };
}

/** PostgreSQL's `pg_authid.rolpassword` form. */
export function encodeScramVerifier(verifier: ScramVerifier): string {
  const b64 = (bytes: Buffer) => bytes.toString("base64");
  return `SCRAM-SHA-256$${verifier.iterations}:${b64(verifier.salt)}$${b64(verifier.storedKey)}:${b64(verifier.serverKey)}`;
}

const B64 = "[A-Za-z0-9+/]+={0,2}";
const VERIFIER = new RegExp(`^SCRAM-SHA-256\\$([1-9][0-9]{0,6}):(${B64})\\$(${B64}):(${B64})$`);

/** The stored text back into a verifier; null when it is not a well-formed SCRAM-SHA-256 verifier. */
export function parseScramVerifier(text: string): ScramVerifier | null {
  const match = VERIFIER.exec(text);
  if (!match) return null;
  const salt = Buffer.from(match[2]!, "base64");
  const storedKey = Buffer.from(match[3]!, "base64");
  const serverKey = Buffer.from(match[4]!, "base64");
  if (salt.length === 0 || storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations: Number(match[1]), salt, storedKey, serverKey };
}
