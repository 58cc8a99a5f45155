import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "../../../lib/embedded/pglite-server";
import { AUTH_SECRET, journalRoot, type GatewayFixture } from "./fixture";

// The gateway as a real process: `node --import tsx gateway/main.ts` with the fixture's store and keys.
//
//   const gw = await startGateway(fx, { AIRLOCK_MAX_SQL_BYTES: "4096" });
//   ... gw.url ...
//   await gw.stop();           // SIGTERM, waits for the exit (gw.kill() is SIGKILL)
//
// Pass `port` to restart on the same port. Output (one JSON line per log entry) is kept in gw.output().

const root = path.resolve(import.meta.dirname, "..", "..", "..");
// `node --import tsx` (not the tsx CLI, which runs the program in a child process of its own): the process we
// hold is the gateway itself, so kill() really kills it. AIRLOCK_GATEWAY_NODE_ARGS adds node flags, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway under `npm run bench:http`.
const NODE_ARGS = ["--import", "tsx", ...(process.env.AIRLOCK_GATEWAY_NODE_ARGS?.split(" ").filter(Boolean) ?? [])];
const START_DEADLINE_MS = 45_000;

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The exit code (or signal name) once it exited; a promise that settles on exit. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`, default 20 s). */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Resolves once everything the gateway recorded so far is in the store (journal mode ships in the background;
   * strict mode is there already): /readyz's backlog is 0 and stays so. Rejects after `ms` (default 15 s).
   */
  recorded(ms?: number): Promise<void>;
}

export interface StartOptions {
  /** Extra or overriding environment variables. */
  readonly env?: Record<string, string | undefined>;
  /** Listen on this port (default: a free one). */
  readonly port?: number;
  /**
   * Names the process's journal directory under the fixture's journal root (default "main"): a restart with the
   * same instance ships what the killed process left; gateways running side by side need instances of their own.
   */
  readonly instance?: string;
}

/** The environment the gateway process gets for a fixture (without the port). */
export function gatewayEnv(fixture: GatewayFixture, port: number, extra: Record<string, string | undefined> = {}, instance = "main"): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NODE_ENV: "test" };
  // Keep the basics of this environment, drop any Airlock setting that would leak in from the caller's shell.
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("AIRLOCK_") && key !== "DATABASE_URL" && key !== "NODE_OPTIONS" && !key.startsWith("VITEST")) env[key] = value;
  }
  Object.assign(env, {
    NODE_ENV: "test",
    DATABASE_URL: fixture.storeDb.url,
    AIRLOCK_MASTER_KEY: fixture.masterKeyBase64,
    AIRLOCK_AUTH_SECRET: AUTH_SECRET,
    AIRLOCK_HOST: "127.0.0.1",
    AIRLOCK_GATEWAY_PORT: String(port),
    AIRLOCK_PUBLIC_URL: "http://localhost:3999",
    AIRLOCK_LOG_LEVEL: "info",
    AIRLOCK_JOURNAL_DIR: path.join(journalRoot(fixture.storeDb.name), instance),
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export async function startGateway(fixture: GatewayFixture, options: StartOptions | Record<string, string | undefined> = {}): Promise<RunningGateway> {
  const opts: StartOptions = "env" in options || "port" in options || "instance" in options ? (options as StartOptions) : { env: options as Record<string, string | undefined> };
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [...NODE_ARGS, path.join("gateway", "main.ts")], {
    cwd: root,
    env: gatewayEnv(fixture, port, opts.env, opts.instance),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  const output = () => chunks.join("");
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const url = `http://127.0.0.1:${port}`;

  const kill = async () => {
    if (!done) child.kill("SIGKILL");
    return exited;
  };
  const stop = async (graceMs = 20_000) => {
    if (!done) child.kill("SIGTERM");
    const timer = setTimeout(() => void kill(), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (done) throw new Error(`the gateway exited during start-up (${JSON.stringify(await exited)}):\n${output().slice(-4000)}`);
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`the gateway did not answer /healthz within ${START_DEADLINE_MS} ms:\n${output().slice(-4000)}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const recorded = async (ms = 15_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
      const body = response ? ((await response.json().catch(() => null)) as { recording?: { mode?: string; journal?: { backlogRecords?: number } } } | null) : null;
      if (body?.recording?.mode === "strict" || body?.recording?.journal?.backlogRecords === 0) return;
      if (Date.now() > until) throw new Error(`the gateway's recording did not reach the store within ${ms} ms: ${JSON.stringify(body?.recording)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  return { url, port, process: child, output, exited, stop, kill, recorded };
}
