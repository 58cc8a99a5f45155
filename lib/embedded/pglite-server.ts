import fs from "node:fs";
import net from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { ExchangeQueue } from "./query-queue";

// An embedded PostgreSQL (PGlite, persisted in a directory) served on loopback so that ordinary
// PostgreSQL clients (pg, Prisma's adapter, psql) reach it. PGlite runs one query at a time: an open
// transaction on one connection stalls the others, so it is for the default single-node install and the
// demo target, not for production load.

export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory holding the database files; created when missing. */
  readonly dataDir: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  readonly database?: string;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir });
  const port = options.port === 0 ? await freePort() : options.port;
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 64 });
  // Keep each connection's extended-protocol exchange together (see query-queue.ts); handlers pick the queue up
  // from the server as they attach.
  (server as unknown as { queryQueue: ExchangeQueue }).queryQueue = new ExchangeQueue(db);
  try {
    await server.start();
  } catch (error) {
    await db.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot serve the embedded PostgreSQL on 127.0.0.1:${port}: ${reason}`);
  }
  // PGlite has a single database, "postgres"; the name in the URL is ignored by the socket server.
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/${options.database ?? "postgres"}?sslmode=disable`;
  return {
    url,
    port,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
