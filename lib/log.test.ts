import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The logger gathers lines and writes them once per loop turn: checked in a child process whose stdout is a pipe.
function run(script: string): string[] {
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", cwd: process.cwd() });
  expect(child.stderr).toBe("");
  return child.stdout.split("\n").filter(Boolean);
}

describe("createLogger", () => {
  it("writes every line, in order, as one JSON object each", () => {
    const lines = run(`
      import { createLogger } from "./lib/log.ts";
      const log = createLogger("t");
      for (let i = 0; i < 3000; i++) log.info("n", { i });
      log.debug("hidden");
    `);
    expect(lines).toHaveLength(3000);
    expect(lines.map((line) => JSON.parse(line).i)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", component: "t", event: "n" });
  });

  it("loses nothing logged just before process.exit()", () => {
    const lines = run(`
      import { createLogger } from "./lib/log.ts";
      const log = createLogger("t");
      log.error("last words", { code: 7 });
      process.exit(3);
    `);
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(["last words"]);
  });
});
