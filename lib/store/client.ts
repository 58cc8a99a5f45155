import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type Store = PrismaClient;

/** A Prisma client on the given PostgreSQL URL (a server, or the embedded store served on loopback). */
export function createStore(databaseUrl: string, options: { maxConnections?: number } = {}): Store {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}

const globalForStore = globalThis as unknown as { airlockStore?: Store };

/** The process-wide store, on DATABASE_URL (set by `npm start` for every process it runs). */
export function store(): Store {
  if (!globalForStore.airlockStore) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start Airlock with `npm start`");
    globalForStore.airlockStore = createStore(url);
  }
  return globalForStore.airlockStore;
}
