// The PostgreSQL door under pgbench -S: straight to PostgreSQL, through PgBouncer (transaction pooling) and
// through Airlock (policy, masking and recording on) in each recording mode (journal, strict), at 1 and 8 clients,
// interleaved round by round so all of them see the same machine; then a 1-million-row SELECT with a masked column through Airlock, sampling the
// gateway's resident memory while it streams.
//
// Run: npm run bench:pgwire          (options: --seconds 5  --rounds 3  --scale 10)
//
// Notes: Airlock is reached over TLS (the token as a cleartext password; without TLS it would be SCRAM-SHA-256);
// PostgreSQL and PgBouncer are reached in plain text. pgbench runs in its default (simple) query mode against all three.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../lib/embedded/pglite-server";
import { validatePolicy } from "../lib/policy";
import { createGatewayFixture } from "../tests/gateway/support";
import { createScratchPostgres, testPostgresUrl } from "../tests/support/databases";
import { startWireGateway } from "../tests/pgwire/support";
import { benchGroups, cpuWindow, formatCpu } from "./support/cpu";

const COMMAND = "npm run bench:pgwire";
const args = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    scale: { type: "string", default: "10" },
    // what write-ahead recording costs: the store commits without waiting for its WAL flush (a crash may then lose
    // the last few milliseconds of recordings; the chain stays whole). Off by default.
    "store-async-commit": { type: "boolean", default: false },
  },
}).values;
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const SCALE = Number(args.scale);
const CLIENTS = [1, 8] as const;
const VIAS = ["direct", "pgbouncer", "journal", "strict"] as const;
type Via = (typeof VIAS)[number];

