import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";

// The gateway's shape, checked on its sources: a door owns its protocol and nothing else. It imports no other
// door, reaches targets and the recorder only through an engine session, and the engine knows no concrete target
// and no door's protocol. A change that breaks one of these is a bypass waiting to happen.

const root = path.dirname(new URL(import.meta.url).pathname);
const DOORS = ["http", "mcp", "pgwire", "mysqlwire"];

function sources(folder: string): { file: string; text: string }[] {
  const dir = path.join(root, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .map((name) => ({ file: `${folder}/${name}`, text: fs.readFileSync(path.join(dir, name), "utf8") }));
}

const imports = (text: string) => [...text.matchAll(/^import[^"]*"([^"]+)"/gm)].map((match) => match[1]!);

describe("doors", () => {
  for (const door of DOORS) {
    test(`${door} imports no other door`, () => {
      for (const { file, text } of sources(door)) {
        const others = imports(text).filter((spec) => DOORS.some((other) => other !== door && new RegExp(`^\\.\\./${other}(/|$)`).test(spec)));
        expect(others, file).toEqual([]);
      }
    });

    test(`${door} reaches targets, grants and the recorder only through an engine session`, () => {
      for (const { file, text } of sources(door)) {
        expect(text, file).not.toMatch(/\.targets\.target\(|\.recorder\.(record|openSession|findOrOpenSession|closeSession)\(|authorizeConnection\(|\bnew StatementPipeline\b/);
        expect(imports(text).filter((spec) => /engine\/pipeline$|targets\/(postgres|mysql)\//.test(spec)), file).toEqual([]);
      }
    });
  }
});

describe("engine", () => {
  test("knows no concrete target and no door's protocol", () => {
    for (const { file, text } of sources("engine")) {
      expect(text, file).not.toMatch(/instanceof\s+(PostgresTarget|MysqlTarget)/);
      expect(imports(text).filter((spec) => /targets\/(postgres|mysql)\/|^\.\.\/(http|mcp|pgwire|mysqlwire|protocols)\//.test(spec)), file).toEqual([]);
    }
  });
});

describe("protocols", () => {
  test("codecs import nothing of the gateway's decisions", () => {
    for (const { file, text } of sources("protocols")) {
      expect(imports(text).filter((spec) => /(^|\/)(lib\/policy|identity|recorder|approvals)(\/|$)|^\.\.\/\.\.\/(http|mcp|pgwire|mysqlwire)\//.test(spec)), file).toEqual([]);
    }
  });
});
