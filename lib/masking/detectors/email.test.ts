import { describe, expect, it } from "vitest";
import type { Detection } from "../types";
import { findEmails } from "./email";

function emails(text: string): string[] {
  const out: Detection[] = [];
  findEmails(text, out);
  return out.map((d) => text.slice(d.start, d.end));
}

describe("findEmails", () => {
  it("finds addresses in text", () => {
    expect(emails("write to alice.smith+tag@mail.example.co.uk.")).toEqual(["alice.smith+tag@mail.example.co.uk"]);
    expect(emails("<bob@example.com>, carol_o'neil@example.org")).toEqual(["bob@example.com", "carol_o'neil@example.org"]);
    expect(emails("a@b.io")).toEqual(["a@b.io"]);
  });
  it("ignores things that only look a bit like addresses", () => {
    expect(emails("@handle, user@localhost, x@y.z, a@b..com, name@ example.com, @@@, a@1.23")).toEqual([]);
    expect(emails("git@github.com:org/repo")).toEqual(["git@github.com"]);
  });
  it("drops leading dots of the local part", () => {
    expect(emails("...alice@example.com")).toEqual(["alice@example.com"]);
  });
});
