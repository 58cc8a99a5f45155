import net from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { probeConnection, type ProbeTarget } from "../../lib/connections/probe";
import { createScratchMysql, createScratchPostgres, testMysqlUrl, testPostgresUrl, type ScratchDatabase } from "../support/databases";

// "Test connection" against the machine's real PostgreSQL and MariaDB: success with each TLS mode the servers
// allow, and clear failures (nothing listening, silent server, wrong database, wrong password) that never
// carry the password.

let pgDb: ScratchDatabase;
let myDb: ScratchDatabase;
let silent: net.Server;
let silentPort: number;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  [pgDb, myDb] = await Promise.all([createScratchPostgres("probe"), createScratchMysql("probe")]);
  // A server that accepts connections and never says anything: the probe must give up on its own.
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await Promise.all([pgDb?.drop(), myDb?.drop()]);
});

function pgTarget(overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  const url = new URL(testPostgresUrl());
  return {
    engine: "postgres",
    host: url.hostname,
    port: Number(url.port || 5432),
    database: pgDb.name,
    username: decodeURIComponent(url.username || "postgres"),
    password: decodeURIComponent(url.password) || "any-password-Zq9",
    tls: "disable",
    ...overrides,
  };
}

function myTarget(overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  const url = new URL(testMysqlUrl());
  return {
    engine: "mysql",
    host: url.hostname,
    port: Number(url.port || 3306),
    database: myDb.name,
    username: decodeURIComponent(url.username || "root"),
    password: decodeURIComponent(url.password),
    tls: "disable",
    ...overrides,
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("PostgreSQL", () => {
  test("connects and runs SELECT 1", async () => {
    const result = await probeConnection(pgTarget());
    expect(result).toMatchObject({ ok: true, encrypted: false });
    if (result.ok) expect(result.serverVersion).toMatch(/^PostgreSQL \d+/);
  });

  test("prefer falls back to a plain connection when the server offers no TLS", async () => {
    const result = await probeConnection(pgTarget({ tls: "prefer" }));
    expect(result.ok).toBe(true);
  });

  test("require fails clearly against a server without TLS", async () => {
    const result = await probeConnection(pgTarget({ tls: "require" }));
    expect(result).toMatchObject({ ok: false, code: "tls" });
  });

  test("a missing database is named", async () => {
    const result = await probeConnection(pgTarget({ database: "airlock_no_such_db" }));
    expect(result).toEqual({ ok: false, code: "unknown_database", message: 'The server has no database named "airlock_no_such_db".' });
  });

  test("nothing listening: connection refused, without the password", async () => {
    const port = await closedPort();
    const result = await probeConnection(pgTarget({ port, password: "hunter2-secret" }));
    expect(result).toMatchObject({ ok: false, code: "unreachable" });
    if (!result.ok) {
      expect(result.message).toContain(`127.0.0.1:${port}`);
      expect(result.message).toContain("connection refused");
      expect(JSON.stringify(result)).not.toContain("hunter2");
    }
  });

  test("a server that never answers times out", async () => {
    const result = await probeConnection(pgTarget({ port: silentPort }), 800);
    expect(result).toMatchObject({ ok: false, code: "timeout" });
  });
});

describe("MariaDB", () => {
  test("connects and runs SELECT 1", async () => {
    const result = await probeConnection(myTarget());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.serverVersion).toMatch(/^(MariaDB|MySQL) /);
  });

  test("prefer falls back when the server offers no TLS; require fails clearly", async () => {
    expect((await probeConnection(myTarget({ tls: "prefer" }))).ok).toBe(true);
    expect(await probeConnection(myTarget({ tls: "require" }))).toMatchObject({ ok: false, code: "tls" });
  });

  test("a wrong password is refused as such, and the password is not echoed", async () => {
    const password = "wrong-Pa55-unique-7731";
    const result = await probeConnection(myTarget({ username: "airlock_nobody", password }));
    expect(result).toMatchObject({ ok: false, code: "auth_failed" });
    expect(JSON.stringify(result)).not.toContain(password);
  });

  test("a missing database is named", async () => {
    const result = await probeConnection(myTarget({ database: "airlock_no_such_db" }));
    expect(result).toMatchObject({ ok: false, code: "unknown_database" });
  });

  test("nothing listening: connection refused", async () => {
    const result = await probeConnection(myTarget({ port: await closedPort() }));
    expect(result).toMatchObject({ ok: false, code: "unreachable" });
  });
});
