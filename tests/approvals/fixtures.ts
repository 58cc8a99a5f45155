import { randomBytes, randomUUID } from "node:crypto";
import { createApprovalRequest, type CreateApprovalInput } from "../../gateway/approvals";
import { createStore, type Store } from "../../lib/store/client";
import type { Role } from "../../lib/store/generated/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";

// A migrated scratch database and the people, agents and connections the approval tests need, all made
// through the Prisma client.

export interface ApprovalTestDb {
  readonly db: ScratchDatabase;
  readonly store: Store;
  close(): Promise<void>;
}

export async function migratedScratch(label: string): Promise<ApprovalTestDb> {
  const db = await createScratchPostgres(label);
  try {
    await deployMigrations(db.url);
  } catch (error) {
    await db.drop();
    throw error;
  }
  const store = createStore(db.url, { maxConnections: 12 });
  return {
    db,
    store,
    async close() {
      try {
        await store.$disconnect();
      } finally {
        await db.drop();
      }
    },
  };
}

let counter = 0;
export const unique = (label: string) => `${label}-${++counter}-${randomUUID().slice(0, 8)}`;

export function makeUser(store: Store, roles: Role[] = ["approver"], data: { disabled?: boolean } = {}) {
  return store.user.create({ data: { email: `${unique("user")}@example.test`, name: "Reviewer", roles, ...data } });
}

export function makeAgent(store: Store, ownerId: string | null = null) {
  return store.agent.create({ data: { name: unique("agent"), ownerId } });
}

export function makeConnection(store: Store) {
  return store.connection.create({
    data: {
      name: unique("conn"),
      engine: "postgres",
      host: "db.internal",
      port: 5432,
      database: "shop",
      username: "airlock",
      secretCiphertext: randomBytes(16),
    },
  });
}

export interface World {
  readonly owner: { id: string };
  readonly agent: { id: string };
  readonly connection: { id: string };
}

/** An agent owned by an approver, and a connection. */
export async function makeWorld(store: Store): Promise<World> {
  const owner = await makeUser(store, ["approver"]);
  const [agent, connection] = await Promise.all([makeAgent(store, owner.id), makeConnection(store)]);
  return { owner, agent, connection };
}

export const SQL = "DELETE FROM orders WHERE id = $1";
export const PARAMS = [42];
export const HOUR = 60 * 60 * 1000;

/** A pending request of the world's agent on its connection for SQL/PARAMS, expiring in an hour. */
export function makeRequest(store: Store, world: World, overrides: Partial<CreateApprovalInput> = {}) {
  return createApprovalRequest(store, {
    agentId: world.agent.id,
    connectionId: world.connection.id,
    sql: SQL,
    params: PARAMS,
    decision: { action: "require_approval", reasons: ["deletes rows from orders"] },
    approverRoles: ["approver"],
    minApprovals: 1,
    expiresAt: new Date(Date.now() + HOUR),
    ...overrides,
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
