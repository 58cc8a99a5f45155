import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { randomBytes } from "node:crypto";
import { TargetRegistry } from "../../gateway/targets";
import { createScratchMysql, createScratchPostgres, withPostgres, type ScratchDatabase } from "../support/databases";
import { connectionFromUrl, defaults, targetError } from "./support";
import { masterKey } from "./support";

// The registry's pool lifecycle, and the client-side deadline where the server never answers.

let pgDb: ScratchDatabase;
let myDb: ScratchDatabase;

beforeAll(async () => {
  pgDb = await createScratchPostgres("targets_reg");
  myDb = await createScratchMysql("targets_reg");
});

afterAll(async () => {
  await pgDb?.drop();
  await myDb?.drop();
});

describe("TargetRegistry", () => {
  it("returns the same target for the same connection version", async () => {
    const registry = new TargetRegistry({ masterKey });
    try {
      const record = connectionFromUrl(pgDb.url, "postgres");
      const first = registry.target(record);
      expect(registry.target({ ...record })).toBe(first);
      expect(first.engine).toBe("postgres");
      expect(first.connectionId).toBe(record.id);
      expect(registry.target(connectionFromUrl(myDb.url, "mysql")).engine).toBe("mysql");
    } finally {
      await registry.close();
    }
  });

  it("gives a changed connection (newer updatedAt) a new pool and closes the old one after its statements", async () => {
    const registry = new TargetRegistry({ masterKey, poolSize: 2 });
    try {
      const record = connectionFromUrl(pgDb.url, "postgres");
      const old = registry.target(record);
      const oldPid = (await old.execute("SELECT pg_backend_pid()", [], defaults)).rows[0][0];
      const inFlight = old.execute("SELECT pg_sleep(0.3), 'done'", [], defaults);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const changed = registry.target({ ...record, updatedAt: new Date(record.updatedAt.getTime() + 1000) });
      expect(changed).not.toBe(old);
      // the statement already running on the old pool finishes
      await expect(inFlight).resolves.toMatchObject({ rows: [["", "done"]] });
      // the old pool refuses new work and its sessions are gone from the server
      expect((await targetError(old.execute("SELECT 1", [], defaults))).code).toBe("unreachable");
      await waitFor(async () => !(await backendAlive(Number(oldPid))));
      const newPid = (await changed.execute("SELECT pg_backend_pid()", [], defaults)).rows[0][0];
      expect(newPid).not.toBe(oldPid);
      // a stale record (older updatedAt) does not flip back to an old pool
      expect(registry.target(record)).toBe(changed);
    } finally {
      await registry.close();
    }
  });

  it("refuses a secret that does not open with the master key, without a secret in the error", async () => {
    const registry = new TargetRegistry({ masterKey: randomBytes(32) });
    try {
      const record = connectionFromUrl(pgDb.url, "postgres", { password: "Not-This-One" });
      const error = await targetError(Promise.resolve().then(() => registry.target(record)));
      expect(error.code).toBe("auth_failed");
      expect(error.message).not.toContain("Not-This-One");
    } finally {
      await registry.close();
    }
  });

  it("close() ends every pool; the registry then refuses targets", async () => {
    const registry = new TargetRegistry({ masterKey });
    const target = registry.target(connectionFromUrl(pgDb.url, "postgres"));
    await target.ping();
    await registry.close();
    expect((await targetError(target.ping())).code).toBe("unreachable");
    expect((await targetError(Promise.resolve().then(() => registry.target(connectionFromUrl(pgDb.url, "postgres"))))).code).toBe("unreachable");
  });
});

describe("client-side deadline", () => {
  it.each(["postgres", "mysql"] as const)("%s: a server that never answers → timeout shortly after timeoutMs", async (engine) => {
    const silent = await silentServer();
    const registry = new TargetRegistry({ masterKey });
    try {
      const target = registry.target(connectionFromUrl(engine === "postgres" ? pgDb.url : myDb.url, engine, { host: "127.0.0.1", port: silent.port }));
      const started = Date.now();
      const error = await targetError(target.execute("SELECT 1", [], { ...defaults, timeoutMs: 300 }));
      expect(error.code).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await registry.close();
      silent.close();
    }
  });

  it.each(["postgres", "mysql"] as const)("%s: waiting for a pool slot counts against the deadline; the late slot is returned", async (engine) => {
    const registry = new TargetRegistry({ masterKey, poolSize: 1 });
    try {
      const target = registry.target(connectionFromUrl(engine === "postgres" ? pgDb.url : myDb.url, engine));
      const sleep = engine === "postgres" ? "SELECT pg_sleep(1)" : "SELECT SLEEP(1)";
      const busy = target.execute(sleep, [], defaults);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const error = await targetError(target.execute("SELECT 1", [], { ...defaults, timeoutMs: 200 }));
      expect(error.code).toBe("timeout");
      await busy;
      await expect(target.execute("SELECT 1", [], defaults)).resolves.toMatchObject({ rows: [[1]] });
    } finally {
      await registry.close();
    }
  });

  it.each(["postgres", "mysql"] as const)("%s: many statements at once share a small pool", async (engine) => {
    const registry = new TargetRegistry({ masterKey, poolSize: 3 });
    try {
      const target = registry.target(connectionFromUrl(engine === "postgres" ? pgDb.url : myDb.url, engine));
      const param = engine === "postgres" ? "$1" : "?";
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => target.execute(`SELECT ${param} + 0 AS n`, [i], defaults)));
      expect(results.map((r) => Number(r.rows[0][0]))).toEqual(Array.from({ length: 30 }, (_, i) => i));
    } finally {
      await registry.close();
    }
  });
});

async function backendAlive(pid: number): Promise<boolean> {
  return withPostgres(pgDb.url, async (client) => (await client.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid])).rowCount === 1);
}

async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
