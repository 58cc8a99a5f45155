import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { parse as parseMessages, serialize } from "pg-protocol";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../lib/embedded/pglite-server";

// The embedded store serves many connections on one PGlite backend. A connection's parameterised query (the
// extended protocol, what Prisma and node-pg send) must bind its own statement, however its bytes arrive, and a
// transaction keeps the backend to its connection.

let server: EmbeddedPostgres;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-embedded-"));
  server = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A bare protocol client, to send one exchange in two writes as a slow network (or a large query) would. */
async function rawClient(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  const messages: { name: string; message?: string }[] = [];
  let waiting: (() => void) | null = null;
  void parseMessages(socket, (message) => {
    messages.push(message as unknown as { name: string; message?: string });
    waiting?.();
  });
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const untilReady = async () => {
    while (!messages.some((m) => m.name === "readyForQuery")) await new Promise<void>((resolve) => (waiting = resolve));
    const got = messages.splice(0);
    return got;
  };
  socket.write(serialize.startup({ user: "postgres", database: "postgres" }));
  await untilReady();
  return { socket, untilReady };
}

test("one connection's extended-protocol exchange is not split by another's, even when it arrives in two writes", async () => {
  const a = await rawClient(server.port);
  const b = new pg.Client({ connectionString: server.url });
  await b.connect();
  try {
    // A: Parse (two parameters) now; Bind/Execute/Sync a little later.
    a.socket.write(serialize.parse({ text: "SELECT $1::int AS a, $2::text AS b" }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // B meanwhile: a one-parameter statement of its own, which must not replace A's unnamed statement.
    const other = b.query<{ n: number }>("SELECT $1::int + 1 AS n", [1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    a.socket.write(Buffer.concat([serialize.bind({ values: ["7", "x"] }), serialize.describe({ type: "P" }), serialize.execute(), serialize.sync()]));
    const answer = await a.untilReady();
    expect(answer.filter((m) => m.name === "error").map((m) => m.message)).toEqual([]);
    expect(answer.some((m) => m.name === "dataRow")).toBe(true);
    expect((await other).rows[0]!.n).toBe(2);
  } finally {
    a.socket.destroy();
    await b.end();
  }
});

test("a transaction on one connection still holds the backend until it ends, and the others go on afterwards", async () => {
  const a = new pg.Client({ connectionString: server.url });
  const b = new pg.Client({ connectionString: server.url });
  await a.connect();
  await b.connect();
  try {
    await a.query("CREATE TABLE IF NOT EXISTS t (n int)");
    await a.query("BEGIN");
    await a.query("INSERT INTO t VALUES ($1)", [1]);
    const other = b.query<{ n: string }>("SELECT count(*) AS n FROM t WHERE n = $1", [1]);
    await a.query("INSERT INTO t VALUES ($1)", [1]);
    await a.query("COMMIT");
    expect((await other).rows[0]!.n).toBe("2");
  } finally {
    await a.end();
    await b.end();
  }
});
