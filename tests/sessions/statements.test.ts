import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore, type Store } from "../../lib/store/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import type { StatementFilters, TableQuery } from "../../lib/sessions/filters";
import { statementPage, type StatementRow } from "../../lib/sessions/statements";
import { createScratchPostgres, withPostgres, type ScratchDatabase } from "../support/databases";
import { seedRecordings, type Seeded } from "./seed";

// The sessions table's keyset pages against a real PostgreSQL: walking every page forwards and then backwards,
// under each filter and both orders, yields exactly the rows a plain ORDER BY … with the same filter gives — no row
// skipped, none repeated — even though many rows tie on `at`.

let db: ScratchDatabase;
let store: Store;
let seeded: Seeded;

beforeAll(async () => {
  db = await createScratchPostgres("sessions_table");
  await deployMigrations(db.url);
  seeded = await seedRecordings(db.url, { sessions: 60, statementsPerSession: 10 });
  store = createStore(db.url, { maxConnections: 4 });
}, 120_000);

afterAll(async () => {
  await store?.$disconnect();
  await db?.drop();
});

/** The same filters, written independently as a plain query over the whole table. */
async function expected(filters: StatementFilters, order: "newest" | "oldest"): Promise<string[]> {
  const where = [`s.type = 'statement'`];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => (values.push(value), where.push(sql.replace("?", `$${values.length}`)));
  if (filters.agentId) add(`a."agentId" = ?::uuid`, filters.agentId);
  if (filters.connectionId) add(`a."connectionId" = ?::uuid`, filters.connectionId);
  if (filters.frontDoor) add(`a."frontDoor"::text = ?`, filters.frontDoor);
  if (filters.decision) add(`(SELECT d.decision FROM "SessionEvent" d WHERE d."sessionId" = s."sessionId" AND d.seq = s.seq + 1) = ?`, filters.decision);
  if (filters.from) add(`s.at >= ?::timestamp`, filters.from.toISOString().replace("Z", ""));
  if (filters.to) add(`s.at < ?::timestamp`, filters.to.toISOString().replace("Z", ""));
  if (filters.text) add(`strpos(lower(s."sqlText"), lower(?)) > 0`, filters.text);
  const direction = order === "newest" ? "DESC" : "ASC";
  const { rows } = await withPostgres(db.url, (client) =>
    client.query<{ id: string }>(
      `SELECT s.id::text FROM "SessionEvent" s JOIN "AgentSession" a ON a.id = s."sessionId" WHERE ${where.join(" AND ")} ORDER BY s.at ${direction}, s.id ${direction}`,
      values,
    ),
  );
  return rows.map((row) => row.id);
}

async function walk(filters: StatementFilters, order: "newest" | "oldest", pageSize: number) {
  const forward: StatementRow[] = [];
  const pages: number[] = [];
  let query: TableQuery = { filters, order };
  let last = await statementPage(store, query, pageSize);
  for (let guard = 0; ; guard++) {
    expect(guard).toBeLessThan(1000);
    forward.push(...last.rows);
    pages.push(last.rows.length);
    if (!last.next) break;
    query = { filters, order, after: last.next };
    last = await statementPage(store, query, pageSize);
  }
  // And back from the last page to the first.
  const backward: StatementRow[] = [...last.rows];
  let page = last;
  while (page.previous) {
    page = await statementPage(store, { filters, order, before: page.previous }, pageSize);
    backward.unshift(...page.rows);
  }
  return { forward, backward, pages, firstPageHasPrevious: (await statementPage(store, { filters, order }, pageSize)).previous !== null };
}

const at = (minutes: number) => new Date(Date.parse("2026-10-01T00:00:00Z") + minutes * 60_000);

const cases: [string, () => StatementFilters][] = [
  ["no filter", () => ({})],
  ["agent", () => ({ agentId: seeded.agents[1]!.id })],
  ["connection", () => ({ connectionId: seeded.connections[2]!.id })],
  ["front door", () => ({ frontDoor: "mysqlwire" })],
  ["decision block", () => ({ decision: "block" })],
  ["decision require_approval", () => ({ decision: "require_approval" })],
  ["time range", () => ({ from: at(5), to: at(17) })],
  ["text, any case", () => ({ text: "CUSTOMERS" })],
  ["rare text", () => ({ text: "inventory" })],
  ["everything at once", () => ({ agentId: seeded.agents[0]!.id, decision: "allow", text: "customers", from: at(0), to: at(25) })],
  ["nothing matches", () => ({ text: "no such statement" })],
];

describe("sessions table: keyset pages", () => {
  it("seeds what the tests expect", () => {
    expect(seeded.statements).toBe(600);
  });

  describe.each(cases)("%s", (_name, filters) => {
    it.each(["newest", "oldest"] as const)("%s first: every row once, in order, forwards and backwards", async (order) => {
      const want = await expected(filters(), order);
      const { forward, backward, pages, firstPageHasPrevious } = await walk(filters(), order, 7);
      expect(forward.map((row) => row.eventId)).toEqual(want);
      expect(backward.map((row) => row.eventId)).toEqual(want);
      expect(firstPageHasPrevious).toBe(false);
      // Every page but the last is full; an empty result is one empty page.
      expect(pages.slice(0, -1).every((size) => size === 7)).toBe(true);
      if (!want.length) expect(pages).toEqual([0]);
    });
  });

  it("rows carry their decision, agent, connection and front door", async () => {
    const { rows } = await statementPage(store, { filters: { decision: "block" }, order: "newest" }, 3);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.decision).toBe("block");
      expect(row.sql).toMatch(/^DROP TABLE orders_\d+$/);
      expect(seeded.agents.map((agent) => agent.name)).toContain(row.agent);
      expect(seeded.connections.map((connection) => connection.name)).toContain(row.connection);
      expect(["http", "mcp", "pgwire", "mysqlwire"]).toContain(row.frontDoor);
      expect(row.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it("text is matched literally: % and _ are not wildcards, quotes are just text", async () => {
    for (const text of ["%", "_", "orders_%", "'; DROP TABLE \"SessionEvent\"; --", "\\"]) {
      const want = await expected({ text }, "newest");
      const { forward } = await walk({ text }, "newest", 50);
      expect(forward.map((row) => row.eventId), text).toEqual(want);
    }
    expect((await expected({ text: "_" }, "newest")).length).toBeGreaterThan(0);
    expect((await expected({ text: "%" }, "newest")).length).toBe(0);
  });

  it("a cursor from another filter or a row that is gone still gives a consistent page", async () => {
    const page = await statementPage(store, { filters: {}, order: "newest", after: { at: at(10), id: "1" } }, 5);
    const want = (await expected({ to: at(10) }, "newest")).slice(0, 5);
    expect(page.rows.map((row) => row.eventId)).toEqual(want);
  });
});
