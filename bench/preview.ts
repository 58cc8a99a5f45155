// The dry run of a write waiting for approval (gateway/approvals/preview), end to end through the PostgreSQL
// target's previewWrite: a 10-row UPDATE on a demo-like table of 10,000 customers, with the default 5-row
// before/after sample masked by a small masker. Per preview: BEGIN + SET LOCALs, the catalog read of the written
// table, EXPLAIN, the data-modifying WITH that counts and samples, ROLLBACK. Goal: under 200 ms.
//
// Run: npx tsx bench/preview.ts          (options: --iterations 300  --warmup 30)

import { parseArgs } from "node:util";
import type { PreviewMasker, PreviewRequest } from "../gateway/approvals/preview/types";
import { TargetRegistry } from "../gateway/targets";
import { analyze, initSqlParsers } from "../lib/sql";
import { createScratchPostgres, withPostgres } from "../tests/support/databases";
import { connectionFromUrl, masterKey } from "../tests/targets/support";

const COMMAND = "npx tsx bench/preview.ts";
const GOAL_MS = 200;
const ROWS = 10_000;
const SQL = "UPDATE customers SET balance = balance + 1, updated_at = now() WHERE id BETWEEN $1 AND $1 + 9";

const args = parseArgs({ options: { iterations: { type: "string", default: "300" }, warmup: { type: "string", default: "30" } } }).values;
const ITERATIONS = Number(args.iterations);
const WARMUP = Number(args.warmup);

const maskSsn: PreviewMasker = async (_table, columns, rows) => {
  const at = columns.indexOf("ssn");
  return { rows: rows.map((row) => (row === null || at < 0 ? row : row.map((value, i) => (i === at ? "***" : value)))), maskedColumns: at < 0 ? [] : ["ssn"] };
};

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

async function main(): Promise<void> {
  await initSqlParsers();
  const db = await createScratchPostgres("bench_preview");
  const registry = new TargetRegistry({ masterKey, poolSize: 4 });
  try {
    await withPostgres(db.url, (client) =>
      client.query(`
        CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text NOT NULL, ssn text, country char(2),
          balance numeric(12,2) NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz);
        INSERT INTO customers (id, name, email, ssn, country, balance)
          SELECT g, 'Customer ' || g, 'customer' || g || '@example.com', lpad((g % 999)::text, 3, '0') || '-45-' || lpad(g::text, 4, '0'),
                 (ARRAY['US','FR','DE','GB','JP'])[1 + g % 5], (g % 1000) * 1.5
          FROM generate_series(1, ${ROWS}) g;
        ANALYZE customers;
      `),
    );
    const target = registry.target(connectionFromUrl(db.url, "postgres"));
    const statement = analyze(SQL, "postgres").statements[0]!;
    const request = (i: number): PreviewRequest => ({ statement, params: [1 + ((i * 37) % (ROWS - 10))], sampleRows: 5, statementTimeoutMs: 5_000, lockTimeoutMs: 1_000, mask: maskSsn });
    for (let i = 0; i < WARMUP; i++) await target.previewWrite!(request(i));
    const latencies: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const started = performance.now();
      const preview = await target.previewWrite!(request(i));
      latencies.push(performance.now() - started);
      if (preview.status !== "ran" || preview.rowsAffected !== 10 || preview.sample?.before.length !== 5) throw new Error(`unexpected preview: ${JSON.stringify(preview)}`);
    }
    latencies.sort((a, b) => a - b);
    const median = quantile(latencies, 0.5);
    const p95 = quantile(latencies, 0.95);
    console.log(`preview of a 10-row UPDATE (${SQL}) on ${ROWS} rows, through PostgresTarget.previewWrite, ${ITERATIONS} previews after ${WARMUP} warm-up`);
    console.log(`  median ${median.toFixed(2)} ms   p95 ${p95.toFixed(2)} ms   max ${latencies.at(-1)!.toFixed(2)} ms   (goal: < ${GOAL_MS} ms)`);
    console.log(`reproduce: ${COMMAND}`);
    console.log(`RESULT bench=preview median_ms=${median.toFixed(2)} p95_ms=${p95.toFixed(2)} goal_ms=${GOAL_MS} met=${p95 < GOAL_MS}`);
  } finally {
    await registry.close();
    await db.drop();
  }
}

await main();
