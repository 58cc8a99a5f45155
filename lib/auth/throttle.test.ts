import { describe, expect, it } from "vitest";
import { FailureThrottle } from "./throttle";

describe("FailureThrottle", () => {
  const minute = 60_000;

  it("refuses after the allowed failures and forgives once the window passes", () => {
    const throttle = new FailureThrottle({ maxFailures: 3, windowMs: 10 * minute });
    for (let i = 0; i < 3; i++) {
      expect(throttle.allows("a@x", i * minute)).toBe(true);
      throttle.recordFailure("a@x", i * minute);
    }
    expect(throttle.allows("a@x", 3 * minute)).toBe(false);
    expect(throttle.allows("b@x", 3 * minute)).toBe(true);
    expect(throttle.allows("a@x", 10 * minute + 1)).toBe(true);
  });

  it("a success clears the key", () => {
    const throttle = new FailureThrottle({ maxFailures: 2, windowMs: minute });
    throttle.recordFailure("a@x", 0);
    throttle.recordSuccess("a@x");
    throttle.recordFailure("a@x", 1);
    expect(throttle.allows("a@x", 2)).toBe(true);
  });

  it("forgets the oldest keys beyond its bound", () => {
    const throttle = new FailureThrottle({ maxFailures: 1, windowMs: minute, maxKeys: 2 });
    throttle.recordFailure("a", 0);
    throttle.recordFailure("b", 0);
    throttle.recordFailure("c", 0);
    expect(throttle.allows("a", 1)).toBe(true);
    expect(throttle.allows("b", 1)).toBe(false);
    expect(throttle.allows("c", 1)).toBe(false);
  });
});
