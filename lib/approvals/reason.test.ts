import { describe, expect, it } from "vitest";
import { cleanReason, MAX_REASON_CHARS, reasonInComment, reasonSetting } from "./reason";

describe("an agent's reason", () => {
  it("is read from a leading block or line comment, and only a leading one", () => {
    expect(reasonInComment("/* reason: ticket OPS-12, refund a duplicate charge */ UPDATE orders SET x = 1")).toBe("ticket OPS-12, refund a duplicate charge");
    expect(reasonInComment("  /*REASON:  cleanup\n of test rows */DELETE FROM t WHERE id = 1")).toBe("cleanup of test rows");
    expect(reasonInComment("-- reason: backfill\nUPDATE t SET a = 1 WHERE id = 2")).toBe("backfill");
    expect(reasonInComment("UPDATE t SET a = 1 /* reason: too late */")).toBeUndefined();
    expect(reasonInComment("/* not a reason */ UPDATE t SET a = 1")).toBeUndefined();
    expect(reasonInComment("/* reason:   */ UPDATE t SET a = 1")).toBeUndefined();
  });

  it("is set and cleared by SET airlock.reason", () => {
    expect(reasonSetting("SET airlock.reason = 'fix OPS-7'")).toBe("fix OPS-7");
    expect(reasonSetting("set session airlock.reason to 'it''s for OPS-8';")).toBe("it's for OPS-8");
    expect(reasonSetting("SET airlock.reason TO DEFAULT")).toBeNull();
    expect(reasonSetting("RESET airlock.reason")).toBeNull();
    expect(reasonSetting("SET airlock.reason = ''")).toBeNull();
    expect(reasonSetting("SET search_path = public")).toBeUndefined();
    // Anything more than the one setting is not taken as a reason (and runs through policy like any text).
    expect(reasonSetting("SET airlock.reason = 'x'; DROP TABLE t")).toBeUndefined();
  });

  it("is flattened, cut to size, and has detected values redacted", () => {
    expect(cleanReason("a\u0000b\n\tc")).toBe("a b c");
    expect(cleanReason("   ")).toBeUndefined();
    expect(cleanReason(undefined)).toBeUndefined();
    expect(cleanReason("x".repeat(5000))!.length).toBe(MAX_REASON_CHARS);
    const cleaned = cleanReason("customer 4111 1111 1111 1111 was charged twice, mail ada@example.com")!;
    expect(cleaned).not.toContain("4111 1111 1111 1111");
    expect(cleaned).not.toContain("ada@example.com");
  });
});
