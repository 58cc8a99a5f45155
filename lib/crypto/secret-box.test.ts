import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MASTER_KEY_BYTES, SecretBoxError, openSecret, sealSecret } from "./secret-box";

const key = randomBytes(MASTER_KEY_BYTES);
const connectionId = "6f1c2a4e-8a52-4d0b-9c1e-3d2f5b7a9e10";
const HEADER = 1 + 12 + 16; // version | iv | tag

function failure(action: () => unknown): SecretBoxError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretBoxError);
    return error as SecretBoxError;
  }
  throw new Error("expected a SecretBoxError, but nothing was thrown");
}

describe("secret box", () => {
  it("opens what it sealed", () => {
    for (const secret of ["pa55word!", "", "ünïcødé — 🔐", "x".repeat(10_000)]) {
      const envelope = sealSecret(key, secret, connectionId);
      expect(envelope).toBeInstanceOf(Uint8Array);
      expect(envelope.length).toBe(HEADER + Buffer.byteLength(secret, "utf8"));
      expect(envelope[0]).toBe(1);
      expect(openSecret(key, envelope, connectionId)).toBe(secret);
    }
  });

  it("does not keep the plaintext in the envelope", () => {
    const secret = "correct horse battery staple";
    const envelope = Buffer.from(sealSecret(key, secret, connectionId));
    expect(envelope.includes(Buffer.from(secret))).toBe(false);
    expect(envelope.includes(Buffer.from("correct"))).toBe(false);
  });

  it("opens a copy of the envelope held in a Buffer (as read back from the store)", () => {
    const envelope = Buffer.from(sealSecret(key, "s3cret", connectionId));
    expect(openSecret(Buffer.from(key), envelope, connectionId)).toBe("s3cret");
  });

  it("uses a fresh IV each time: the same secret seals differently", () => {
    const envelopes = Array.from({ length: 50 }, () => Buffer.from(sealSecret(key, "same secret", connectionId)));
    const ivs = new Set(envelopes.map((e) => e.subarray(1, 13).toString("hex")));
    expect(ivs.size).toBe(envelopes.length);
    expect(new Set(envelopes.map((e) => e.toString("hex"))).size).toBe(envelopes.length);
    for (const envelope of envelopes) expect(openSecret(key, envelope, connectionId)).toBe("same secret");
  });

  it("refuses another key", () => {
    const envelope = sealSecret(key, "s3cret", connectionId);
    expect(failure(() => openSecret(randomBytes(MASTER_KEY_BYTES), envelope, connectionId)).code).toBe("tampered");
  });

  it("refuses other associated data: a secret copied onto another connection does not open", () => {
    const envelope = sealSecret(key, "s3cret", connectionId);
    expect(failure(() => openSecret(key, envelope, "0b7e9c3a-1d2f-4e5a-8b6c-7d8e9f0a1b2c")).code).toBe("tampered");
    expect(failure(() => openSecret(key, envelope, "")).code).toBe("tampered");
  });

  it("refuses an envelope with any byte flipped after the version", () => {
    const envelope = sealSecret(key, "s3cret", connectionId);
    for (let index = 1; index < envelope.length; index++) {
      const tampered = Uint8Array.from(envelope);
      tampered[index] ^= 0x01;
      expect(failure(() => openSecret(key, tampered, connectionId)).code, `byte ${index}`).toBe("tampered");
    }
  });

  it("refuses a truncated or extended envelope", () => {
    const envelope = sealSecret(key, "s3cret", connectionId);
    const longer = new Uint8Array(envelope.length + 1);
    longer.set(envelope);
    expect(failure(() => openSecret(key, envelope.subarray(0, envelope.length - 1), connectionId)).code).toBe("tampered");
    expect(failure(() => openSecret(key, longer, connectionId)).code).toBe("tampered");
  });

  it("refuses envelopes of an unknown format", () => {
    const envelope = sealSecret(key, "s3cret", connectionId);
    const otherVersion = Uint8Array.from(envelope);
    otherVersion[0] = 2;
    expect(failure(() => openSecret(key, otherVersion, connectionId)).code).toBe("bad_envelope");
    expect(failure(() => openSecret(key, envelope.subarray(0, HEADER - 1), connectionId)).code).toBe("bad_envelope");
    expect(failure(() => openSecret(key, new Uint8Array(0), connectionId)).code).toBe("bad_envelope");
  });

  it("refuses keys that are not 32 bytes, on both sides", () => {
    const envelope = sealSecret(key, "s3cret", connectionId);
    for (const length of [0, 16, 24, 31, 33, 64]) {
      const badKey = randomBytes(length);
      expect(failure(() => sealSecret(badKey, "s3cret", connectionId)).code).toBe("bad_key");
      expect(failure(() => openSecret(badKey, envelope, connectionId)).code).toBe("bad_key");
    }
  });

  it("says nothing secret in its errors", () => {
    const envelope = sealSecret(key, "TopSecretValue", connectionId);
    const error = failure(() => openSecret(randomBytes(MASTER_KEY_BYTES), envelope, connectionId));
    expect(error.name).toBe("SecretBoxError");
    expect(error.message).not.toContain("TopSecretValue");
    expect(error.message).not.toContain(Buffer.from(key).toString("base64"));
    expect(error.message).not.toContain(connectionId);
  });
});
