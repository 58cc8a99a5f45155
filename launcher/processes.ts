import { spawn, type ChildProcess } from "node:child_process";

// The launcher's children (gateway worker, web app): started with the launcher's environment plus
// their own, their output passed through, waited on until healthy, and stopped together.

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code once the child has exited. */
  readonly exited: Promise<number>;
}

export function startChild(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Child {
  const child = spawn(command, [...args], { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
  const exited = new Promise<number>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.once("error", () => resolve(1));
  });
  return { name, process: child, exited };
}

/** Polls `url` until it answers 2xx; fails if the child exits first or the time runs out. */
export async function waitHealthy(child: Child, url: string, timeoutMs: number): Promise<void> {
  let exitedWith: number | null = null;
  void child.exited.then((code) => (exitedWith = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitedWith !== null) throw new Error(`${child.name} exited with code ${exitedWith} before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${child.name} did not answer ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

/** SIGTERM, then SIGKILL for a child that has not exited after `graceMs`. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}
