import fs from "node:fs";
import path from "node:path";

// One process per directory: a lock file holding the owner's pid and, on Linux, its start time (so that a pid
// reused by an unrelated process after a crash does not count as the owner). The file is created atomically
// (a hard link of a private file: it fails if the lock exists), so two processes starting together cannot both
// take it; a lock left by a process that is gone is taken over. Node has no flock(2): this is its portable
// stand-in, and it survives SIGKILL because a dead owner is recognised, not because the file is removed.

export class LockHeldError extends Error {
  override readonly name = "LockHeldError";
  constructor(
    readonly file: string,
    readonly pid: number,
  ) {
    super(`${file} is held by process ${pid}`);
  }
}

interface Owner {
  readonly pid: number;
  readonly started: string | null;
}

/** Takes the lock `file` for this process; returns the release. Throws LockHeldError when a live process holds it. */
export function takePidLock(file: string): () => void {
  const mine: Owner = { pid: process.pid, started: startTime(process.pid) };
  const text = JSON.stringify(mine);
  const own = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}`);
  fs.writeFileSync(own, text, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(own, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) throw error;
      }
      const held = readOwner(file);
      if (held && held.pid !== process.pid && alive(held)) throw new LockHeldError(file, held.pid);
      // Left by a process that is gone (or by this one, before an exec): take it over.
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(own, { force: true });
  }
  return () => {
    const held = readOwner(file);
    if (held?.pid === process.pid) fs.rmSync(file, { force: true });
  };
}

function readOwner(file: string): Owner | null {
  try {
    const text = fs.readFileSync(file, "utf8").trim();
    // The launcher's older lock files hold the bare pid.
    if (/^\d+$/.test(text)) return { pid: Number(text), started: null };
    const parsed = JSON.parse(text) as Partial<Owner>;
    return typeof parsed.pid === "number" ? { pid: parsed.pid, started: typeof parsed.started === "string" ? parsed.started : null } : null;
  } catch {
    return null;
  }
}

function alive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const started = startTime(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), where there is a /proc. */
function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
