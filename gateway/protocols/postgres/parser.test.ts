import { describe, expect, test } from "vitest";
import type { ClientMessage, Frame, MalformedMessage } from "./messages";
import { FrameSplitter, parseClientMessage, parseNotice, parseRowDescription, parseStartup, dataRowCells } from "./parser";
import * as out from "./serializer";

// Every client message the door reads, written by the serializer, cut into frames at every possible split and
// parsed back; then the malformed inputs a hostile or broken client can send.

const messages: { bytes: Buffer; expected: ClientMessage }[] = [
  { bytes: out.query("SELECT 1; SELECT 'é'"), expected: { name: "query", sql: "SELECT 1; SELECT 'é'" } },
  { bytes: out.parse("s1", "SELECT $1::int", [23]), expected: { name: "parse", statement: "s1", sql: "SELECT $1::int", paramTypes: [23] } },
  {
    bytes: out.bind("p1", "s1", [Buffer.from("42"), null, Buffer.from([0, 1])], [0, 0, 1], [1]),
    expected: { name: "bind", portal: "p1", statement: "s1", paramFormats: [0, 0, 1], params: [Buffer.from("42"), null, Buffer.from([0, 1])], resultFormats: [1] },
  },
  { bytes: out.describe("S", "s1"), expected: { name: "describe", target: "S", object: "s1" } },
  { bytes: out.describe("P", ""), expected: { name: "describe", target: "P", object: "" } },
  { bytes: out.execute("p1", 10), expected: { name: "execute", portal: "p1", maxRows: 10 } },
  { bytes: out.close("P", "p1"), expected: { name: "close", target: "P", object: "p1" } },
  { bytes: out.SYNC, expected: { name: "sync" } },
  { bytes: out.FLUSH, expected: { name: "flush" } },
  { bytes: out.TERMINATE, expected: { name: "terminate" } },
  { bytes: out.copyData(Buffer.from("1\tx\n")), expected: { name: "copyData" } },
  { bytes: out.copyDone(), expected: { name: "copyDone" } },
  { bytes: out.passwordMessage("alk_token"), expected: { name: "password", payload: Buffer.from("alk_token\0") } },
];

function splitEverywhere(bytes: Buffer): Frame[][] {
  const runs: Frame[][] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    for (const second of [cut, Math.min(bytes.length, cut + 3)]) {
      const splitter = new FrameSplitter(false, 1 << 20);
      const frames: Frame[] = [];
      for (const part of [bytes.subarray(0, cut), bytes.subarray(cut, second), bytes.subarray(second)]) {
        const result = splitter.push(part);
        if (!Array.isArray(result)) throw new Error(result.reason);
        frames.push(...result);
      }
      expect(splitter.buffered).toBe(0);
      runs.push(frames);
    }
  }
  return runs;
}

describe("client messages", () => {
  test("each message survives every split of the stream and parses back to itself", () => {
    const stream = Buffer.concat(messages.map((message) => message.bytes));
    for (const frames of splitEverywhere(stream)) {
      expect(frames.map((frame) => parseClientMessage(frame))).toEqual(messages.map((message) => message.expected));
      expect(Buffer.concat(frames.map((frame) => frame.raw))).toEqual(stream);
    }
  });

  test("a startup packet, SSLRequest and CancelRequest parse; the rest of the stream stays buffered", () => {
    const startup = out.startupMessage([["user", "agent"], ["database", "shop"], ["application_name", "psql"]]);
    const stream = Buffer.concat([out.sslRequest(), startup, out.query("SELECT 1")]);
    const splitter = new FrameSplitter(true, 10_000);
    const first = splitter.push(stream) as Frame[];
    expect(first.map((frame) => parseStartup(frame))).toEqual([{ name: "sslRequest" }]);
    const second = splitter.push(Buffer.alloc(0)) as Frame[];
    const packet = parseStartup(second[0]!);
    expect(packet).toMatchObject({ name: "startup", protocol: 196608 });
    expect(packet.name === "startup" && Object.fromEntries(packet.parameters)).toEqual({ user: "agent", database: "shop", application_name: "psql" });
    splitter.expectCodes();
    expect((splitter.push(Buffer.alloc(0)) as Frame[]).map((frame) => parseClientMessage(frame))).toEqual([{ name: "query", sql: "SELECT 1" }]);
    const cancel = new FrameSplitter(true, 100).push(out.cancelRequest(1234, -5)) as Frame[];
    expect(parseStartup(cancel[0]!)).toEqual({ name: "cancelRequest", processId: 1234, secretKey: -5 });
  });
});

