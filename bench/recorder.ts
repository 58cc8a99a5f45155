// Recorder throughput (durable events/s): one caller awaiting each event (a transaction per event) against
// 16 concurrent callers (group commit: the events of a tick share one transaction), on a scratch database on
// the machine's PostgreSQL (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres), for
// both batch writers: over a raw `pg` pool (the recorder's `databaseUrl`, what the gateway uses) and through
// the Prisma store.
// Run: npx tsx bench/recorder.ts
import { Recorder, type RecorderOptions } from "../gateway/recorder";
import { verifyChains } from "../lib/audit/verify";
import { createStore } from "../lib/store/client";
import { deployMigrations } from "../lib/store/prisma-cli";
import { createScratchPostgres } from "../tests/support/databases";

const COMMAND = "npx tsx bench/recorder.ts";
const SEQUENTIAL_EVENTS = 2000;
const WORKERS = 16;
const EVENTS_PER_WORKER = 1000;
const OPENS = 300;

const payload = (i: number) => ({
  kind: "select",
  tables: ["public.customers", "public.orders"],
  rowCount: 3,
  columns: ["id", "email", "card_number", "total"],
  sample: [
    { id: i, email: "j***@example.com", card_number: "**** **** **** 4242", total: 120.5 },
    { id: i + 1, email: "a***@example.org", card_number: "**** **** **** 1881", total: 9.99 },
  ],
  durationMs: 3,
});

async function main(): Promise<void> {
  const db = await createScratchPostgres("bench_recorder");
  const store = createStore(db.url);
  try {
    process.stderr.write("migrating a scratch database…\n");
    await deployMigrations(db.url);
    const agent = await store.agent.create({ data: { name: "bench" }, select: { id: true } });
    const measure = async (options: RecorderOptions) => {
      const recorder = new Recorder(store, options);
      const open = () => recorder.openSession({ agentId: agent.id, connectionId: null, frontDoor: "pgwire" }).then((s) => s.sessionId);

      // Warm-up: connections, prepared paths, JIT.
      const warm = await open();
      await Promise.all(Array.from({ length: 200 }, (_, i) => recorder.record(warm, "statement", payload(i), { sqlText: "SELECT 1" })));

      const sequentialSession = await open();
      const started = performance.now();
      for (let i = 0; i < SEQUENTIAL_EVENTS; i++) {
        await recorder.record(sequentialSession, "statement", payload(i), { sqlText: `SELECT * FROM customers WHERE id = ${i}`, decision: "allow" });
      }
      const sequential = SEQUENTIAL_EVENTS / ((performance.now() - started) / 1000);

      const run = async (sessions: string[]) => {
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: WORKERS }, async (_, w) => {
            for (let i = 0; i < EVENTS_PER_WORKER; i++) {
              await recorder.record(sessions[w % sessions.length], "statement", payload(i), { sqlText: `SELECT * FROM customers WHERE id = ${i}`, decision: "allow" });
            }
          }),
        );
        return (WORKERS * EVENTS_PER_WORKER) / ((performance.now() - t0) / 1000);
      };
      const ownSessions = await Promise.all(Array.from({ length: WORKERS }, open));
      const concurrent = await run(ownSessions);
      const oneSession = await run([await open()]);
      const t1 = performance.now();
      for (let i = 0; i < OPENS; i++) await open();
      const opens = OPENS / ((performance.now() - t1) / 1000);
      await recorder.close();
      return { sequential, concurrent, oneSession, opens };
    };
    const writers = [
      ["over pg", await measure({ databaseUrl: db.url })],
      ["through Prisma", await measure({})],
    ] as const;

    const started = performance.now();
    const report = await verifyChains(store);
    const verifyRate = report.events / ((performance.now() - started) / 1000);
    if (report.broken.length > 0) throw new Error(`chain broken: ${JSON.stringify(report.broken)}`);

    const f = (n: number) => Math.round(n).toLocaleString("en-US").padStart(8);
    console.log(`recorder, durable events/s (PostgreSQL at ${new URL(db.url).host}, payload ~${JSON.stringify(payload(1)).length} B)`);
    for (const [name, { sequential, concurrent, oneSession, opens }] of writers) {
      console.log(`  batches ${name}`);
      console.log(`    sequential, 1 caller awaiting each event     ${f(sequential)}`);
      console.log(`    ${WORKERS} concurrent callers, a session each       ${f(concurrent)}   (${(concurrent / sequential).toFixed(1)}×)`);
      console.log(`    ${WORKERS} concurrent callers, one shared session   ${f(oneSession)}   (${(oneSession / sequential).toFixed(1)}×)`);
      console.log(`    sessions opened/s, 1 caller                  ${f(opens)}`);
    }
    console.log(`  audit verify (${report.events} events, ${report.sessions} sessions)   ${f(verifyRate)}`);
    console.log(`reproduce: ${COMMAND}`);
  } finally {
    await store.$disconnect();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
