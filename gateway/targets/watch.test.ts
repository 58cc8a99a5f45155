import { describe, expect, it } from "vitest";
import { GRACE_MS, StatementWatch, wholeLimit, wholeMs } from "./watch";

describe("StatementWatch", () => {
  it("trips on the deadline (timeoutMs + grace) with code timeout and runs hooks once", async () => {
    const watch = new StatementWatch(10);
    let hooks = 0;
    watch.onTrip(() => hooks++);
    const started = Date.now();
    await expect(watch.race(new Promise(() => undefined))).rejects.toMatchObject({ code: "timeout" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(GRACE_MS);
    expect(hooks).toBe(1);
    expect(watch.tripped).toBe("timeout");
    watch.dispose();
  });

  it("trips on abort with code cancelled, and at once when already aborted", async () => {
    const controller = new AbortController();
    const watch = new StatementWatch(60_000, controller.signal);
    const pending = watch.race(new Promise(() => undefined));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "cancelled" });
    watch.dispose();
    const early = new StatementWatch(60_000, AbortSignal.abort());
    expect(() => early.check()).toThrow(expect.objectContaining({ code: "cancelled" }));
    early.dispose();
  });

  it("passes results through and swallows late rejections", async () => {
    const watch = new StatementWatch(60_000);
    await expect(watch.race(Promise.resolve(7))).resolves.toBe(7);
    watch.dispose();
  });
});

describe("whole numbers for SET statements", () => {
  it("clamps timeouts and limits", () => {
    expect(wholeMs(300.4)).toBe(300);
    expect(wholeMs(0)).toBe(1);
    expect(wholeMs(Number.NaN)).toBe(1);
    expect(wholeLimit(-3)).toBe(0);
    expect(wholeLimit(10.9)).toBe(10);
  });
});
