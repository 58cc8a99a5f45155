import path from "node:path";
import { LockHeldError, takePidLock } from "../lib/files/pid-lock";

// One Airlock per data directory: two processes opening the same embedded database would corrupt it.

export function lockDataDir(dataDir: string): () => void {
  try {
    return takePidLock(path.join(dataDir, "airlock.pid"));
  } catch (error) {
    if (error instanceof LockHeldError) throw new Error(`Airlock is already running from ${dataDir} (pid ${error.pid}); stop it first, or set AIRLOCK_DATA_DIR`);
    throw error;
  }
}
