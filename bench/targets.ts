// Round trips and latency of a small SELECT: node `pg` straight to PostgreSQL versus the gateway's PostgreSQL
// target (gateway/targets), one client, same run, same scratch database. The target is measured on a
// read-write and on a read-only connection. Round trips are counted on the sockets: a write that follows data
// from the server starts a new one.
//
// Run: npx tsx bench/targets.ts          (options: --iterations 3000  --warmup 300)

import net from "node:net";
import { parseArgs } from "node:util";
import pg from "pg";
import { TargetRegistry, type Target } from "../gateway/targets";
import { createScratchPostgres, withPostgres } from "../tests/support/databases";
import { connectionFromUrl, masterKey } from "../tests/targets/support";

const COMMAND = "npx tsx bench/targets.ts";
const SQL = "SELECT id, name FROM customers WHERE id = $1";

const args = parseArgs({ options: { iterations: { type: "string", default: "3000" }, warmup: { type: "string", default: "300" } } }).values;
const ITERATIONS = Number(args.iterations);
const WARMUP = Number(args.warmup);

// ── round trips, counted on every socket ────────────────────────────────────────────────────────────────
let roundTrips = 0;
const sawData = new WeakSet<net.Socket>();
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (this: net.Socket, ...rest: unknown[]) {
  if (!sawData.has(this) || (this as net.Socket & { __turn?: boolean }).__turn) roundTrips++;
  (this as net.Socket & { __turn?: boolean }).__turn = false;
  if (!sawData.has(this)) {
    sawData.add(this);
    this.on("data", () => ((this as net.Socket & { __turn?: boolean }).__turn = true));
  }
  return (write as (...a: unknown[]) => boolean).apply(this, rest);
} as typeof net.Socket.prototype.write;

interface Figures {
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly roundTrips: number;
}

async function measure(once: (i: number) => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < WARMUP; i++) await once(i);
  const latencies: number[] = [];
  const tripsBefore = roundTrips;
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await once(i);
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  return {
    medianMs: latencies[Math.floor(latencies.length / 2)],
    p95Ms: latencies[Math.floor(latencies.length * 0.95)],
    roundTrips: (roundTrips - tripsBefore) / ITERATIONS,
  };
}

async function main(): Promise<void> {
  const db = await createScratchPostgres("bench_targets");
  const registry = new TargetRegistry({ masterKey, poolSize: 4 });
  const direct = new pg.Client({ connectionString: db.url });
  try {
    await withPostgres(db.url, (client) =>
      client.query("CREATE TABLE customers (id int PRIMARY KEY, name text); INSERT INTO customers SELECT g, 'name ' || g FROM generate_series(1, 1000) g"),
    );
    await direct.connect();
    const readWrite: Target = registry.target(connectionFromUrl(db.url, "postgres"));
    const readOnly: Target = registry.target(connectionFromUrl(db.url, "postgres", { readOnly: true }));
    const options = { rowLimit: 1000, timeoutMs: 10_000, readOnly: false } as const;
    const rows: [string, Figures][] = [];
    // interleave twice so neither side gets only the warm (or cold) half of the run
    for (let pass = 0; pass < 2; pass++) {
      rows.push(["pg direct (client.query)", await measure((i) => direct.query(SQL, [(i % 1000) + 1]))]);
      rows.push(["target, read-write", await measure((i) => readWrite.execute(SQL, [(i % 1000) + 1], options))]);
      rows.push(["target, read-only", await measure((i) => readOnly.execute(SQL, [(i % 1000) + 1], options))]);
    }
    console.log(`small SELECT (${SQL}), 1 client, ${ITERATIONS} calls after ${WARMUP} warm-up, each measured twice`);
    console.log("                               median ms   p95 ms   round trips/call");
    for (const [name, f] of rows) console.log(`${name.padEnd(30)} ${f.medianMs.toFixed(3).padStart(9)} ${f.p95Ms.toFixed(3).padStart(8)}   ${f.roundTrips.toFixed(2).padStart(8)}`);
    console.log(`reproduce: ${COMMAND}`);
  } finally {
    await direct.end().catch(() => undefined);
    await registry.close();
    await db.drop();
  }
}

await main();
