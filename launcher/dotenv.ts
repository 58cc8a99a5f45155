import fs from "node:fs";
import path from "node:path";
import { root } from "./prepare";

/** Reads `.env` at the repository root when there is one; variables already set in the environment win. */
export function loadDotEnv(): void {
  const file = path.join(root, ".env");
  if (fs.existsSync(file)) process.loadEnvFile(file);
}
