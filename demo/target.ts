import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../lib/embedded/pglite-server";

// The demo target: a second embedded PostgreSQL holding the shop (demo/shop.sql), loaded on first start.

export async function startDemoShop(dataDir: string, port: number): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "demo-shop"), port });
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    const { rows } = await client.query<{ loaded: boolean }>("SELECT to_regclass('public.customers') IS NOT NULL AS loaded");
    if (!rows[0]?.loaded) {
      // One transaction, so a load that fails half-way is retried whole on the next start.
      await client.query(`BEGIN;\n${fs.readFileSync(path.join(import.meta.dirname, "shop.sql"), "utf8")}\nCOMMIT;`);
    }
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  return server;
}
