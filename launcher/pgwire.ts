import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

// The PostgreSQL door as `npm start` runs it: its default port (left off when taken), and for a try-out its TLS
// pair: a self-signed certificate for localhost, made once with the `openssl` CLI (node:crypto cannot write
// X.509) under the data directory. Production sets AIRLOCK_PGWIRE_TLS_CERT / AIRLOCK_PGWIRE_TLS_KEY instead.

export interface TlsPair {
  readonly cert: string;
  readonly key: string;
  readonly generated: boolean;
}

/** The pair under `dataDir/pgwire-tls`, generated when missing; null when openssl is not installed. */
export function ensureDemoCertificate(dataDir: string): TlsPair | null {
  const dir = path.join(dataDir, "pgwire-tls");
  const cert = path.join(dir, "server.crt");
  const key = path.join(dir, "server.key");
  if (fs.existsSync(cert) && fs.existsSync(key)) return { cert, key, generated: false };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "825", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
      { stdio: "ignore" },
    );
  } catch {
    return null;
  }
  fs.chmodSync(key, 0o600);
  return { cert, key, generated: true };
}

export const DEFAULT_PGWIRE_PORT = 7432;

/** Whether a listener could bind host:port right now. */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
