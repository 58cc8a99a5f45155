import { randomUUID } from "node:crypto";
import { createStore, type Store } from "../../lib/store/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";

// A migrated scratch database and an agent to open sessions for.

export interface RecorderDatabase {
  readonly db: ScratchDatabase;
  readonly store: Store;
  /** Another store (its own pool) on the same database, as a second gateway process would have. */
  newStore(maxConnections?: number): Store;
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
  const store = newStore();
  return {
    db,
    store,
    newStore,
    async makeAgent() {
      const agent = await store.agent.create({ data: { name: `agent-${randomUUID()}` }, select: { id: true } });
      return agent.id;
    },
    async close() {
      await Promise.allSettled(stores.map((s) => s.$disconnect()));
      await db.drop();
    },
  };
}
