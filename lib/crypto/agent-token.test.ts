import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { agentTokenPrefix, computeScramVerifier, encodeScramVerifier, hashAgentToken, issueAgentToken, parseScramVerifier, sameHash } from "./agent-token";

const FORMAT = /^alk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/;

describe("agent tokens", () => {
  it("are issued as alk_ + 8-character prefix + _ + 43 characters of base64url secret", () => {
    for (let i = 0; i < 200; i++) {
      const { token, prefix, hash } = issueAgentToken();
      expect(token).toMatch(FORMAT);
      expect(prefix).toMatch(/^alk_[A-Za-z0-9]{8}$/);
      expect(token.startsWith(`${prefix}_`)).toBe(true);
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hash).toBe(hashAgentToken(token));
      // The secret part carries 256 bits.
      expect(Buffer.from(token.slice(prefix.length + 1), "base64url")).toHaveLength(32);
    }
  });

  it("hash to the SHA-256 hex of the whole token, stably", () => {
    const token = "alk_AbCd1234_" + "x".repeat(43);
    const expected = createHash("sha256").update(token, "utf8").digest("hex");
    expect(hashAgentToken(token)).toBe(expected);
    expect(hashAgentToken(token)).toBe(hashAgentToken(token));
    expect(hashAgentToken(token)).not.toBe(hashAgentToken(token.slice(0, -1) + "y"));
    // Known vector: SHA-256("abc").
    expect(hashAgentToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("are unique: 1000 issued tokens share no token, prefix-secret or hash", () => {
    const issued = Array.from({ length: 1000 }, () => issueAgentToken());
    expect(new Set(issued.map((t) => t.token)).size).toBe(1000);
    expect(new Set(issued.map((t) => t.hash)).size).toBe(1000);
    expect(new Set(issued.map((t) => t.token.slice(t.prefix.length + 1))).size).toBe(1000);
    // Prefixes are 47 bits: a collision among 1000 is astronomically unlikely.
    expect(new Set(issued.map((t) => t.prefix)).size).toBe(1000);
  });

  it("prefix is read back from a well-formed token only", () => {
    const { token, prefix } = issueAgentToken();
    expect(agentTokenPrefix(token)).toBe(prefix);
    for (const bad of [
      "",
      prefix,
      `${prefix}_`,
      token.slice(0, -1),
      `${token}x`,
      token.replace(/^alk_/, "alx_"),
      `Bearer ${token}`,
      `${token}\n`,
      `alk_abc!1234_${"x".repeat(43)}`,
      `alk_abcd1234_${"x".repeat(42)}=`,
    ]) {
      expect(agentTokenPrefix(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it("sameHash compares hex hashes in constant time, and refuses different lengths or non-hex", () => {
    const { hash } = issueAgentToken();
    const other = issueAgentToken().hash;
    expect(sameHash(hash, hash)).toBe(true);
    expect(sameHash(hash, hash.toUpperCase())).toBe(true); // hex decodes case-insensitively
    expect(sameHash(hash, other)).toBe(false);
    expect(sameHash(hash, hash.slice(0, 62))).toBe(false);
    expect(sameHash(hash, "")).toBe(false);
    expect(sameHash(hash, `${hash}00`)).toBe(false);
    const flipped = hash.slice(0, -1) + (hash.endsWith("0") ? "1" : "0");
    expect(sameHash(hash, flipped)).toBe(false);
  });

  it("sameHash never matches text that is not whole hex (Buffer's hex decoder stops at a bad character)", () => {
    expect(sameHash("", "")).toBe(false);
    expect(sameHash("abc", "abd")).toBe(false); // odd length: the last nibble would be dropped
    expect(sameHash("g".repeat(64), "h".repeat(64))).toBe(false); // both would decode to nothing
    const { hash } = issueAgentToken();
    expect(sameHash(`${hash.slice(0, 62)}zz`, `${hash.slice(0, 62)}yy`)).toBe(false);
    expect(sameHash(`${hash} `, hash)).toBe(false);
  });

  it("carry a SCRAM-SHA-256 verifier of the whole token, 4096 iterations and a fresh 16-byte salt each", () => {
    const a = issueAgentToken();
    const b = issueAgentToken();
    for (const issued of [a, b]) {
      expect(issued.scramVerifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
      const parsed = parseScramVerifier(issued.scramVerifier)!;
      expect(parsed.salt).toHaveLength(16);
      // recomputed from the token with the stored salt, it is the same verifier
      expect(encodeScramVerifier(computeScramVerifier(issued.token, parsed.salt, parsed.iterations))).toBe(issued.scramVerifier);
      expect(issued.scramVerifier).not.toContain(issued.token.slice(issued.prefix.length + 1));
    }
    expect(parseScramVerifier(a.scramVerifier)!.salt.equals(parseScramVerifier(b.scramVerifier)!.salt)).toBe(false);
  });

  it("carry mysql_native_password's stored form, SHA1(SHA1(token)) in hex, which holds no part of the token", () => {
    const issued = issueAgentToken();
    const expected = createHash("sha1").update(createHash("sha1").update(issued.token).digest()).digest("hex");
    expect(issued.mysqlNativeVerifier).toBe(expected);
    expect(issued.mysqlNativeVerifier).toMatch(/^[0-9a-f]{40}$/);
    expect(issued.mysqlNativeVerifier).not.toContain(issued.hash.slice(0, 12));
  });

  it("compute the verifier PostgreSQL 15 itself stores for the same password and salt", () => {
    // SET password_encryption = 'scram-sha-256'; CREATE ROLE r PASSWORD '<token>'; SELECT rolpassword FROM pg_authid …
    const token = `alk_AbCd1234_${"x".repeat(43)}`;
    const fromPostgres =
      "SCRAM-SHA-256$4096:6PAsNNOKREiBgF6q/EDeCw==$jMWoffpvUzbYGlTtUQofa/fyQh4Ggmu52buBTbcVlQ8=:x4pEweAJRvYurhjwNEbRqSQYai+o0jH/19Ma5pXHulg=";
    const salt = Buffer.from("6PAsNNOKREiBgF6q/EDeCw==", "base64");
    expect(encodeScramVerifier(computeScramVerifier(token, salt))).toBe(fromPostgres);
    expect(encodeScramVerifier(computeScramVerifier(`${token.slice(0, -1)}y`, salt))).not.toBe(fromPostgres);
    expect(encodeScramVerifier(parseScramVerifier(fromPostgres)!)).toBe(fromPostgres);
  });

  it("parseScramVerifier refuses anything that is not a whole SCRAM-SHA-256 verifier", () => {
    const good = issueAgentToken().scramVerifier;
    const [head, keys] = [good.slice(0, good.lastIndexOf("$")), good.slice(good.lastIndexOf("$") + 1)];
    for (const bad of [
      "",
      "md5" + "0".repeat(32),
      good.replace("SCRAM-SHA-256", "SCRAM-SHA-1"),
      good.replace("$4096:", "$0:"),
      good.replace("$4096:", "$:"),
      `${head}$${keys.split(":")[0]}`,
      `${head}$${keys.split(":")[0]}:${Buffer.alloc(16).toString("base64")}`,
      `${good}\n`,
      ` ${good}`,
      good.replace(/:[^$]*\$/, ":$"),
    ]) {
      expect(parseScramVerifier(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
