import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { readConfig } from "../lib/config/env";
import { runPrisma, deployMigrations } from "../lib/store/prisma-cli";
import { startEmbeddedPostgres } from "../lib/embedded/pglite-server";
import { errorMessage } from "../lib/log";
import { lockDataDir } from "./instance-lock";
import { root } from "./prepare";
import { loadDotEnv } from "./dotenv";

// npm run db:migrate   apply prisma/migrations to the store (DATABASE_URL, or the embedded one)
// npm run db:generate  generate the Prisma client
// npm run db:diff NAME write prisma/migrations/<timestamp>_NAME/migration.sql: the change from the schema
//                      committed at HEAD to prisma/schema.prisma, as Prisma generates it (never hand-write DDL)

const [command, name] = process.argv.slice(2);

async function migrate(): Promise<void> {
  loadDotEnv();
  const result = readConfig();
  if (!result.ok) throw new Error(result.problems.join("\n"));
  const { config } = result;
  if (config.DATABASE_URL) return deployMigrations(config.DATABASE_URL);
  const dataDir = path.resolve(root, config.AIRLOCK_DATA_DIR);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataDir(dataDir);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "store"), port: 0 });
  try {
    await deployMigrations(server.url);
  } finally {
    await server.stop();
    unlock();
  }
}

async function diff(migrationName: string | undefined): Promise<void> {
  if (!migrationName || !/^[a-z0-9_]+$/.test(migrationName)) throw new Error("usage: npm run db:diff -- <name in snake_case>");
  const previous = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "airlock-schema-")), "schema.prisma");
  fs.writeFileSync(previous, execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { cwd: root }));
  // The CLI's adapter connects before it diffs two schema files (it reads nothing): DATABASE_URL when set, else a
  // throwaway embedded PostgreSQL.
  const scratch = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir: path.join(path.dirname(previous), "pg"), port: 0 });
  const url = process.env.DATABASE_URL ?? scratch!.url;
  let run: Awaited<ReturnType<typeof runPrisma>>;
  try {
    run = await runPrisma(["migrate", "diff", "--from-schema-datamodel", previous, "--to-schema-datamodel", "prisma/schema.prisma", "--script"], url);
  } finally {
    await scratch?.stop();
    fs.rmSync(path.dirname(previous), { recursive: true, force: true });
  }
  if (run.code !== 0) throw new Error(run.output);
  const sql = run.stdout.slice(Math.max(0, run.stdout.indexOf("-- ")));
  if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) return void console.log("no schema change since HEAD");
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(root, "prisma", "migrations", `${stamp}_${migrationName}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
  console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
}

async function main(): Promise<void> {
  if (command === "migrate") return migrate();
  if (command === "diff") return diff(name);
  if (command === "generate") {
    const run = await runPrisma(["generate"]);
    if (run.code !== 0) throw new Error(run.output);
    return;
  }
  throw new Error("usage: tsx launcher/db.ts migrate | generate | diff <name>");
}

main().catch((error: unknown) => {
  process.stderr.write(`airlock: ${errorMessage(error)}\n`);
  process.exit(1);
});
