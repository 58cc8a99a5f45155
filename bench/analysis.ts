// Statement-analysis benchmark: median cost of analysing a 3-table join.
//   PostgreSQL cold (cache bypassed), PostgreSQL cache hit, MySQL cold.
// Then the largest statements a door takes (AIRLOCK_MAX_SQL_BYTES, 1 MiB by default), once each: their cost must
// grow with their size, not its square (the MySQL lexer once took 20 s for 180 kB).
// Run: npx tsx bench/analysis.ts

import { analyze, initSqlParsers } from "../lib/sql/index";
import type { Dialect } from "../lib/sql/types";

const JOIN =
  "SELECT c.name, o.total, p.title FROM customers c JOIN orders o ON o.customer_id = c.id " +
  "JOIN products p ON p.id = o.product_id WHERE c.region = 'eu' ORDER BY o.total DESC LIMIT 10";

const ROUNDS = 31;
const PER_ROUND = 300;

function medianMicros(run: () => void): number {
  for (let i = 0; i < 2_000; i++) run(); // warm-up (JIT)
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < PER_ROUND; i++) run();
    samples.push(((performance.now() - start) * 1000) / PER_ROUND);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function cold(dialect: Dialect): () => void {
  return () => {
    const s = analyze(JOIN, dialect, { bypassCache: true }).statements[0];
    // Read the lazily computed fields too, as a recorder would.
    if (s.kind !== "select" || s.fingerprint.length === 0 || s.normalized.length === 0) throw new Error("unexpected analysis");
  };
}

async function main(): Promise<void> {
  await initSqlParsers();
  const pgCold = medianMicros(cold("postgres"));
  const pgColdNoText = medianMicros(() => analyze(JOIN, "postgres", { bypassCache: true }));
  analyze(JOIN, "postgres");
  const pgHit = medianMicros(() => analyze(JOIN, "postgres"));
  const myCold = medianMicros(cold("mysql"));
  const fmt = (us: number) => `${us.toFixed(1).padStart(8)} µs`;
  console.log("statement analysis, 3-table join, median of %d rounds × %d", ROUNDS, PER_ROUND);
  console.log(`  postgres cold (with normalize + fingerprint) ${fmt(pgCold)}   target ≤ 100 µs`);
  console.log(`  postgres cold (analysis only, lazy text)     ${fmt(pgColdNoText)}`);
  console.log(`  postgres cache hit                           ${fmt(pgHit)}   target ≤ 5 µs`);
  console.log(`  mysql cold (with normalize + fingerprint)    ${fmt(myCold)}   target ≤ 1000 µs`);
  console.log("large statements, analysed once each, cache bypassed (what is too large or too slow is refused as unknown):");
  const inList = (dialect: Dialect, bytes: number) => `SELECT id FROM orders WHERE customer_id IN (${"1, ".repeat(Math.floor(bytes / 3))}1)`;
  const prepared = (bytes: number) => `PREPARE s FROM '${"SELECT a FROM t WHERE b = ''x'' ".repeat(Math.floor(bytes / 34))}'`;
  for (const [label, dialect, text] of [
    ["postgres IN list", "postgres", inList("postgres", 1 << 20)],
    ["mysql IN list", "mysql", inList("mysql", 1 << 20)],
    ["mysql IN list, a quarter", "mysql", inList("mysql", 1 << 18)],
    ["mysql PREPARE of a long text", "mysql", prepared(1 << 20)],
  ] as const) {
    const start = performance.now();
    const statement = analyze(text, dialect, { bypassCache: true }).statements[0]!;
    const outcome = statement.kind === "unknown" ? `unknown: ${statement.errorCode}` : statement.kind;
    console.log(`  ${label.padEnd(44)} ${(performance.now() - start).toFixed(0).padStart(8)} ms   (${outcome})`);
  }
  console.log(`node ${process.version}; reproduce with: npx tsx bench/analysis.ts`);
}

void main();
