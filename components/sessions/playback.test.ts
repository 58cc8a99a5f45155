import { describe, expect, it } from "vitest";
import { stepDelayMs, stepStart } from "./playback";

describe("replay playback", () => {
  it("scales real gaps by the speed, within bounds", () => {
    expect(stepDelayMs(0, 600, 1)).toBe(600);
    expect(stepDelayMs(0, 600, 2)).toBe(300);
    expect(stepDelayMs(0, 5, 1)).toBe(250);
    expect(stepDelayMs(0, 60_000, 1)).toBe(1500);
    expect(stepDelayMs(0, 60_000, 0.5)).toBe(3000);
  });

  it("groups a statement with what follows it", () => {
    const types = ["connect", "statement", "decision", "result", "statement", "decision", "approval_wait", "disconnect"];
    expect(types.map((_, index) => stepStart(types, index))).toEqual([0, 1, 1, 1, 4, 4, 4, 4]);
    expect(stepStart([], 0)).toBe(0);
  });
});
