import pg from "pg";
import type { Logger } from "../../../lib/log";
import { pgSsl } from "../tls";
import type { TargetSettings } from "../types";

// One pg.Pool per target. The password goes into the pool's config and nowhere else (pg-pool keeps it as a
// non-enumerable property). A read-only connection also starts every session with
// default_transaction_read_only=on, under the per-statement BEGIN READ ONLY.

export const IDLE_TIMEOUT_MS = 30_000;
export const CONNECT_TIMEOUT_MS = 10_000;
export const APPLICATION_NAME = "airlock-gateway";

export function createPgPool(settings: TargetSettings, tlsFellBack: boolean, log?: Logger): pg.Pool {
  const pool = new pg.Pool({
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.username,
    password: settings.password,
    ssl: pgSsl(settings.tls, tlsFellBack),
    max: settings.poolSize,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: APPLICATION_NAME,
    keepAlive: true,
    ...(settings.readOnly ? { options: "-c default_transaction_read_only=on" } : {}),
  });
  // An idle client losing its server is reported here; without a listener it would crash the process.
  pool.on("error", (error: Error & { code?: unknown }) => {
    log?.warn("target.idle_connection_lost", { connection: settings.connectionId, code: typeof error.code === "string" ? error.code : undefined });
  });
  return pool;
}

/** pg's "no TLS on this server" answer, which makes a "prefer" target fall back to plain connections. */
export function isNoTlsError(error: unknown): boolean {
  return error instanceof Error && error.message.includes("does not support SSL");
}
