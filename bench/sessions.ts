// The sessions table at 100,000 recorded events: how long the server takes to answer the first page, page changes
// deep in the table (both directions), each filter and each order, through the same code the page uses
// (lib/sessions/statements.ts over the Prisma store). Seeds a scratch database `airlock_bench_sessions_<random>`
// on the machine's PostgreSQL (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres), applies
// the migrations, measures, prints medians and p95 per query plus the plans of the slowest, and drops it.
// Run: npm run bench:sessions  [-- --events 100000 --runs 30]
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createStore } from "../lib/store/client";
import { deployMigrations } from "../lib/store/prisma-cli";
import type { Cursor } from "../lib/sessions/cursor";
import type { StatementFilters, TableQuery } from "../lib/sessions/filters";
import { PAGE_SIZE, statementPage, statementPageSql } from "../lib/sessions/statements";
import { databaseUrl, testPostgresUrl, withPostgres } from "../tests/support/databases";
import { seedRecordings } from "../tests/sessions/seed";

const COMMAND = "npm run bench:sessions";
const STATEMENTS_PER_SESSION = 13; // 1 connect + 13 × (statement, decision, result) = 40 events a session

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index > 0 ? Number(process.argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const EVENTS = option("events", 100_000);
const RUNS = option("runs", 30);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const server = testPostgresUrl();
  const name = `airlock_bench_sessions_${randomBytes(4).toString("hex")}`;
  await withPostgres(server, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrl(server, name);
  const store = createStore(url, { maxConnections: 2 });
  try {
    process.stderr.write(`migrating ${name}…\n`);
    await deployMigrations(url);
    const sessions = Math.ceil(EVENTS / (1 + 3 * STATEMENTS_PER_SESSION));
    process.stderr.write(`seeding ${sessions} sessions…\n`);
    const t0 = performance.now();
    const seeded = await seedRecordings(url, { sessions, statementsPerSession: STATEMENTS_PER_SESSION });
    process.stderr.write(`seeded ${seeded.events} events (${seeded.statements} statements) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    // Cursors deep in the table: the rows at 1/4, 1/2 and 9/10 of the statements, newest first.
    const deep = await withPostgres(url, async (client) => {
      const at = async (offset: number): Promise<Cursor> => {
        const { rows } = await client.query<{ at: string; id: string }>(
          `SELECT to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, id::text FROM "SessionEvent" WHERE type = 'statement' ORDER BY at DESC, id DESC OFFSET $1 LIMIT 1`,
          [offset],
        );
        return { at: new Date(rows[0]!.at), id: rows[0]!.id };
      };
      return { quarter: await at(Math.floor(seeded.statements / 4)), half: await at(Math.floor(seeded.statements / 2)), tail: await at(Math.floor(seeded.statements * 0.9)) };
    });
    // Two sessions start each minute: the recording spans sessions / 2 minutes. A 2-hour window at 40 % of it.
    const from = new Date(seeded.start.getTime() + Math.floor(sessions * 0.2) * 60_000);
    const range: StatementFilters = { from, to: new Date(from.getTime() + 2 * 3_600_000) };

    const cases: [string, TableQuery][] = [
      ["first page, newest first", { filters: {}, order: "newest" }],
      ["first page, oldest first (sort change)", { filters: {}, order: "oldest" }],
      ["next page at 1/4", { filters: {}, order: "newest", after: deep.quarter }],
      ["next page at 1/2", { filters: {}, order: "newest", after: deep.half }],
      ["previous page at 1/2", { filters: {}, order: "newest", before: deep.half }],
      ["next page at 9/10", { filters: {}, order: "newest", after: deep.tail }],
      ["oldest first, next page at 1/2", { filters: {}, order: "oldest", after: deep.half }],
      ["filter agent", { filters: { agentId: seeded.agents[2]!.id }, order: "newest" }],
      ["filter agent, page at 1/2", { filters: { agentId: seeded.agents[2]!.id }, order: "newest", after: deep.half }],
      ["filter connection", { filters: { connectionId: seeded.connections[1]!.id }, order: "newest" }],
      ["filter front door", { filters: { frontDoor: "mysqlwire" }, order: "newest" }],
      ["filter decision block (5 %)", { filters: { decision: "block" }, order: "newest" }],
      ["filter decision block, page at 1/2", { filters: { decision: "block" }, order: "newest", after: deep.half }],
      ["filter decision require_approval", { filters: { decision: "require_approval" }, order: "oldest" }],
      ["filter time range (2 h)", { filters: range, order: "newest" }],
      ["filter text 'customers' (common)", { filters: { text: "customers" }, order: "newest" }],
      ["filter text 'inventory' (1 %)", { filters: { text: "inventory" }, order: "newest" }],
      ["filter text matching nothing", { filters: { text: "no statement says this" }, order: "newest" }],
      ["filter agent + decision + text", { filters: { agentId: seeded.agents[0]!.id, decision: "block", text: "orders" }, order: "newest" }],
      ["filter agent + decision, oldest first", { filters: { agentId: seeded.agents[4]!.id, decision: "require_approval" }, order: "oldest" }],
    ];

    const results: { label: string; median: number; p95: number; rows: number }[] = [];
    for (const [label, query] of cases) {
      let rows = 0;
      for (let i = 0; i < 3; i++) rows = (await statementPage(store, query)).rows.length; // warm-up
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await statementPage(store, query);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      results.push({ label, median: percentile(times, 50), p95: percentile(times, 95), rows });
    }

    console.log(`\nSessions table, ${seeded.events.toLocaleString("en")} events (${seeded.statements.toLocaleString("en")} statements, ${sessions} sessions), page of ${PAGE_SIZE}, ${RUNS} runs each`);
    console.log(`${"query".padEnd(44)} ${"rows".padStart(5)} ${"median ms".padStart(10)} ${"p95 ms".padStart(9)}`);
    for (const r of results) console.log(`${r.label.padEnd(44)} ${String(r.rows).padStart(5)} ${r.median.toFixed(2).padStart(10)} ${r.p95.toFixed(2).padStart(9)}`);
    const worst = [...results].sort((a, b) => b.p95 - a.p95).slice(0, 2);
    console.log(`\nslowest p95: ${worst.map((r) => `${r.label} ${r.p95.toFixed(1)} ms`).join("; ")} (target: under 300 ms)`);

    // The plans of the two slowest, as PostgreSQL ran them.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const r of worst) {
        const query = cases.find(([label]) => label === r.label)![1];
        const forward = !query.before;
        const sql = statementPageSql(query.filters, query.after ?? query.before ?? null, (query.order === "newest") === forward, PAGE_SIZE + 1);
        const plan = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, sql.values as unknown[]);
        console.log(`\nEXPLAIN ANALYZE — ${r.label}\n${plan.rows.map((row) => `  ${row["QUERY PLAN"]}`).join("\n")}`);
      }
    } finally {
      await client.end();
    }
    console.log(`\nreproduce: ${COMMAND}`);
  } finally {
    await store.$disconnect();
    await withPostgres(server, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
