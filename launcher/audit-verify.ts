import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { verifyChains, type VerifyProgress } from "../lib/audit/verify";
import { envSchema } from "../lib/config/env";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../lib/embedded/pglite-server";
import { errorMessage } from "../lib/log";
import { createStore } from "../lib/store/client";
import { loadDotEnv } from "./dotenv";
import { lockDataDir } from "./instance-lock";
import { root } from "./prepare";

// npm run audit:verify [-- --session <id>]
//
// Walks the hash chain of every recorded session (or one) and names the first broken link of each.
// The store is DATABASE_URL; without it, the embedded store under AIRLOCK_DATA_DIR — opened here when Airlock
// is not running, reached on AIRLOCK_STORE_PORT when it is (the running instance holds the data directory).
// Exit code: 0 every chain holds, 1 a chain is broken, 2 the check could not run.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PROGRESS_EVERY_MS = 2000;

function usage(message: string): never {
  process.stderr.write(`audit-verify: ${message}\nusage: npm run audit:verify [-- --session <session id>]\n`);
  process.exit(2);
}

function readArgs(): { sessionId?: string } {
  let parsed;
  try {
    parsed = parseArgs({ options: { session: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: false });
  } catch (error) {
    usage(errorMessage(error));
  }
  if (parsed.values.help) {
    process.stdout.write("usage: npm run audit:verify [-- --session <session id>]\n");
    process.exit(0);
  }
  const sessionId = parsed.values.session;
  if (sessionId !== undefined && !UUID.test(sessionId)) usage("--session must be a session id (a UUID)");
  return { sessionId };
}

interface OpenedStore {
  readonly url: string;
  readonly where: string;
  close(): Promise<void>;
}

/** Only the variables that locate the store: verifying needs no keys or secrets. */
function readStoreConfig() {
  loadDotEnv();
  const schema = envSchema.pick({ DATABASE_URL: true, AIRLOCK_DATA_DIR: true, AIRLOCK_STORE_PORT: true });
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = process.env[key]?.trim();
    if (value) input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`).join("\n"));
  return parsed.data;
}

async function openStore(): Promise<OpenedStore> {
  const config = readStoreConfig();
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, where: "the store at DATABASE_URL", close: async () => undefined };

  const dataDir = path.resolve(root, config.AIRLOCK_DATA_DIR);
  if (!fs.existsSync(path.join(dataDir, "store"))) throw new Error(`no embedded store in ${dataDir}: set DATABASE_URL, or start Airlock once with \`npm start\``);
  let unlock: () => void;
  try {
    unlock = lockDataDir(dataDir);
  } catch (error) {
    if (!/already running/.test(errorMessage(error))) throw error;
    // Airlock is running from this directory and serves its store on loopback.
    const url = `postgresql://postgres:postgres@127.0.0.1:${config.AIRLOCK_STORE_PORT}/postgres?sslmode=disable`;
    return { url, where: `the running Airlock's embedded store (port ${config.AIRLOCK_STORE_PORT})`, close: async () => undefined };
  }
  let server: EmbeddedPostgres;
  try {
    server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "store"), port: 0 });
  } catch (error) {
    unlock();
    throw error;
  }
  return {
    url: server.url,
    where: `the embedded store in ${dataDir}`,
    close: async () => {
      try {
        await server.stop();
      } finally {
        unlock();
      }
    },
  };
}

async function main(): Promise<number> {
  const { sessionId } = readArgs();
  const opened = await openStore();
  const store = createStore(opened.url, { maxConnections: 2 });
  const started = Date.now();
  let lastProgress = started;
  const onProgress = (progress: VerifyProgress) => {
    const now = Date.now();
    if (now - lastProgress < PROGRESS_EVERY_MS || progress.events === 0) return;
    lastProgress = now;
    const rate = Math.round(progress.events / ((now - started) / 1000));
    process.stderr.write(`audit-verify: ${progress.sessions} sessions, ${progress.events} events checked (${rate}/s), ${progress.broken} broken so far…\n`);
  };
  try {
    process.stdout.write(`audit-verify: checking ${sessionId ? `session ${sessionId}` : "every session"} in ${opened.where}\n`);
    const report = await verifyChains(store, { sessionId, onProgress });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (sessionId && report.sessions === 0) {
      process.stderr.write(`audit-verify: no session ${sessionId}\n`);
      return 2;
    }
    for (const link of report.broken) {
      process.stdout.write(`BROKEN session ${link.sessionId} at seq ${link.seq}: ${link.reason}\n`);
    }
    const verdict = report.broken.length === 0 ? "every chain holds" : `${report.broken.length} broken chain${report.broken.length === 1 ? "" : "s"}`;
    process.stdout.write(`audit-verify: ${report.sessions} sessions, ${report.events} events checked in ${seconds}s — ${verdict}\n`);
    return report.broken.length === 0 ? 0 : 1;
  } finally {
    await store.$disconnect();
    await opened.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Prisma's messages quote the calling code first; the last line says what went wrong.
    const message = errorMessage(error).trim();
    process.stderr.write(`audit-verify: ${/^Invalid `/.test(message) ? message.split("\n").at(-1) : message}\n`);
    process.exit(2);
  },
);
