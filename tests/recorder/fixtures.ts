import { randomUUID } from "node:crypto";
import pg from "pg";
import { createStore, type Store } from "../../lib/store/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";

// A migrated scratch database and an agent to open sessions for.

export interface RecorderDatabase {
  readonly db: ScratchDatabase;
  readonly store: Store;
  /** A raw `pg` pool on the same database, for recorders that write their batches over pg. */
  readonly pool: pg.Pool;
  /** Another store (its own pool) on the same database, as a second gateway process would have. */
  newStore(maxConnections?: number): Store;
  /** Another `pg` pool on the same database (a second gateway process's recorder). */
  newPool(max?: number): pg.Pool;
  makeAgent(): Promise<string>;
  close(): Promise<void>;
}

export async function recorderDatabase(label: string): Promise<RecorderDatabase> {
  const db = await createScratchPostgres(label);
  const stores: Store[] = [];
  try {
    await deployMigrations(db.url);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const newStore = (maxConnections = 10) => {
    const store = createStore(db.url, { maxConnections });
    stores.push(store);
    return store;
  };
  const pools: pg.Pool[] = [];
  const newPool = (max = 4) => {
    const pool = new pg.Pool({ connectionString: db.url, max });
    pool.on("error", () => undefined); // idle connections terminated when the database is dropped
    pools.push(pool);
    return pool;
  };
  const store = newStore();
  const pool = newPool();
  return {
    db,
    store,
    pool,
    newStore,
    newPool,
    async makeAgent() {
      const agent = await store.agent.create({ data: { name: `agent-${randomUUID()}` }, select: { id: true } });
      return agent.id;
    },
    async close() {
      await Promise.allSettled([...stores.map((s) => s.$disconnect()), ...pools.map((p) => p.end())]);
      await db.drop();
    },
  };
}
