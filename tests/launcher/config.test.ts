import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";

// A bad variable stops start-up with one clear line per problem, never a stack trace.

const root = path.resolve(import.meta.dirname, "..", "..");

function start(env: Record<string, string>) {
  return spawnSync(path.join(root, "node_modules", ".bin", "tsx"), [path.join(root, "launcher", "main.ts")], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as unknown as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
}

test("DATABASE_URL=nonsense stops start-up with one line naming the variable", () => {
  const run = start({ DATABASE_URL: "nonsense" });
  expect(run.status).toBe(1);
  const lines = run.stderr.trim().split("\n");
  expect(lines).toEqual([expect.stringMatching(/^airlock: DATABASE_URL must be a PostgreSQL URL/)]);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).not.toMatch(/ready/);
});

test("a server store without a master key names the missing variable and never echoes a secret", () => {
  const run = start({ DATABASE_URL: "postgresql://airlock:hunter2-secret@127.0.0.1:5432/airlock", AIRLOCK_WEB_PORT: "http" });
  expect(run.status).toBe(1);
  const lines = run.stderr.trim().split("\n");
  expect(lines).toHaveLength(3);
  expect(run.stderr).toMatch(/^airlock: AIRLOCK_MASTER_KEY is required when DATABASE_URL is set/m);
  expect(run.stderr).toMatch(/^airlock: AIRLOCK_AUTH_SECRET is required when DATABASE_URL is set/m);
  expect(run.stderr).toMatch(/^airlock: AIRLOCK_WEB_PORT must be a port number$/m);
  expect(run.stderr).not.toContain("hunter2");
});
