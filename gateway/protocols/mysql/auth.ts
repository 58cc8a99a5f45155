import { constants, createHash, privateDecrypt, timingSafeEqual, type KeyObject } from "node:crypto";

// The authentication methods' arithmetic. Airlock never holds an agent's token in clear at rest, so the door asks
// caching_sha2_password clients for full authentication: the token itself, sent over TLS, or without TLS encrypted
// to the door's RSA key (the client XORs it with the nonce first, so a recorded exchange cannot be replayed).
// The scrambles below are what clients compute; they are here for tests and for tools that check a password
// against its stored double hash.

const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ b[i % b.length]!));
const sha1 = (...parts: Buffer[]) => createHash("sha1").update(Buffer.concat(parts)).digest();
const sha256 = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();

/** mysql_native_password's scramble: SHA1(password) XOR SHA1(nonce + SHA1(SHA1(password))). */
export function nativeScramble(password: string, nonce: Buffer): Buffer {
  const stage1 = sha1(Buffer.from(password, "utf8"));
  return xor(stage1, sha1(nonce, sha1(stage1)));
}

/**
 * Whether a mysql_native_password scramble proves knowledge of the password whose SHA1(SHA1(·)) is `stage2`: the
 * scramble XOR SHA1(nonce + stage2) must be a SHA1(password) whose own SHA1 is stage2.
 */
export function checkNativeScramble(scramble: Buffer, nonce: Buffer, stage2: Buffer): boolean {
  if (scramble.length !== 20 || stage2.length !== 20) return false;
  const stage1 = xor(scramble, sha1(nonce, stage2));
  return timingSafeEqual(sha1(stage1), stage2);
}

/** caching_sha2_password's fast scramble: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce). */
export function sha2Scramble(password: string, nonce: Buffer): Buffer {
  const stage1 = sha256(Buffer.from(password, "utf8"));
  return xor(stage1, sha256(sha256(stage1), nonce));
}

/** The token a client sent encrypted to the door's RSA key (RSA-OAEP), XORed with the nonce and NUL-terminated. */
export function decryptPassword(encrypted: Buffer, privateKey: KeyObject, nonce: Buffer): string | null {
  try {
    const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, encrypted);
    const clear = xor(plain, nonce);
    const end = clear.indexOf(0);
    return clear.toString("utf8", 0, end < 0 ? clear.length : end);
  } catch {
    return null;
  }
}

/** A cleartext password packet's text (NUL-terminated on the wire). */
export function clearPassword(payload: Buffer): string {
  const end = payload.indexOf(0);
  return payload.toString("utf8", 0, end < 0 ? payload.length : end);
}