describe("malformed input comes back as a value, never a throw", () => {
  const malformed = (bytes: Buffer): MalformedMessage | ClientMessage => {
    const frames = new FrameSplitter(false, 1 << 20).push(bytes);
    if (!Array.isArray(frames)) return frames;
    return parseClientMessage(frames[0]!);
  };

  test("an unknown message type", () => {
    expect(malformed(Buffer.from([0x7a, 0, 0, 0, 4]))).toEqual({ name: "malformed", reason: "unknown message type 0x7a" });
  });

  test("absurd and impossible lengths", () => {
    expect(new FrameSplitter(false, 1 << 20).push(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]))).toMatchObject({ name: "malformed" });
    expect(new FrameSplitter(false, 1 << 20).push(Buffer.from([0x51, 0, 0, 0, 2]))).toMatchObject({ name: "malformed" });
    expect(new FrameSplitter(true, 10_000).push(Buffer.from([0xff, 0xff, 0xff, 0xf0]))).toMatchObject({ name: "malformed" });
  });

  test("fields that run past the end, or are left over", () => {
    expect(malformed(Buffer.from([0x51, 0, 0, 0, 7, 0x41, 0x42, 0x43]))).toMatchObject({ name: "malformed" }); // unterminated
    expect(malformed(Buffer.from([0x45, 0, 0, 0, 6, 0, 0]))).toMatchObject({ name: "malformed" }); // Execute without maxRows
    expect(malformed(Buffer.concat([Buffer.from([0x53, 0, 0, 0, 5]), Buffer.from([1])]))).toMatchObject({ name: "malformed" }); // Sync with a body
    const bind = out.bind("", "", [Buffer.from("1")]);
    bind.writeInt32BE(1000, bind.length - 7); // a parameter longer than the frame
    expect(malformed(bind)).toMatchObject({ name: "malformed" });
    const badFormat = out.bind("", "", [], [], [7]);
    expect(malformed(badFormat)).toMatchObject({ name: "malformed" });
    expect(malformed(out.describe("S", "x").fill(0x51, 5, 6))).toMatchObject({ name: "malformed" });
  });

  test("random bytes never throw", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let run = 0; run < 2000; run++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256)));
      // mostly plausible lengths, so the parsers see many well-framed but garbled bodies
      if (bytes.length >= 5 && random() < 0.7) bytes.writeInt32BE(bytes.length - 1, 1);
      const frames = new FrameSplitter(false, 1 << 20).push(bytes);
      if (Array.isArray(frames)) for (const frame of frames) expect(() => parseClientMessage(frame)).not.toThrow();
      const startup = new FrameSplitter(true, 10_000).push(bytes);
      if (Array.isArray(startup)) for (const frame of startup) expect(() => parseStartup(frame)).not.toThrow();
    }
  });
});

describe("server messages", () => {
  test("RowDescription, DataRow and ErrorResponse round-trip", () => {
    const fields = [
      { name: "id", tableOid: 16384, columnNumber: 1, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 },
      { name: "email", tableOid: 16384, columnNumber: 3, typeOid: 25, typeSize: -1, typeModifier: -1, format: 1 },
    ];
    expect(parseRowDescription(out.rowDescription(fields).subarray(5))).toEqual(fields);
    expect(dataRowCells(out.dataRow([Buffer.from("1"), null, Buffer.alloc(0)]).subarray(5))).toEqual([Buffer.from("1"), null, Buffer.alloc(0)]);
    const error = out.errorResponse({ severity: "ERROR", code: "42501", message: "blocked", detail: "rule", hint: "add a WHERE clause" });
    expect(Object.fromEntries(parseNotice(error.subarray(5)).fields)).toEqual({ S: "ERROR", V: "ERROR", C: "42501", M: "blocked", D: "rule", H: "add a WHERE clause" });
  });
});
