import { pbkdf2 } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES } from "./frame";
import { Journal, JournalError } from "./journal";
import type { ReadItem, ReadPosition } from "./reader";
import { decodeRecord, encodeRecord, type JournalRecord } from "./records";

const dirs: string[] = [];
const journals: Journal[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-journal-test-"));
  dirs.push(dir);
  return dir;
}

async function open(dir: string, options: Partial<Parameters<typeof Journal.open>[0]> = {}, log?: { lines: string[] }): Promise<Journal> {
  const logger = log
    ? { debug: () => undefined, info: (e: string) => log.lines.push(e), warn: (e: string) => log.lines.push(e), error: (e: string) => log.lines.push(e) }
    : undefined;
  const journal = await Journal.open({ dir, maxBytes: 1 << 20, segmentBytes: 4096, fsyncIntervalMs: 1, ...options, ...(logger ? { log: logger as never } : {}) });
  journals.push(journal);
  return journal;
}

async function readAll(journal: Journal, from: ReadPosition = journal.startPosition()): Promise<ReadItem[]> {
  await journal.sync();
  const items: ReadItem[] = [];
  let position = from;
  for (;;) {
    const read = await journal.read(position, { maxRecords: 7, maxBytes: 1 << 20 });
    if (read.items.length === 0) return items;
    items.push(...read.items);
    position = read.position;
  }
}

const body = (i: number) => Buffer.from(`record ${i} ${"x".repeat(i % 50)}`);
const text = (items: readonly ReadItem[]) => items.map((item) => (item.kind === "record" ? item.body.toString() : `gap ${item.fromSeq}-${item.toSeq}`));

