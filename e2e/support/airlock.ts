import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "../../lib/embedded/pglite-server";
import { readDemoCredentials, type DemoCredentials } from "../../demo/seed";

// Runs Airlock exactly as `npm start` does (launcher/main.ts), on free ports and a scratch data directory,
// and waits for its "ready" line.

export const repoRoot = path.resolve(import.meta.dirname, "..", "..");

export interface RunningAirlock {
  readonly webUrl: string;
  readonly gatewayUrl: string;
  readonly storePort: number;
  readonly demoDbPort: number;
  /** The PostgreSQL door. */
  readonly pgwirePort: number;
  readonly dataDir: string;
  readonly demo: DemoCredentials | null;
  /** Everything the launcher printed so far. */
  output(): string;
  /** Ctrl-C, as a person would; resolves with the launcher's exit code. */
  stop(): Promise<number>;
}

export interface StartOptions {
  readonly dataDir?: string;
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
}

export async function startAirlock(options: StartOptions = {}): Promise<RunningAirlock> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "airlock-e2e-"));
  const [webPort, gatewayPort, storePort, demoDbPort, pgwirePort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AIRLOCK_DATA_DIR: dataDir,
    AIRLOCK_WEB_PORT: String(webPort),
    AIRLOCK_GATEWAY_PORT: String(gatewayPort),
    AIRLOCK_STORE_PORT: String(storePort),
    AIRLOCK_DEMO_DB_PORT: String(demoDbPort),
    AIRLOCK_PGWIRE_PORT: String(pgwirePort),
    ...options.env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "launcher", "main.ts")], {
    cwd: repoRoot,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));

  await waitFor(() => /^airlock: ready$/m.test(output), exited, options.timeoutMs ?? 540_000, () => output);
  const host = "127.0.0.1";
  return {
    webUrl: `http://localhost:${webPort}`,
    gatewayUrl: `http://${host}:${gatewayPort}`,
    storePort,
    demoDbPort,
    pgwirePort,
    dataDir,
    demo: readDemoCredentials(dataDir),
    output: () => output,
    stop: () => interrupt(child, exited),
  };
}

async function waitFor(ready: () => boolean, exited: Promise<number>, timeoutMs: number, output: () => string): Promise<void> {
  let exitCode: number | null = null;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (exitCode !== null) throw new Error(`Airlock exited with code ${exitCode} before it was ready:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`Airlock was not ready within ${timeoutMs / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function interrupt(child: ChildProcess, exited: Promise<number>): Promise<number> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
