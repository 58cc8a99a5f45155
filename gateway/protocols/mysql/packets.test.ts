import { describe, expect, it } from "vitest";
import { framePackets, MAX_PAYLOAD, PacketFramer } from "./packets";
import { parseCommand, parseHandshakeResponse } from "./parser";
import { checkNativeScramble, nativeScramble } from "./auth";
import { createHash } from "node:crypto";
import { err, ok } from "./serializer";

const wire = (payload: Buffer, seq: number) => Buffer.concat(framePackets(payload, seq).frames);

describe("packet framing", () => {
  it("reassembles packets split at every offset", () => {
    const stream = Buffer.concat([wire(Buffer.from("\x03SELECT 1"), 0), wire(Buffer.from("\x0e"), 0), wire(Buffer.alloc(0), 3)]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const framer = new PacketFramer(1 << 20);
      const got = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))];
      expect(got.map((f) => (f.kind === "packet" ? [f.packet.seq, f.packet.payload.toString("latin1")] : f.kind))).toEqual([
        [0, "\x03SELECT 1"],
        [0, "\x0e"],
        [3, ""],
      ]);
    }
  });

  it("joins a payload of 16 MiB - 1 and more from its parts, with consecutive sequence ids", () => {
    const payload = Buffer.alloc(MAX_PAYLOAD + 10, 7);
    const { frames, next } = framePackets(payload, 5);
    expect(frames).toHaveLength(4);
    expect(next).toBe(7);
    const [packet] = new PacketFramer(MAX_PAYLOAD * 2).push(Buffer.concat(frames));
    expect(packet).toMatchObject({ kind: "packet", packet: { seq: 5, lastSeq: 6 } });
    expect(packet!.kind === "packet" && packet.packet.payload.equals(payload)).toBe(true);
  });

  it("refuses a packet announced past the bound, keeps what came before it, and gives back what followed", () => {
    const framer = new PacketFramer(100);
    const tls = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]);
    const got = framer.push(Buffer.concat([wire(Buffer.alloc(32, 1), 1), tls]));
    expect(got.map((f) => f.kind)).toEqual(["packet", "too_large"]);
    expect(framer.takeRest().equals(tls)).toBe(true);
    const framer2 = new PacketFramer(1 << 20);
    framer2.push(Buffer.concat([wire(Buffer.alloc(32, 1), 1), tls]));
    expect(framer2.takeRest().equals(tls)).toBe(true);
  });
});

describe("client messages", () => {
  it("a cut handshake response or command is an error value, never a throw", () => {
    expect(parseHandshakeResponse(Buffer.from([0x00, 0x02]))).toMatchObject({ name: "malformed" });
    expect(parseCommand(Buffer.alloc(0))).toMatchObject({ name: "malformed" });
    expect(parseCommand(Buffer.from([0x19, 1]))).toMatchObject({ name: "malformed" });
    expect(parseCommand(Buffer.from([0xee]))).toEqual({ name: "unknown", code: 0xee });
  });

  it("server packets: OK and ERR", () => {
    expect(ok({ affectedRows: 3, lastInsertId: 300 })[0]).toBe(0);
    const e = err({ errno: 1227, sqlState: "42000", message: "no" });
    expect(e.readUInt16LE(1)).toBe(1227);
    expect(e.toString("latin1", 3, 9)).toBe("#42000");
  });
});

describe("mysql_native_password", () => {
  it("a scramble checks against SHA1(SHA1(password)); another password or nonce does not", () => {
    const nonce = Buffer.from("abcdefghijklmnopqrst");
    const stage2 = createHash("sha1").update(createHash("sha1").update("alk_token").digest()).digest();
    expect(checkNativeScramble(nativeScramble("alk_token", nonce), nonce, stage2)).toBe(true);
    expect(checkNativeScramble(nativeScramble("alk_tokem", nonce), nonce, stage2)).toBe(false);
    expect(checkNativeScramble(nativeScramble("alk_token", Buffer.from("bbcdefghijklmnopqrst")), nonce, stage2)).toBe(false);
    expect(checkNativeScramble(Buffer.alloc(19), nonce, stage2)).toBe(false);
  });
});
