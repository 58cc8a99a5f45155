import { describe, expect, it } from "vitest";
import type { Detection } from "../types";
import { findCards, luhnValid } from "./cards";

function cards(text: string): string[] {
  const out: Detection[] = [];
  findCards(text, out);
  return out.map((d) => text.slice(d.start, d.end));
}

describe("luhnValid", () => {
  it.each(["4242424242424242", "4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "79927398713"])(
    "accepts %s",
    (n) => expect(luhnValid(n)).toBe(true),
  );
  it.each(["4242424242424241", "4111111111111112", "1234567812345678", "79927398710", ""])("rejects %s", (n) =>
    expect(luhnValid(n)).toBe(false),
  );
  it("skips separators", () => expect(luhnValid("4242 4242-4242 4242")).toBe(true));
});

describe("findCards", () => {
  it("finds a bare, spaced or dashed card", () => {
    expect(cards("4242424242424242")).toEqual(["4242424242424242"]);
    expect(cards("card: 4111 1111 1111 1111, exp 12/26")).toEqual(["4111 1111 1111 1111"]);
    expect(cards("amex 3782-822463-10005.")).toEqual(["3782-822463-10005"]);
  });
  it("finds cards embedded in longer text and several per text", () => {
    expect(cards("paid 4242424242424242 then 5555 5555 5555 4444 ok")).toEqual([
      "4242424242424242",
      "5555 5555 5555 4444",
    ]);
    expect(cards("order 12345 4111 1111 1111 1111")).toEqual(["4111 1111 1111 1111"]);
    expect(cards("(4111111111111111)")).toEqual(["4111111111111111"]);
  });
  it("ignores Luhn-invalid numbers", () => {
    expect(cards("4242424242424241 and 4111 1111 1111 1112")).toEqual([]);
  });
  it("ignores numbers glued to words, after '+', too short or too long, or with a non-card first digit", () => {
    expect(cards("id a4242424242424242 and 4242424242424242b")).toEqual([]);
    expect(cards("+4242424242424242")).toEqual([]);
    expect(cards("+1 4242 4242 4242 4242")).toEqual(["4242 4242 4242 4242"]);
    expect(cards("4242 4242 4242 4242 99x")).toEqual(["4242 4242 4242 4242"]);
    expect(cards("x1 4242424242424242")).toEqual(["4242424242424242"]);
    expect(cards("424242424242")).toEqual([]); // 12 digits
    expect(cards("42424242424242424242")).toEqual([]); // 20 digits, one run
    expect(cards("ts 1700000000008 ms")).toEqual([]); // Luhn-valid 13-digit timestamp starting with 1
    expect(cards("0000000000000000")).toEqual([]);
    expect(cards("ratio 0.4242424242424242, amount 4242424242424242.50 or 4242424242424242,50")).toEqual([]);
    expect(cards("card 4242424242424242. Thanks")).toEqual(["4242424242424242"]);
  });
  it("does not join groups across double spaces or other separators", () => {
    expect(cards("4242 4242  4242 4242")).toEqual([]);
    expect(cards("4242/4242/4242/4242")).toEqual([]);
  });
});
