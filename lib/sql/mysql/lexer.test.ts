import { describe, expect, it } from "vitest";
import { prepareMysql } from "./lexer";

const codeOf = (sql: string) => {
  const prepared = prepareMysql(sql);
  if (!prepared.ok) throw new Error(prepared.message);
  return prepared.statements.map((s) => s.code);
};

// node-sql-parser reads every `--` as the start of a comment; MySQL only a `--` followed by whitespace, a
// control character or the end of the text. The code handed to the parser must leave it nothing to disagree on.
describe("`--` in MySQL code", () => {
  it("writes a `--` that is not a comment as two minus signs", () => {
    expect(codeOf("SELECT 1 --1, GET_LOCK('app_lock', 0)")).toEqual(["SELECT 1 - -1, GET_LOCK('app_lock', 0)"]);
    expect(codeOf("SELECT a ---1 FROM t")).toEqual(["SELECT a - - -1 FROM t"]);
    expect(codeOf("SELECT 1--x")).toEqual(["SELECT 1- -x"]);
    expect(codeOf("SELECT 1 --/* c */1")).toEqual(["SELECT 1 - - 1"]);
  });

  it("normalizes it the same way, so the fingerprint follows the code", () => {
    const prepared = prepareMysql("SELECT 1 --1");
    expect(prepared.ok && prepared.statements[0].normalized).toBe("select ? - -?");
  });
});

// Guards for what must not change: these held before the `--` rewrite and must keep holding.
describe("MySQL comments still end the line", () => {
  it.each([
    ["SELECT 1 -- GET_LOCK('x', 0)", ["SELECT 1"]],
    ["SELECT 1 --\tGET_LOCK('x', 0)\n, 2", ["SELECT 1 , 2"]],
    ["SELECT 1 --\n, 2", ["SELECT 1 , 2"]],
    ["SELECT 1 --", ["SELECT 1"]],
    ["SELECT 1 --- comment", ["SELECT 1 -"]],
    ["SELECT 1 # --1\n, 2", ["SELECT 1 , 2"]],
    ["SELECT 1 /* --1 */, 2", ["SELECT 1 , 2"]],
    ["SELECT 1 -- ; DROP TABLE t\n; DELETE FROM t", ["SELECT 1", "DELETE FROM t"]],
  ])("%j", (sql, code) => {
    expect(codeOf(sql)).toEqual(code);
  });

  it("leaves `--` inside strings and quoted identifiers alone", () => {
    expect(codeOf("SELECT 'a--b', \"c--d\", `e--f` FROM t")).toEqual(["SELECT 'a--b', \"c--d\", `e--f` FROM t"]);
  });
});
