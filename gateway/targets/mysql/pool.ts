import mysql from "mysql2";
import type { ConnectionOptions, Pool, PoolOptions } from "mysql2";
import { mysqlSsl } from "../tls";
import type { TargetSettings } from "../types";

// One mysql2 pool per target (the callback core: streaming rows one by one needs it). The password goes into
// the pool's config only. Single statements only; LOAD DATA LOCAL is off (it would read the gateway's files);
// BIGINT and DECIMAL come back as strings, like pg's int8/numeric.

export const CONNECT_TIMEOUT_MS = 10_000;
export const IDLE_TIMEOUT_MS = 30_000;
const MAX_PREPARED_STATEMENTS = 64;

export function connectionOptions(settings: TargetSettings, tlsFellBack: boolean): ConnectionOptions {
  const ssl = mysqlSsl(settings.tls, tlsFellBack);
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.username,
    password: settings.password,
    ...(ssl !== undefined ? { ssl } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    flags: ["-LOCAL_FILES", "-MULTI_STATEMENTS"],
    enableKeepAlive: true,
    maxPreparedStatements: MAX_PREPARED_STATEMENTS,
  };
}

export function mysqlPoolOptions(settings: TargetSettings, tlsFellBack: boolean): PoolOptions {
  return {
    ...connectionOptions(settings, tlsFellBack),
    connectionLimit: settings.poolSize,
    maxIdle: settings.poolSize,
    idleTimeout: IDLE_TIMEOUT_MS,
    waitForConnections: true,
    queueLimit: 0,
  };
}

export function createMysqlPool(settings: TargetSettings, tlsFellBack: boolean): Pool {
  return mysql.createPool(mysqlPoolOptions(settings, tlsFellBack));
}

export function isNoTlsError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "HANDSHAKE_NO_SSL_SUPPORT";
}

/** KILL QUERY from a connection of its own (the pool may be full), best effort. */
export function killQuery(settings: TargetSettings, tlsFellBack: boolean, threadId: number): Promise<void> {
  if (!Number.isSafeInteger(threadId) || threadId <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const connection = mysql.createConnection({ ...connectionOptions(settings, tlsFellBack), connectTimeout: 5_000 });
    connection.on("error", () => undefined);
    connection.query(`KILL QUERY ${threadId}`, () => {
      connection.destroy();
      resolve();
    });
  });
}
