import { describe, expect, it } from "vitest";
import { readTextBody } from "./body";

/** A body of `chunks` pieces of `size` bytes, produced only as they are pulled; counts how many were. */
function lazyBody(chunks: number, size: number) {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://airlock.test/api/slack/x/interactions", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("readTextBody", () => {
  it("returns a body within the cap as text, bytes exactly as sent", async () => {
    expect(await readTextBody(post("payload=%7B%22a%22%3A1%7D&é"), 1024)).toEqual({ ok: true, text: "payload=%7B%22a%22%3A1%7D&é" });
    expect(await readTextBody(post(null), 1024)).toEqual({ ok: true, text: "" });
  });

  it("takes a body of exactly the cap and refuses one byte more", async () => {
    expect(await readTextBody(post("x".repeat(1024)), 1024)).toMatchObject({ ok: true });
    expect(await readTextBody(post("x".repeat(1025)), 1024)).toEqual({ ok: false, tooLarge: true });
  });

  it("refuses a declared Content-Length over the cap before reading anything", async () => {
    const body = lazyBody(100, 1024);
    expect(await readTextBody(post(body.stream, { "content-length": String(100 * 1024) }), 4096)).toEqual({ ok: false, tooLarge: true });
    expect(body.pulled()).toBe(0);
  });

  it("stops reading a streamed body (no length) once past the cap: 100 MB are never pulled", async () => {
    const body = lazyBody(100 * 1024, 1024);
    expect(await readTextBody(post(body.stream), 64 * 1024)).toEqual({ ok: false, tooLarge: true });
    expect(body.pulled()).toBeLessThanOrEqual(66);
    expect(body.cancelled()).toBe(true);
  });
});
