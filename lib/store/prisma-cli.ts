import { spawn } from "node:child_process";
import path from "node:path";

// Runs the Prisma CLI offline. Its schema engine is WebAssembly driven through the pg adapter
// (prisma.config.ts); the CLI still checks that native engine files exist, so both variables point at a
// file that does exist and is never executed. The CLI runs as a child process: when the store is the
// embedded PGlite served by this very process, a blocking call would stall the server it talks to.

const root = path.resolve(import.meta.dirname, "..", "..");
const placeholderEngine = path.join(root, "package.json");

export interface PrismaRun {
  readonly code: number;
  readonly stdout: string;
  /** stdout and stderr interleaved, for error messages. */
  readonly output: string;
}

export function runPrisma(args: readonly string[], databaseUrl?: string): Promise<PrismaRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PRISMA_QUERY_ENGINE_LIBRARY: placeholderEngine,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholderEngine,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "prisma"), [...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const all: Buffer[] = [];
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => (out.push(chunk), all.push(chunk)));
    child.stderr.on("data", (chunk: Buffer) => all.push(chunk));
    child.once("error", reject);
    child.once("close", (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), output: Buffer.concat(all).toString("utf8") }),
    );
  });
}

/** `prisma migrate deploy`, throwing with Prisma's own output when it fails. */
export async function deployMigrations(databaseUrl: string): Promise<void> {
  const run = await runPrisma(["migrate", "deploy"], databaseUrl);
  if (run.code !== 0) throw new Error(`prisma migrate deploy failed:\n${lastLines(run.output)}`);
}

/** The SQL that creates the whole schema.prisma on an empty database, as Prisma generates it. */
export async function schemaFromEmptyScript(databaseUrl: string): Promise<string> {
  const run = await runPrisma(["migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"], databaseUrl);
  if (run.code !== 0) throw new Error(`prisma migrate diff failed:\n${lastLines(run.output)}`);
  return run.stdout.slice(run.stdout.indexOf("-- "));
}

function lastLines(text: string): string {
  return text.trim().split("\n").filter((line) => line.trim() && !/schema specifies|NOT be used|recommend|^- url$/.test(line)).slice(-8).join("\n");
}
