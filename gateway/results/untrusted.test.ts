import { beforeAll, describe, expect, test } from "vitest";
import { compilePolicy } from "../../lib/policy";
import { policy } from "../../lib/policy/fixtures";
import { analyze, initSqlParsers } from "../../lib/sql";
import type { StatementResult } from "../engine/types";
import { untrustedFlags } from "./untrusted";

// Which result columns carry free text a policy calls untrusted: by lineage, else by name.

beforeAll(async () => {
  await initSqlParsers();
});

const set = compilePolicy([policy([], { settings: { defaultAction: "allow", detectors: "all", untrustedColumns: ["reviews.body"] } })]).untrustedColumns;
const result = (...names: string[]): StatementResult => ({ statementIndex: 0, command: "SELECT", columns: names.map((name) => ({ name, type: "text" })), rows: [], rowCount: 0, truncated: false, durationMs: 0 });
const flags = (sql: string | undefined, ...names: string[]) => untrustedFlags(set, sql === undefined ? undefined : analyze(sql, "postgres"), [result(...names)])[0];

describe("untrustedFlags", () => {
  test("by lineage: the column itself under any alias, and values computed from it", () => {
    expect(flags("SELECT id, body AS text, upper(body) AS loud, stars FROM reviews", "id", "text", "loud", "stars")).toEqual([false, true, true, false]);
  });

  test("a column of the same name elsewhere is not flagged", () => {
    expect(flags("SELECT body FROM posts", "body")).toEqual([false]);
  });

  test("`*` of the table, placed by the result's own column names", () => {
    expect(flags("SELECT 1 AS one, * FROM reviews", "one", "id", "body", "stars")).toEqual([false, false, true, false]);
  });

  test("a row value of the table carries the column", () => {
    expect(flags("SELECT row_to_json(r) AS doc FROM reviews r", "doc")).toEqual([true]);
  });

  test("without the statement's text, by name", () => {
    expect(flags(undefined, "id", "body")).toEqual([false, true]);
  });

  test("no setting: nothing flagged", () => {
    const none = compilePolicy([policy([])]).untrustedColumns;
    expect(untrustedFlags(none, undefined, [result("body")])).toEqual([[false]]);
  });
});