function tps(conninfo: string, clients: number): number {
  const out = execFileSync("pgbench", ["-n", "-S", "-c", String(clients), "-j", String(Math.min(clients, 4)), "-T", String(SECONDS), conninfo], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const match = /tps = ([\d.]+)/.exec(out);
  if (!match) throw new Error(`no tps in pgbench output:\n${out}`);
  return Number(match[1]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function startPgBouncer(dir: string, database: string, server: URL): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  fs.writeFileSync(path.join(dir, "userlist.txt"), `"${decodeURIComponent(server.username) || "postgres"}" ""\n`);
  fs.writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `bench = host=${server.hostname} port=${server.port || 5432} dbname=${database} user=${decodeURIComponent(server.username) || "postgres"}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${path.join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 200",
      "default_pool_size = 20",
      `logfile = ${path.join(dir, "pgbouncer.log")}`,
      `pidfile = ${path.join(dir, "pgbouncer.pid")}`,
    ].join("\n"),
  );
  fs.chmodSync(dir, 0o777);
  for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), 0o666);
  // PgBouncer refuses to run as root: -u drops to the postgres user when we are root
  const asRoot = process.getuid?.() === 0;
  const child = spawn("pgbouncer", [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync("psql", ["-X", "-A", "-t", "-c", "SELECT 1", `host=127.0.0.1 port=${port} dbname=bench user=${decodeURIComponent(server.username) || "postgres"}`], { stdio: "ignore" });
      return { port, process: child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill();
  throw new Error(`PgBouncer did not start:\n${fs.existsSync(path.join(dir, "pgbouncer.log")) ? fs.readFileSync(path.join(dir, "pgbouncer.log"), "utf8") : ""}`);
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const server = new URL(testPostgresUrl());
  const fx = await createGatewayFixture("bench_pgwire");
  const db = await createScratchPostgres("bench_pgwire_target");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-bench-pgwire-"));
  let bouncer: ChildProcess | undefined;
  try {
    process.stdout.write(`loading pgbench tables (scale ${SCALE}, ${SCALE * 100_000} accounts)…\n`);
    execFileSync("pgbench", ["-i", "-q", "-s", String(SCALE), db.url], { stdio: "ignore" });
    await fx.addConnection({
      name: "bench",
      engine: "postgres",
      host: server.hostname,
      port: Number(server.port || 5432),
      database: db.name,
      username: decodeURIComponent(server.username) || "postgres",
      password: "trust-auth",
    });
    // Policy on: reads allowed, `filler` masked (the 1M-row SELECT masks every row), every statement recorded.
    const parsed = validatePolicy({
      version: 1,
      id: "bench",
      name: "Bench",
      rules: [
        { id: "mask-filler", name: "Filler leaves masked", scope: { connections: ["bench"] }, action: { type: "mask", columns: ["pgbench_accounts.filler"], strategy: { kind: "redact" } } },
        { id: "allow-reads", name: "Reads", scope: { connections: ["bench"] }, match: { kinds: ["select"] }, action: { type: "allow" } },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const document = JSON.parse(JSON.stringify(parsed.policy)) as object;
    await fx.store.policy.create({ data: { name: "Bench", priority: 30, document, revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id } } } });
    // The wire door applies the row limit (the connection's, or the policies' maxRows when smaller; 1000 by default).
    // The streaming figure below needs the whole table: the bench connection's limit is raised past it (straight in
    // the store: the form caps it at 100,000) and the defaults' maxRows is dropped. Masking and recording stay on.
    await fx.store.connection.update({ where: { name: "bench" }, data: { rowLimit: SCALE * 100_000 } });
    for (const policy of await fx.store.policy.findMany({ select: { id: true, document: true } })) {
      const settings = (policy.document as { settings?: Record<string, unknown> }).settings;
      if (settings?.maxRows === undefined) continue;
      const rest = { ...settings };
      delete rest.maxRows;
      await fx.store.policy.update({ where: { id: policy.id }, data: { document: { ...(policy.document as object), settings: rest } as object } });
    }

    if (args["store-async-commit"]) {
      await fx.store.$executeRawUnsafe(`ALTER DATABASE "${fx.storeDb.name}" SET synchronous_commit = off`);
      process.stdout.write("store: synchronous_commit = off\n");
    }
    // One gateway per recording mode, each with its own journal.
    const wire = await startWireGateway(fx, { AIRLOCK_LOG_LEVEL: "warn", AIRLOCK_RECORDING_MODE: "journal" }, "journal");
    const strictWire = await startWireGateway(fx, { AIRLOCK_LOG_LEVEL: "warn", AIRLOCK_RECORDING_MODE: "strict" }, "strict");
    const pgb = await startPgBouncer(dir, db.name, server);
    bouncer = pgb.process;
    const user = decodeURIComponent(server.username) || "postgres";
    const conninfo: Record<Via, string> = {
      direct: `host=${server.hostname} port=${server.port || 5432} dbname=${db.name} user=${user}`,
      pgbouncer: `host=127.0.0.1 port=${pgb.port} dbname=bench user=${user}`,
      journal: wire.conninfo(fx.tokens.valid, "bench"),
      strict: strictWire.conninfo(fx.tokens.valid, "bench"),
    };
    const gatewayPid: Partial<Record<Via, number>> = { journal: wire.gateway.process.pid, strict: strictWire.gateway.process.pid };
    try {
      const results = Object.fromEntries(VIAS.map((via) => [via, { 1: [] as number[], 8: [] as number[] }])) as unknown as Record<Via, Record<number, number[]>>;
      const cpu: Partial<Record<string, string>> = {};
      for (const via of VIAS) tps(conninfo[via], 1); // warm-up (short)
      for (let round = 1; round <= ROUNDS; round++) {
        for (const clients of CLIENTS) {
          for (const via of VIAS) {
            const window = cpuWindow(benchGroups(gatewayPid[via]));
            const value = tps(conninfo[via], clients);
            if (round === ROUNDS) cpu[`${via} c${clients}`] = formatCpu(window.stop());
            results[via][clients]!.push(value);
            process.stdout.write(`round ${round}  ${String(clients).padStart(2)} client(s)  ${via.padEnd(9)}  ${value.toFixed(0).padStart(7)} tps\n`);
          }
        }
      }
      process.stdout.write(`\npgbench -S, ${SECONDS} s per run, median of ${ROUNDS} interleaved rounds (scale ${SCALE}); airlock in journal and strict recording modes\n`);
      process.stdout.write("clients   direct   pgbouncer   journal    strict   pgbouncer/direct   journal/pgbouncer   strict/pgbouncer\n");
      const ratios: Record<"journal" | "strict", string[]> = { journal: [], strict: [] };
      for (const clients of CLIENTS) {
        const [d, b, j, st] = VIAS.map((via) => median(results[via][clients]!)) as [number, number, number, number];
        process.stdout.write(
          `${String(clients).padStart(7)}  ${d.toFixed(0).padStart(7)}  ${b.toFixed(0).padStart(10)}  ${j.toFixed(0).padStart(8)}  ${st.toFixed(0).padStart(8)}  ${(b / d).toFixed(2).padStart(17)}  ${(j / b).toFixed(2).padStart(18)}  ${(st / b).toFixed(2).padStart(17)}\n`,
        );
        ratios.journal.push(`c${clients}_tps=${j.toFixed(0)} c${clients}_vs_pgbouncer=${(j / b).toFixed(2)}`);
        ratios.strict.push(`c${clients}_tps=${st.toFixed(0)} c${clients}_vs_pgbouncer=${(st / b).toFixed(2)}`);
      }
      process.stdout.write(`\nCPU during the last round (cores busy, by process group):\n`);
      for (const [key, value] of Object.entries(cpu)) process.stdout.write(`  ${key.padEnd(14)} ${value}\n`);
      process.stdout.write(`RESULT bench=pgwire mode=journal ${ratios.journal.join(" ")}\n`);
      process.stdout.write(`RESULT bench=pgwire mode=strict ${ratios.strict.join(" ")}\n`);
      await strictWire.stop();

      // 1M rows, every row masked, streamed through the gateway to psql (which keeps them; its memory is its own)
      const pid = wire.gateway.process.pid!; // journal mode
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
      const started = performance.now();
      const child = spawn("psql", ["-X", "-A", "-t", "-c", "SELECT aid, bid, abalance, filler FROM pgbench_accounts", conninfo.journal], { stdio: ["ignore", "pipe", "pipe"] });
      let rows = 0;
      let leaked = 0;
      child.stdout.on("data", (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
        if (!chunk.includes("|****")) leaked++;
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
      clearInterval(sampler);
      if (code !== 0) throw new Error(`the 1M-row SELECT failed: ${stderr}`);
      const check = execFileSync("psql", ["-X", "-A", "-t", "-c", "SELECT filler FROM pgbench_accounts WHERE aid = 1", conninfo.journal], { encoding: "utf8" }).trim();
      process.stdout.write(
        `\n${rows} rows (of ${SCALE * 100_000}) with a masked column through Airlock${leaked > 0 ? ` (${leaked} chunks without a masked value!)` : ""}: ${((performance.now() - started) / 1000).toFixed(1)} s; gateway RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak (growth ${(peak - before).toFixed(0)} MB); filler came back as "${check}"\n`,
      );
    } finally {
      await wire.stop();
    }
  } finally {
    bouncer?.kill();
    await db.drop().catch(() => undefined);
    await fx.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\nreproduce: ${COMMAND} -- --seconds ${SECONDS} --rounds ${ROUNDS} --scale ${SCALE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