afterEach(async () => {
  for (const journal of journals.splice(0)) await journal.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("frames", () => {
  it("round-trip, and a frame split anywhere reads as short until it is whole", () => {
    const frame = encodeFrame(42, Buffer.from("hello journal"));
    for (let cut = 0; cut < frame.length; cut++) expect(decodeFrame(frame.subarray(0, cut), 0).kind).toBe("short");
    const decoded = decodeFrame(frame, 0);
    expect(decoded).toMatchObject({ kind: "frame", seq: 42, end: frame.length });
    expect(decoded.kind === "frame" && decoded.body.toString()).toBe("hello journal");
  });

  it("a flipped bit anywhere in the sequence number or body fails the checksum", () => {
    const frame = encodeFrame(7, Buffer.from("payload"));
    for (let i = 8; i < frame.length; i++) {
      const bad = Buffer.from(frame);
      bad[i] ^= 0x01;
      expect(decodeFrame(bad, 0)).toEqual({ kind: "bad", reason: "checksum" });
    }
    const long = Buffer.from(frame);
    long.writeUInt32LE(0xffffffff, 0);
    expect(decodeFrame(long, 0)).toEqual({ kind: "bad", reason: "length" });
  });

  it("records keep their payload text exactly, newlines and all", () => {
    const record: JournalRecord = { kind: "event", sessionId: "s", type: "statement", at: "2026-12-07T00:00:00.000Z", decision: null, sqlText: "SELECT 1;\n-- x", payloadJson: '{"a":"b\\nc"}' };
    expect(decodeRecord(encodeRecord(record))).toEqual(record);
    expect(decodeRecord(Buffer.from("no header"))).toBeNull();
  });
});

describe("journal", () => {
  it("reads back what it wrote, in order, across segments, and continues the numbering after a reopen", async () => {
    const dir = tempDir();
    const journal = await open(dir);
    for (let i = 1; i <= 300; i++) expect(journal.append([body(i)])[0]).toBe(i);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith(".seg")).length).toBeGreaterThan(3);
    expect(text(await readAll(journal))).toEqual(Array.from({ length: 300 }, (_, i) => body(i + 1).toString()));
    await journal.close();

    const again = await open(dir);
    expect(again.append([body(301)])[0]).toBe(301);
    expect((await readAll(again)).length).toBe(301);
  });

  it("holds lazy records until the next write (or the interval), in order, and several records go in one write", async () => {
    const journal = await open(tempDir(), { fsyncIntervalMs: 50 });
    expect(journal.append([body(1)], { lazy: true })).toEqual([1]);
    expect(journal.append([body(2), body(3)])).toEqual([2, 3]);
    expect(journal.append([body(4)], { lazy: true })).toEqual([4]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(journal.state().durableSeq).toBe(4);
    expect(text(await readAll(journal))).toEqual([1, 2, 3, 4].map((i) => body(i).toString()));
  });

  it("keeps working when segments rotate while a sync of the sealed one is still running", async () => {
    const journal = await open(tempDir(), { fsyncIntervalMs: 0, segmentBytes: 4096 });
    // Keep the thread pool busy, so that syncs wait their turn while the appends go on and segments rotate.
    const busy = Array.from({ length: 8 }, () => new Promise((resolve) => pbkdf2("x", "y", 200_000, 32, "sha256", resolve)));
    for (let i = 1; i <= 2000; i++) {
      journal.append([body(i)]);
      if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(busy);
    await journal.sync();
    expect(journal.state().state).toBe("ok");
    expect((await readAll(journal)).length).toBe(2000);
  });

  it("reads nothing that is not synced yet", async () => {
    const journal = await open(tempDir(), { fsyncIntervalMs: 1_000, fsyncBytes: 1 << 30 });
    journal.append([body(1)]);
    expect((await journal.read(journal.startPosition(), { maxRecords: 10, maxBytes: 1 << 20 })).items).toEqual([]);
    await journal.sync();
    expect((await journal.read(journal.startPosition(), { maxRecords: 10, maxBytes: 1 << 20 })).items).toHaveLength(1);
  });

  it("cuts a torn tail (a write cut short by a crash) and says so", async () => {
    const dir = tempDir();
    const journal = await open(dir);
    for (let i = 1; i <= 5; i++) journal.append([body(i)]);
    await journal.sync();
    const last = fs.readdirSync(dir).filter((name) => name.endsWith(".seg")).sort().at(-1)!;
    await journal.close();
    const torn = encodeFrame(6, body(6)).subarray(0, 20);
    fs.appendFileSync(path.join(dir, last), torn);

    const log = { lines: [] as string[] };
    const reopened = await open(dir, {}, log);
    expect(log.lines).toContain("journal.torn_tail_cut");
    expect(text(await readAll(reopened))).toEqual([1, 2, 3, 4, 5].map((i) => body(i).toString()));
    expect(reopened.append([body(6)])[0]).toBe(6); // the torn record was never acknowledged: its number is free
  });

  it("sets a corrupt stretch aside, keeps the records after it, and reports the gap where it lies", async () => {
    const dir = tempDir();
    const journal = await open(dir, { segmentBytes: 1 << 20 });
    const offsets: number[] = [];
    let offset = 0;
    for (let i = 1; i <= 10; i++) {
      offsets.push(offset);
      journal.append([body(i)]);
      offset += FRAME_HEADER_BYTES + body(i).length;
    }
    await journal.close();
    const segment = path.join(dir, fs.readdirSync(dir).find((name) => name.endsWith(".seg"))!);
    const bytes = fs.readFileSync(segment);
    bytes[offsets[4]! + FRAME_HEADER_BYTES + 2] ^= 0xff; // record 5's body
    fs.writeFileSync(segment, bytes);

    const log = { lines: [] as string[] };
    const reopened = await open(dir, {}, log);
    expect(log.lines).toEqual(expect.arrayContaining(["journal.corrupt", "journal.gap"]));
    expect(fs.readdirSync(dir).some((name) => name.includes(".corrupt-"))).toBe(true);
    expect(text(await readAll(reopened))).toEqual([1, 2, 3, 4].map((i) => body(i).toString()).concat("gap 5-5", [6, 7, 8, 9, 10].map((i) => body(i).toString())));
    expect(reopened.append([body(11)])[0]).toBe(11);
  });

  it("refuses past maxBytes with journal_full, keeps the reserve for refusals, and frees space once shipped", async () => {
    const journal = await open(tempDir(), { maxBytes: 16 * 1024, reserveBytes: 2048, segmentBytes: 2048 });
    let written = 0;
    const big = Buffer.alloc(500, 120);
    for (;;) {
      try {
        journal.append([big]);
        written++;
      } catch (error) {
        expect(error).toBeInstanceOf(JournalError);
        expect((error as JournalError).code).toBe("journal_full");
        break;
      }
    }
    expect(journal.state().state).toBe("full");
    expect(() => journal.append([Buffer.from("refusal")]), "an ordinary record").toThrow(JournalError);
    expect(journal.append([Buffer.from("refusal")], { reserve: true })[0]).toBe(written + 1);

    await journal.sync();
    journal.shipped(written + 1);
    await journal.checkpoint();
    expect(journal.state().bytes).toBeLessThan(4096);
    expect(journal.state().state).toBe("ok");
    expect(journal.append([big])[0]).toBe(written + 2);
  });

  it("starts after the checkpointed position: a shipped record is not read again", async () => {
    const dir = tempDir();
    const journal = await open(dir);
    for (let i = 1; i <= 20; i++) journal.append([body(i)]);
    await journal.sync();
    journal.shipped(12);
    await journal.close(); // checkpoints
    const reopened = await open(dir);
    expect(reopened.startPosition().seq).toBe(12);
    expect(text(await readAll(reopened))).toEqual([13, 14, 15, 16, 17, 18, 19, 20].map((i) => body(i).toString()));
  });

  it("a directory that cannot be made is journal_unwritable", async () => {
    const file = path.join(tempDir(), "a-file");
    fs.writeFileSync(file, "not a directory");
    await expect(Journal.open({ dir: path.join(file, "journal"), maxBytes: 1 << 20 })).rejects.toMatchObject({ code: "journal_unwritable" });
  });
});
