import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../lib/embedded/pglite-server";
import { startGateway, type GatewayFixture, type RunningGateway } from "../gateway/support";

// A real gateway process with its PostgreSQL door on, TLS with a throw-away self-signed certificate.
//
//   const wire = await startWireGateway(fx);
//   const client = wire.client(fx.tokens.valid);       // node-postgres, over TLS
//   const out = wire.psql(fx.tokens.valid, "SELECT 1");

export interface WireGateway {
  readonly gateway: RunningGateway;
  readonly port: number;
  readonly certDir: string;
  /** A connected node-postgres client (TLS, certificate not verified). */
  client(token: string, database?: string, options?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  /** libpq connection string for psql / pgbench. */
  conninfo(token: string, database?: string): string;
  /** Runs psql -X -A -t (unaligned, tuples only unless `full`) and returns stdout+stderr and the exit code. */
  psql(token: string, sql: string, options?: { database?: string; full?: boolean; args?: string[] }): { out: string; code: number };
  stop(): Promise<void>;
}

export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"], { stdio: "ignore" });
  return { cert, key };
}

export async function startWireGateway(fx: GatewayFixture, env: Record<string, string | undefined> = {}, instance?: string): Promise<WireGateway> {
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-pgwire-"));
  const { cert, key } = makeCertificate(certDir);
  const port = await freePort();
  const gateway = await startGateway(fx, {
    env: { AIRLOCK_PGWIRE_PORT: String(port), AIRLOCK_PGWIRE_TLS_CERT: cert, AIRLOCK_PGWIRE_TLS_KEY: key, ...env },
    ...(instance ? { instance } : {}),
  });
  const clients: pg.Client[] = [];
  const conninfo = (token: string, database = "shop_pg") => `host=127.0.0.1 port=${port} dbname=${database} user=agent password=${token} sslmode=require`;
  return {
    gateway,
    port,
    certDir,
    async client(token, database = "shop_pg", options = {}) {
      const client = new pg.Client({ host: "127.0.0.1", port, database, user: "agent", password: token, ssl: { rejectUnauthorized: false }, ...options });
      client.on("error", () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    },
    conninfo,
    psql(token, sql, options = {}) {
      const args = ["-X", "-v", "ON_ERROR_STOP=1", ...(options.full ? [] : ["-A", "-t"]), ...(options.args ?? []), "-c", sql, conninfo(token, options.database)];
      try {
        const out = execFileSync("psql", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
        return { out, code: 0 };
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; status?: number };
        return { out: `${failed.stdout ?? ""}${failed.stderr ?? ""}`, code: failed.status ?? 1 };
      }
    },
    async stop() {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await gateway.stop();
      fs.rmSync(certDir, { recursive: true, force: true });
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; detail?: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; detail?: string; hint?: string };
  }
  throw new Error("expected a failure, got a result");
}
