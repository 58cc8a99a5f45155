import fs from "node:fs";
import path from "node:path";

// One Airlock per data directory: two processes opening the same embedded database would corrupt it.

export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, "airlock.pid");
  const held = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : NaN;
  if (Number.isInteger(held) && held !== process.pid && alive(held)) {
    throw new Error(`Airlock is already running from ${dataDir} (pid ${held}); stop it first, or set AIRLOCK_DATA_DIR`);
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === String(process.pid)) fs.rmSync(file);
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
