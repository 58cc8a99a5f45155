import path from "node:path";
import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runPrisma } from "../../lib/store/prisma-cli";
import { createGatewayFixture, MYSQL_CONNECTION, targetQuery, type GatewayFixture } from "../gateway/support";
import { startMysqlDoor, type MysqlDoor } from "./support";

// A Prisma client on the MySQL provider, through the MySQL door (driver adapter over the mariadb connector): its
// prepared reads come back masked, and a write it issues waits for approval like any other.

let fx: GatewayFixture;
let door: MysqlDoor;
const config = path.join(import.meta.dirname, "prisma", "prisma.config.ts");

interface Customer {
  id: number;
  name: string;
  card_number: string;
  ssn: string;
}
interface ShopClient {
  customers: { findMany(args: object): Promise<Customer[]>; update(args: object): Promise<Customer> };
  $disconnect(): Promise<void>;
}

beforeAll(async () => {
  const generated = await runPrisma(["generate", "--config", config]);
  if (generated.code !== 0) throw new Error(`prisma generate failed:\n${generated.output}`);
  fx = await createGatewayFixture("mysqlwire_prisma");
  door = await startMysqlDoor(fx, { AIRLOCK_MYSQLWIRE_APPROVAL_WAIT_SECONDS: "1" });
}, 120_000);

afterAll(async () => {
  await door?.stop();
  await fx?.cleanup();
});

test("findMany through the door: masked values, the rest as stored; an update waits for approval", async () => {
  const { PrismaClient } = (await import(path.join(import.meta.dirname, "prisma", "generated", "index.js"))) as { PrismaClient: new (options: object) => ShopClient };
  const token = fx.tokens.valid;
  const adapter = new PrismaMariaDb({ host: "127.0.0.1", port: door.port, user: token.slice(0, 12), password: token, database: MYSQL_CONNECTION, ssl: { rejectUnauthorized: false } });
  const prisma = new PrismaClient({ adapter });
  try {
    const rows = await prisma.customers.findMany({ where: { id: { lte: 2 } }, orderBy: { id: "asc" } });
    const stored = await targetQuery<{ name: string; card_number: string }>(fx, MYSQL_CONNECTION, "SELECT name, card_number FROM customers WHERE id <= 2 ORDER BY id");
    expect(rows.map((row) => row.id)).toEqual([1, 2]);
    expect(rows.map((row) => row.name)).toEqual(stored.map((row) => row.name));
    for (const row of rows) {
      expect(row.card_number).toMatch(/^\*{4} \*{4} \*{4} \d{4}$/);
      expect(row.ssn).toBe("****");
    }
    await expect(prisma.customers.update({ where: { id: 1 }, data: { name: "changed by prisma" } })).rejects.toThrow(/approval/);
    expect((await targetQuery<{ name: string }>(fx, MYSQL_CONNECTION, "SELECT name FROM customers WHERE id = 1"))[0]!.name).toBe(stored[0]!.name);
  } finally {
    await prisma.$disconnect();
  }
}, 60_000);
