import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { MASTER_KEY_BYTES } from "../lib/crypto/secret-box";
import type { AirlockConfig } from "../lib/config/env";

// The master key (encrypts connection secrets) and the sign-in secret (signs dashboard sessions).
// With a server store both come from the environment; with the embedded store they are generated once
// into the data directory (mode 0600), with a warning that production must set them.

export interface Secrets {
  readonly masterKey: string; // base64
  readonly authSecret: string;
  readonly generated: readonly string[];
}

export function loadSecrets(config: AirlockConfig, dataDir: string): Secrets {
  const generated: string[] = [];
  const fromFile = (name: string, make: () => string) => {
    const file = path.join(dataDir, name);
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, `${make()}\n`, { mode: 0o600 });
      generated.push(file);
    }
    return fs.readFileSync(file, "utf8").trim();
  };
  const masterKey = config.AIRLOCK_MASTER_KEY ?? fromFile("master.key", () => randomBytes(MASTER_KEY_BYTES).toString("base64"));
  const authSecret = config.AIRLOCK_AUTH_SECRET ?? fromFile("auth.secret", () => randomBytes(32).toString("base64url"));
  if (Buffer.from(masterKey, "base64").length !== MASTER_KEY_BYTES) {
    throw new Error(`${path.join(dataDir, "master.key")} does not hold a 32-byte base64 key`);
  }
  return { masterKey, authSecret, generated };
}
