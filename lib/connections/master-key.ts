import { MASTER_KEY_BYTES } from "../crypto/secret-box";

// The master key that seals connection secrets, from AIRLOCK_MASTER_KEY (base64; `npm start` sets it for the web
// process). Read on each use, so nothing keeps a second copy around. Server-side only.

export class MasterKeyMissing extends Error {
  constructor() {
    super("AIRLOCK_MASTER_KEY is not set to 32 bytes of base64, so connection secrets cannot be sealed or opened");
    this.name = "MasterKeyMissing";
  }
}

export function masterKey(environment: NodeJS.ProcessEnv = process.env): Uint8Array {
  const raw = environment.AIRLOCK_MASTER_KEY?.trim() ?? "";
  const key = Buffer.from(raw, "base64");
  if (raw === "" || key.length !== MASTER_KEY_BYTES) throw new MasterKeyMissing();
  return key;
}
