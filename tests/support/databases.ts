import { randomBytes } from "node:crypto";
import mysql, { type Connection as MysqlConnection } from "mysql2/promise";
import pg from "pg";

// Scratch databases for integration tests: each test file creates its own uniquely named database on the
// machine's servers and drops it afterwards, so tests never share state and can run beside other sessions.
//
//   const db = await createScratchPostgres("models");   // → { name, url, drop() }
//   afterAll(() => db.drop());
//
// Names start with SCRATCH_PREFIX, so a leftover from a killed run is easy to find and drop by hand.

/** The servers the integration tests use; override with these variables. Read them only from here. */
export const TEST_DATABASE_URL_VAR = "TEST_DATABASE_URL";
export const TEST_MYSQL_URL_VAR = "TEST_MYSQL_URL";
export const DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
export const DEFAULT_TEST_MYSQL_URL = "mysql://root@127.0.0.1:3306/test";

export const SCRATCH_PREFIX = "airlock_t_";

/** The PostgreSQL server URL (an administrative database on it) that scratch databases are created on. */
export function testPostgresUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return nonEmpty(env[TEST_DATABASE_URL_VAR]) ?? DEFAULT_TEST_DATABASE_URL;
}

/** The MySQL/MariaDB server URL that scratch databases are created on. */
export function testMysqlUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return nonEmpty(env[TEST_MYSQL_URL_VAR]) ?? DEFAULT_TEST_MYSQL_URL;
}

export interface ScratchDatabase {
  readonly name: string;
  /** URL of the scratch database, with the server URL's credentials and options. */
  readonly url: string;
  /** Drops the database; safe to call more than once, and when creation half-failed. */
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database; drop it with `drop()` (it forces other sessions off). */
export async function createScratchPostgres(label = "db", serverUrl = testPostgresUrl()): Promise<ScratchDatabase> {
  const name = scratchName(label);
  await withPostgres(serverUrl, (client) => client.query(`CREATE DATABASE ${quotePg(name)}`));
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: once(() => withPostgres(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quotePg(name)} WITH (FORCE)`))),
  };
}

/** A fresh, empty MySQL/MariaDB database (utf8mb4); drop it with `drop()`. */
export async function createScratchMysql(label = "db", serverUrl = testMysqlUrl()): Promise<ScratchDatabase> {
  const name = scratchName(label);
  await withMysql(serverUrl, (connection) => connection.query(`CREATE DATABASE ${quoteMysql(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  return {
    name,
    url: databaseUrl(serverUrl, name),
    drop: once(() => withMysql(serverUrl, (connection) => connection.query(`DROP DATABASE IF EXISTS ${quoteMysql(name)}`))),
  };
}

/** Runs `work` with a client on the given PostgreSQL URL, always closing it. */
export async function withPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` with a connection on the given MySQL URL, always closing it. */
export async function withMysql<T>(url: string, work: (connection: MysqlConnection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

/** Lowercase, unique across processes and runs: prefix + label + time + random. */
export function scratchName(label: string): string {
  const cleanLabel = label.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 20) || "db";
  const stamp = Date.now().toString(36);
  return `${SCRATCH_PREFIX}${cleanLabel}_${stamp}_${randomBytes(4).toString("hex")}`;
}

/** The server URL with its path (database) replaced. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function quotePg(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function quoteMysql(identifier: string): string {
  return `\`${identifier.replace(/`/g, "``")}\``;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value.trim() : undefined;
}

function once(action: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action().then(() => undefined));
}
