import { describe, expect, it } from "vitest";
import { regexProblem } from "./safe-regex";

describe("regexProblem", () => {
  it.each([
    ["^\\s*drop\\s+table\\b", ""],
    ["pg_(read|ls)_", ""],
    ["into\\s+outfile", "i"],
    ["[a-z]+_secret", ""],
    ["(?:foo)?bar{2,3}", ""],
    ["(?<name>ab)c", ""],
  ])("accepts %s", (pattern, flags) => {
    expect(regexProblem(pattern, flags)).toBeUndefined();
  });

  it.each([
    ["(a+)+$", /repeated group/],
    ["(\\w+\\s?)*x", /repeated group/],
    ["(a|aa)*b", /repeated group/],
    ["((a*))+", /repeated group/],
    ["(a{1,})+", /repeated group/],
    ["(x+){2}", /repeated group/],
    ["(a)\\1", /back-references/],
    ["(", /invalid regex/],
    ["", /empty/],
    ["a".repeat(600), /longer than/],
    [".*a.*b.*c.*d.*e.*f.*g", /unbounded repetitions/],
  ])("rejects %s", (pattern, why) => {
    expect(regexProblem(pattern)).toMatch(why);
  });

  it("rejects flags other than i, m, s", () => {
    expect(regexProblem("a", "g")).toMatch(/flags/);
    expect(regexProblem("a", "ims")).toBeUndefined();
  });
});
