import type { ConnectionOptions } from "node:tls";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName, TlsModeName } from "./schema";

// "Test connection": connect to a target database with the given settings, run SELECT 1, and say what happened
// in words a person can act on. Runs in the web server with the secret opened in memory only for the call; the
// secret never appears in a result (every text is scrubbed of it, and driver errors are reduced to known cases).
//
// TLS follows the gateway's modes: disable = plain; prefer = TLS when offered (unverified), else plain;
// require = TLS, certificate not verified; verify_full = certificate chain and host name verified.

export interface ProbeTarget {
  readonly engine: EngineName;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  readonly tls: TlsModeName;
}

export type ProbeFailure = "unreachable" | "timeout" | "auth_failed" | "unknown_database" | "tls" | "failed";

export type ProbeResult =
  | { readonly ok: true; readonly serverVersion: string; readonly encrypted: boolean; readonly elapsedMs: number }
  | { readonly ok: false; readonly code: ProbeFailure; readonly message: string };

export const PROBE_TIMEOUT_MS = 5000;

class ProbeTimeout extends Error {}

export async function probeConnection(target: ProbeTarget, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const started = performance.now();
  const attempt = async (tls: boolean) => {
    const run = target.engine === "postgres" ? probePostgres(target, tls, timeoutMs) : probeMysql(target, tls, timeoutMs);
    return withTimeout(run, timeoutMs + 500);
  };
  const firstTls = target.tls !== "disable";
  try {
    let version: string;
    let encrypted = firstTls;
    try {
      version = await attempt(firstTls);
    } catch (error) {
      if (target.tls !== "prefer" || !noTlsOffered(error)) throw error;
      encrypted = false;
      version = await attempt(false);
    }
    return { ok: true, serverVersion: scrub(version, target.password).slice(0, 200), encrypted, elapsedMs: Math.round(performance.now() - started) };
  } catch (error) {
    const { code, message } = explain(error, target, timeoutMs);
    return { ok: false, code, message: scrub(message, target.password) };
  }
}

function pgSsl(tls: boolean, mode: TlsModeName): false | ConnectionOptions {
  if (!tls) return false;
  return { rejectUnauthorized: mode === "verify_full" };
}

async function probePostgres(target: ProbeTarget, tls: boolean, timeoutMs: number): Promise<string> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.username,
    password: target.password,
    ssl: pgSsl(tls, target.tls),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: "airlock-connection-test",
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ ok: number; version: string }>("SELECT 1 AS ok, current_setting('server_version') AS version");
    if (rows[0]?.ok !== 1) throw new Error("SELECT 1 did not return 1");
    return `PostgreSQL ${rows[0].version}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeMysql(target: ProbeTarget, tls: boolean, timeoutMs: number): Promise<string> {
  const connection = await mysql.createConnection({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.username,
    password: target.password,
    connectTimeout: timeoutMs,
    ...(tls ? { ssl: target.tls === "verify_full" ? { rejectUnauthorized: true, verifyIdentity: true } : { rejectUnauthorized: false } } : {}),
  });
  connection.on("error", () => undefined);
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>({ sql: "SELECT 1 AS ok, VERSION() AS version", timeout: timeoutMs });
    if (Number(rows[0]?.ok) !== 1) throw new Error("SELECT 1 did not return 1");
    const version = String(rows[0]?.version ?? "");
    return /mariadb/i.test(version) ? `MariaDB ${version}` : `MySQL ${version}`;
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly message?: unknown;
}

function noTlsOffered(error: unknown): boolean {
  const { code, message } = (error ?? {}) as DriverError;
  return code === "HANDSHAKE_NO_SSL_SUPPORT" || (typeof message === "string" && message.includes("does not support SSL"));
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: "nothing is listening there (connection refused)",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved right now",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ECONNRESET: "the server closed the connection",
  EPIPE: "the server closed the connection",
};

/** A driver failure → one of the known cases and a sentence. Unknown driver texts are not passed on whole. */
export function explain(error: unknown, target: Pick<ProbeTarget, "engine" | "host" | "port" | "database" | "username" | "tls">, timeoutMs = PROBE_TIMEOUT_MS): { code: ProbeFailure; message: string } {
  const where = `${target.host}:${target.port}`;
  const seconds = Math.round(timeoutMs / 1000);
  if (error instanceof ProbeTimeout) return { code: "timeout", message: `No answer from ${where} within ${seconds} s.` };
  const { code, errno, message } = (error ?? {}) as DriverError;
  const text = typeof message === "string" ? message : "";
  if (typeof code === "string" && code in NETWORK) return { code: "unreachable", message: `Could not reach ${where}: ${NETWORK[code]}.` };
  if (code === "ETIMEDOUT" || /timeout|timed out/i.test(text)) return { code: "timeout", message: `No answer from ${where} within ${seconds} s.` };
  if (noTlsOffered(error)) return { code: "tls", message: `The server at ${where} does not offer TLS; choose TLS "Off" or "Prefer", or enable TLS on the server.` };
  if (typeof code === "string" && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(code)) {
    return { code: "tls", message: `The server's TLS certificate was not accepted (${code}).` };
  }
  // PostgreSQL SQLSTATEs / MySQL error numbers.
  if (code === "28P01" || code === "28000" || errno === 1045 || errno === 1698) {
    return { code: "auth_failed", message: `The server refused user "${target.username}": wrong password, or the user may not connect to "${target.database}".` };
  }
  if (code === "3D000" || errno === 1049) return { code: "unknown_database", message: `The server has no database named "${target.database}".` };
  if (errno === 1044) return { code: "auth_failed", message: `User "${target.username}" may not use database "${target.database}".` };
  const detail = [typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : null, typeof errno === "number" ? `errno ${errno}` : null].filter(Boolean).join(", ");
  const said = text && typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? `: ${text.slice(0, 200)}` : "";
  return { code: "failed", message: `The connection to ${where} failed${detail ? ` (${detail})` : ""}${said}.` };
}

/** Removes every form of the secret from a text (as is, URL-encoded, JSON-escaped). */
export function scrub(text: string, secret: string): string {
  if (secret === "") return text;
  let out = text;
  for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
    if (form !== "") out = out.split(form).join("••••");
  }
  return out;
}
