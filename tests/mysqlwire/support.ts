import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { freePort } from "../../lib/embedded/pglite-server";
import { startGateway, type GatewayFixture, type RunningGateway } from "../gateway/support";
import { makeCertificate } from "../pgwire/support";

// A real gateway process with its MySQL door on, TLS with a throw-away self-signed certificate.
//
//   const door = await startMysqlDoor(fx);
//   const client = await door.client(fx.tokens.valid);          // mysql2, over TLS; { tls: false } for RSA
//   const { out, code } = door.cli(fx.tokens.valid, "SELECT 1"); // the mariadb command-line client
//   await door.stop();

export interface MysqlDoor {
  readonly gateway: RunningGateway;
  readonly port: number;
  client(token: string, options?: { database?: string; tls?: boolean; user?: string; multipleStatements?: boolean }): Promise<mysql.Connection>;
  cli(token: string, sql: string, options?: { database?: string; args?: string[]; input?: string; tls?: boolean }): { out: string; code: number };
  stop(): Promise<void>;
}

export async function startMysqlDoor(fx: GatewayFixture, env: Record<string, string | undefined> = {}, instance = "mysqlwire"): Promise<MysqlDoor> {
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-mysqlwire-"));
  const { cert, key } = makeCertificate(certDir);
  const port = await freePort();
  const gateway = await startGateway(fx, { env: { AIRLOCK_MYSQLWIRE_PORT: String(port), AIRLOCK_MYSQLWIRE_TLS_CERT: cert, AIRLOCK_MYSQLWIRE_TLS_KEY: key, ...env }, instance });
  const clients: mysql.Connection[] = [];
  return {
    gateway,
    port,
    async client(token, options = {}) {
      const client = await mysql.createConnection({
        host: "127.0.0.1",
        port,
        user: options.user ?? token.slice(0, 12),
        password: token,
        database: options.database ?? "shop_mysql",
        ...(options.tls === false ? {} : { ssl: { rejectUnauthorized: false } }),
        multipleStatements: options.multipleStatements ?? false,
      }).catch((error: unknown) => {
        if (process.env.DEBUG_MYSQLWIRE) console.log(gateway.output().slice(-4000));
        throw error;
      });
      client.on("error", () => undefined);
      clients.push(client);
      return client;
    },
    cli(token, sql, options = {}) {
      const args = ["--protocol=tcp", "-h", "127.0.0.1", "-P", String(port), "-u", token.slice(0, 12), `-p${token}`, ...(options.tls === false ? ["--skip-ssl"] : ["--ssl", "--skip-ssl-verify-server-cert"]), "-B", ...(options.args ?? []), options.database ?? "shop_mysql"];
      if (sql) args.push("-e", sql);
      try {
        const out = execFileSync("mariadb", args, { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 30_000, input: options.input ?? "" });
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
