import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGatewayFixture, type GatewayFixture } from "../gateway/support";
import { startWireGateway, type WireGateway } from "./support";

// Real clients through the PostgreSQL door: pgbench in its three query modes (simple, extended, prepared:
// prepared statements reused across transactions) and node-postgres prepared statements; each statement
// decided and recorded.

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("pgwire_clients");
  // pgbench's tables, loaded directly into the target
  execFileSync("pgbench", ["-i", "-s", "1", "-q", fx.pgTarget.url], { stdio: "ignore" });
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

function pgbench(mode: string, clients: number, transactions: number): string {
  return execFileSync("pgbench", ["-n", "-S", "-M", mode, "-c", String(clients), "-j", String(Math.min(clients, 2)), "-t", String(transactions), wire.conninfo(fx.tokens.valid)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
}

describe("pgbench -S", () => {
  test.each(["simple", "extended", "prepared"])("-M %s runs every transaction through Airlock, each one recorded", async (mode) => {
    await wire.gateway.recorded();
    const before = await fx.store.sessionEvent.count({ where: { type: "statement", sqlText: { contains: "pgbench_accounts" } } });
    const out = pgbench(mode, 4, 50);
    expect(out).toMatch(/number of transactions actually processed: 200\/200/);
    expect(out).toMatch(/number of failed transactions: 0/);
    await wire.gateway.recorded();
    const after = await fx.store.sessionEvent.count({ where: { type: "statement", sqlText: { contains: "pgbench_accounts" } } });
    expect(after - before).toBeGreaterThanOrEqual(200);
  });
});

describe("Prisma", () => {
  test("the Prisma client (pg driver adapter) reads through Airlock, with and without a transaction", async () => {
    const { createStore } = await import("../../lib/store/client");
    const storeUrl = new URL(fx.storeDb.url);
    await fx.addConnection({
      name: "airlock_store",
      engine: "postgres",
      host: storeUrl.hostname,
      port: Number(storeUrl.port || 5432),
      database: storeUrl.pathname.slice(1),
      username: decodeURIComponent(storeUrl.username) || "postgres",
      password: "unused-trust-auth",
    });
    const through = createStore(`postgresql://agent:${fx.tokens.valid}@127.0.0.1:${wire.port}/airlock_store?sslmode=no-verify`, { maxConnections: 2 });
    try {
      const users = await through.user.findMany({ select: { email: true, roles: true }, orderBy: { email: "asc" } });
      // every row comes back; the addresses themselves are found by the value detectors (on every column) and masked
      const stored = (await fx.store.user.findMany({ select: { email: true }, orderBy: { email: "asc" } })).map((user) => user.email);
      expect(users.map((user) => user.email)).toEqual(stored.map((email) => `****@${email.split("@")[1]}`));
      expect(users.map((user) => user.roles)).toEqual((await fx.store.user.findMany({ select: { roles: true }, orderBy: { email: "asc" } })).map((user) => user.roles));
      const count = await through.agent.count({ where: { name: fx.agent.name } });
      expect(count).toBe(1);
      const [policies, connections] = await through.$transaction([through.policy.count(), through.connection.findMany({ select: { name: true }, where: { name: "shop_pg" } })]);
      expect(policies).toBe(2);
      expect(connections).toEqual([{ name: "shop_pg" }]);
    } finally {
      await through.$disconnect();
    }
  });
});
