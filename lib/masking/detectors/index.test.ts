import { describe, expect, it } from "vitest";
import { detect, redactDetected } from "./index";

const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

describe("detect", () => {
  it("returns sorted, non-overlapping spans of every kind", () => {
    const text = `Alice (alice@example.com, +1 415 555 2671) card 4242 4242 4242 4242 ssn 123-45-6789 ` +
      `iban DE89370400440532013000 token ${JWT}`;
    const found = detect(text);
    expect(found.map((d) => d.kind)).toEqual(["email", "phone", "card", "ssn", "iban", "secret"]);
    for (let i = 1; i < found.length; i++) expect(found[i].start).toBeGreaterThanOrEqual(found[i - 1].end);
  });
  it("returns nothing for plain text, names, addresses, dates and ids", () => {
    for (const t of [
      "",
      "Alice Smith",
      "1234 Elm Street, Springfield, IL 62704",
      "Upgraded on 2024-03-01 10:30:00 after the trial",
      "order 4155552671 shipped",
      "uuid 123e4567-e89b-12d3-a456-426614174000",
      "sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "1700000000000",
    ]) {
      expect(detect(t)).toEqual([]);
    }
  });
  it("prefers the stronger kind when spans overlap", () => {
    // A Luhn-valid 16-digit number in phone-like groups is a card, not a phone.
    expect(detect("4242-4242-4242-4242").map((d) => d.kind)).toEqual(["card"]);
    // A JWT's parts could hold digit runs; the secret wins.
    expect(detect(`x ${JWT}`).map((d) => d.kind)).toEqual(["secret"]);
  });
});

describe("redactDetected", () => {
  it("replaces only the detected spans", () => {
    expect(redactDetected("Refund card 4242 4242 4242 4242 for alice@example.com please")).toBe(
      "Refund card **** **** **** 4242 for ****@example.com please",
    );
    expect(redactDetected("SSN 123-45-6789, call (415) 555-2671")).toBe("SSN ****, call ****");
    expect(redactDetected(`key AKIAIOSFODNN7EXAMPLE`)).toBe("key ****");
    expect(redactDetected("-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY-----\nthanks")).toBe("****\nthanks");
  });
  it("returns the very same string when nothing is found", () => {
    const text = "nothing to see here, just words and 42 numbers";
    expect(redactDetected(text)).toBe(text);
  });
});

describe("adversarial inputs return promptly", () => {
  const MB = 1 << 20;
  const cases: [string, string][] = [
    ["digits", "1".repeat(MB)],
    ["spaced digits", "1 ".repeat(MB / 2)],
    ["dashed digits", "12-".repeat(MB / 3)],
    ["phone-ish", "(1) ".repeat(MB / 4)],
    ["ats", "@".repeat(MB)],
    ["local parts", ("a".repeat(100) + "@").repeat(MB / 101)],
    ["domains", "a@" + "b.".repeat(MB / 2)],
    ["jwt starts", "eyJaaaa-".repeat(MB / 8)],
    ["jwt dots", "eyJaaaa.".repeat(MB / 8)],
    ["aws", "AKIA".repeat(MB / 4)],
    ["pem", "-----BEGIN ".repeat(MB / 11)],
    ["iban", "DE89 ".repeat(MB / 5)],
    ["ssn", "123-45-".repeat(MB / 7)],
    ["mixed", "4242 4242 4242 4242 a@b.co 123-45-6789 +1 415 555 2671 ".repeat(MB / 60)],
    ["digit groups", "1 2 3 4 5 6 7 8 9 0 ".repeat(MB / 20)],
    ["phones", "415-555-2671 ".repeat(MB / 13)],
    ["bad ibans", "DE89370400440532013001 ".repeat(MB / 23)],
    ["long local part", "a".repeat(MB) + "@b.co"],
    ["dotted digits", "1.".repeat(MB / 2)],
  ];
  // No timing is asserted: a catastrophic (super-linear) scan would take minutes and trip the test timeout;
  // the linear scanners take well under a second per megabyte.
  it.each(cases)("%s (1 MB)", { timeout: 20_000 }, (_name, text) => {
    const out = redactDetected(text);
    expect(typeof out).toBe("string");
  });
  it("redacts every sensitive item in a 1 MB repetition", () => {
    const unit = "4242 4242 4242 4242 a@b.co 123-45-6789 +1 415 555 2671, ";
    const out = redactDetected(unit.repeat(10_000));
    const expected = "**** **** **** 4242 ****@b.co **** ****, ".repeat(10_000);
    expect(out.length).toBe(expected.length);
    expect(out === expected).toBe(true); // compared as a boolean: a failure must not print megabytes
  });
  it("finds a card right after a '+' phone number in the same digit run", () => {
    // The phone and card candidates overlap; the merged span is redacted whole (nothing left in clear).
    expect(redactDetected("+1 415 555 2671 4242 4242 4242 4242")).toBe("****");
    expect(redactDetected("+1 415 555 2671, 4242 4242 4242 4242")).toBe("****, **** **** **** 4242");
  });
});
