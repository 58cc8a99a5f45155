import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// Connection secrets at rest: AES-256-GCM under the master key. Envelope layout:
//   version (1 byte = 1) | iv (12 bytes) | tag (16 bytes) | ciphertext
// The associated data binds a ciphertext to its row (the connection id), so a secret copied onto another
// connection does not decrypt.

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MASTER_KEY_BYTES = 32;

export class SecretBoxError extends Error {
  constructor(readonly code: "bad_key" | "bad_envelope" | "tampered") {
    super(
      code === "bad_key"
        ? "the master key must be 32 bytes"
        : code === "bad_envelope"
          ? "the encrypted secret is not in a known format"
          : "the encrypted secret does not decrypt with this master key (wrong key, or tampered)",
    );
    this.name = "SecretBoxError";
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== MASTER_KEY_BYTES) throw new SecretBoxError("bad_key");
}

export function sealSecret(key: Uint8Array, plaintext: string, associatedData: string): Uint8Array<ArrayBuffer> {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const out = new Uint8Array(1 + IV_BYTES + TAG_BYTES + body.length);
  out[0] = VERSION;
  out.set(iv, 1);
  out.set(cipher.getAuthTag(), 1 + IV_BYTES);
  out.set(body, 1 + IV_BYTES + TAG_BYTES);
  return out;
}

export function openSecret(key: Uint8Array, envelope: Uint8Array, associatedData: string): string {
  checkKey(key);
  if (envelope.length < 1 + IV_BYTES + TAG_BYTES || envelope[0] !== VERSION) throw new SecretBoxError("bad_envelope");
  const iv = envelope.subarray(1, 1 + IV_BYTES);
  const tag = envelope.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(envelope.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("tampered");
  }
}
