// Masking throughput: compiled row masking (cells/s) and the detector backstop on realistic text (cells/s).
// Run: npx tsx bench/masking.ts
import { compileRowMasker, redactDetected, type MaskingPlan } from "../lib/masking";

const COMMAND = "npx tsx bench/masking.ts";
const ROWS = 100_000;
const COLUMNS = 10;
const RUNS = 7;

// Deterministic pseudo-random numbers (mulberry32) so every run measures the same data.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(rand() * 10)).join("");

const FIRST = ["Alice", "Bob", "Carla", "Dmitri", "Eve", "Farah", "Gustavo", "Hana", "Ivan", "Jun", "Kofi", "Lena"];
const LAST = ["Smith", "Okafor", "Müller", "García", "Nguyen", "Kowalski", "Haddad", "Tanaka", "Johansson", "Silva"];
const STREETS = ["Elm Street", "Rue de Rivoli", "Hauptstraße", "Market St", "Baker Street", "Calle Mayor"];
const CITIES = ["Springfield, IL 62704", "75001 Paris", "10115 Berlin", "San Francisco, CA 94103", "London NW1 6XE"];
const NOTES = [
  "Customer called about a late delivery, promised a refund within 5 days.",
  "Prefers e-mail contact; do not call before 9am.",
  "Upgraded to the premium plan on 2024-03-01 after the trial ended.",
  "Ticket #48213 closed, root cause was a misconfigured webhook.",
  "VIP account, escalate any complaint to the account manager.",
  "Address changed twice this year, verify before shipping.",
];

function card(): string {
  // A Luhn-valid 16-digit Visa-like number.
  const body = "4" + digits(14);
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    let d = Number(body[14 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

function textCell(): string {
  const r = rand();
  const name = `${pick(FIRST)} ${pick(LAST)}`;
  if (r < 0.3) return name;
  if (r < 0.55) return `${1 + Math.floor(rand() * 9999)} ${pick(STREETS)}, ${pick(CITIES)}`;
  if (r < 0.85) return pick(NOTES);
  if (r < 0.92) return `${name} paid with card ${card().replace(/(\d{4})(?=\d)/g, "$1 ")} yesterday`;
  if (r < 0.97) return `Contact ${pick(FIRST).toLowerCase()}.${pick(LAST).toLowerCase()}@example.com for details`;
  return `Call back on +44 20 7946 ${digits(4)} regarding invoice ${digits(6)}`;
}

function row(i: number): unknown[] {
  return [
    i, // id
    `${pick(FIRST)} ${pick(LAST)}`, // name
    card(), // card_number  (masked: card)
    `${digits(3)}-${digits(3)}-${digits(4)}`, // phone (masked: partial keepLast 4)
    `${pick(FIRST).toLowerCase()}${i}@example.com`, // email (masked: hash)
    new Date(1_600_000_000_000 + i * 60_000), // created_at
    rand() < 0.5, // active
    Math.round(rand() * 100_000) / 100, // balance
    pick(CITIES), // city
    null, // deleted_at
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

function timeRuns(work: () => number): number[] {
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint();
    const cells = work();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(cells / seconds);
  }
  return rates;
}

// 1. Compiled row masking.
const plan: MaskingPlan = [
  null,
  null,
  { strategy: { kind: "card" }, detect: false },
  { strategy: { kind: "partial", keepFirst: 0, keepLast: 4 }, detect: false },
  { strategy: { kind: "hash" }, detect: false },
];
const masker = compileRowMasker(plan, { hashKey: "bench-key-0123456789abcdef" });
const rows = Array.from({ length: ROWS }, (_, i) => row(i));
let sink = 0;
const maskRates = timeRuns(() => {
  for (let i = 0; i < ROWS; i++) sink += masker(rows[i]).length;
  return ROWS * COLUMNS;
});
const maskedCells = ROWS * 3;

// 2. Detectors on realistic mixed text cells.
const texts = Array.from({ length: ROWS }, textCell);
let found = 0;
const detectRates = timeRuns(() => {
  found = 0;
  for (let i = 0; i < texts.length; i++) if (redactDetected(texts[i]) !== texts[i]) found++;
  return texts.length;
});

// 3. Rows with detectors on every column (policy `detectors: all`, the default): the masked columns as in 1, every
// other column through the detectors. Most cells are ids, names, dates and flags, which the prefilter passes at once.
const everyColumn: MaskingPlan = Array.from({ length: COLUMNS }, (_, i) => (plan[i] ? { ...plan[i]!, detect: true } : { strategy: null, detect: true }));
const detectingMasker = compileRowMasker(everyColumn, { hashKey: "bench-key-0123456789abcdef" });
const notes = rows.map((r, i) => [...r.slice(0, 8), texts[i], r[9]]);
const allRates = timeRuns(() => {
  for (let i = 0; i < ROWS; i++) sink += detectingMasker(notes[i]!).length;
  return ROWS * COLUMNS;
});

console.log(`masking bench (median of ${RUNS} runs, single thread, node ${process.version})`);
console.log(
  `  column masking: ${fmt(median(maskRates))} cells/s total ` +
    `(${ROWS.toLocaleString("en-US")} rows × ${COLUMNS} columns = ${fmt(ROWS * COLUMNS)} cells, ` +
    `${fmt(maskedCells)} masked: card, partial, hash) = ${fmt((median(maskRates) * 3) / COLUMNS)} masked cells/s`,
);
console.log(
  `  detectors:      ${fmt(median(detectRates))} cells/s ` +
    `(${fmt(texts.length)} mixed text cells, ${fmt(found)} redacted)`,
);
console.log(`  every column:   ${fmt(median(allRates))} cells/s (the rows of 1 with a free-text column, detectors on all ${COLUMNS} columns)`);
console.log(`  targets: column masking ≥ 2,000,000 cells/s, every column with detectors ≥ 2,000,000 cells/s, detectors on free text ≥ 300,000 cells/s`);
console.log(`RESULT bench=masking column_cells_per_s=${Math.round(median(maskRates))} every_column_cells_per_s=${Math.round(median(allRates))} free_text_cells_per_s=${Math.round(median(detectRates))}`);
console.log(`reproduce: ${COMMAND}`);
if (sink < 0) console.log(sink);
