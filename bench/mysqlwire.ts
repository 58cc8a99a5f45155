// The MySQL door under sysbench oltp_point_select: straight to MariaDB against through Airlock (policy, masking
// and recording on, journal mode), at 1 and 8 threads, interleaved round by round so both see the same machine.
// sysbench prepares its table straight on MariaDB; through Airlock it runs its prepared point selects
// (COM_STMT_PREPARE / EXECUTE) without TLS (the token goes RSA-encrypted; sysbench 1.0 wants client certificate
// files for TLS).
//
// Run: npm run bench:mysqlwire          (options: --seconds 5  --rounds 3  --table-size 10000)

import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { validatePolicy } from "../lib/policy";
import { createGatewayFixture } from "../tests/gateway/support";
import { createScratchMysql, testMysqlUrl } from "../tests/support/databases";
import { startMysqlDoor } from "../tests/mysqlwire/support";
import { benchGroups, cpuWindow, formatCpu } from "./support/cpu";

const COMMAND = "npm run bench:mysqlwire";
const args = parseArgs({
  options: { seconds: { type: "string", default: "5" }, rounds: { type: "string", default: "3" }, "table-size": { type: "string", default: "10000" } },
}).values;
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const TABLE_SIZE = Number(args["table-size"]);
const THREADS = [1, 8] as const;

type Via = "direct" | "airlock";

function sysbench(connection: string[], threads: number, command: "prepare" | "run"): string {
  try {
    return run(connection, threads, command);
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(`sysbench ${command} failed:\n${failed.stdout ?? ""}${failed.stderr ?? ""}`.slice(0, 4000));
  }
}

function run(connection: string[], threads: number, command: "prepare" | "run"): string {
  return execFileSync(
    "sysbench",
    ["oltp_point_select", "--db-driver=mysql", ...connection, "--tables=1", `--table-size=${TABLE_SIZE}`, `--threads=${threads}`, `--time=${SECONDS}`, "--report-interval=0", command],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: (SECONDS + 60) * 1000 },
  );
}

function tps(output: string): number {
  const match = /transactions:\s+\d+\s+\(([\d.]+) per sec/.exec(output);
  if (!match) throw new Error(`no transactions per second in sysbench's output:\n${output.slice(-2000)}`);
  return Number(match[1]);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const server = new URL(testMysqlUrl());
  const fx = await createGatewayFixture("bench_mysqlwire");
  const db = await createScratchMysql("bench_mysqlwire");
  try {
    const user = decodeURIComponent(server.username) || "root";
    const password = decodeURIComponent(server.password);
    const direct = [`--mysql-host=${server.hostname}`, `--mysql-port=${server.port || 3306}`, `--mysql-user=${user}`, `--mysql-password=${password}`, `--mysql-db=${db.name}`];
    process.stdout.write(`sysbench prepare: 1 table of ${TABLE_SIZE} rows, straight on MariaDB…\n`);
    sysbench(direct, 1, "prepare");
    await fx.addConnection({ name: "bench", engine: "mysql", host: server.hostname, port: Number(server.port || 3306), database: db.name, username: user, password });
    const parsed = validatePolicy({
      version: 1,
      id: "bench",
      name: "Bench",
      rules: [
        { id: "mask-pad", name: "pad leaves masked", scope: { connections: ["bench"] }, action: { type: "mask", columns: ["sbtest1.pad"], strategy: { kind: "redact" } } },
        { id: "allow-reads", name: "Reads", scope: { connections: ["bench"] }, match: { kinds: ["select"] }, action: { type: "allow" } },
      ],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const document = JSON.parse(JSON.stringify(parsed.policy)) as object;
    await fx.store.policy.create({ data: { name: "Bench", priority: 30, document, revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id } } } });

    const door = await startMysqlDoor(fx, { AIRLOCK_LOG_LEVEL: "warn" }, "bench");
    const token = fx.tokens.valid;
    const through = ["--mysql-host=127.0.0.1", `--mysql-port=${door.port}`, `--mysql-user=${token.slice(0, 12)}`, `--mysql-password=${token}`, "--mysql-db=bench"];
    const connection: Record<Via, string[]> = { direct, airlock: through };
    try {
      const results: Record<Via, Record<number, number[]>> = { direct: { 1: [], 8: [] }, airlock: { 1: [], 8: [] } };
      const cpu: Record<string, string> = {};
      for (const via of ["direct", "airlock"] as const) tps(sysbench(connection[via], 1, "run")); // warm-up
      for (let round = 1; round <= ROUNDS; round++) {
        for (const threads of THREADS) {
          for (const via of ["direct", "airlock"] as const) {
            const window = cpuWindow(benchGroups(via === "airlock" ? door.gateway.process.pid : undefined));
            const value = tps(sysbench(connection[via], threads, "run"));
            if (round === ROUNDS) cpu[`${via} t${threads}`] = formatCpu(window.stop());
            results[via][threads]!.push(value);
            process.stdout.write(`round ${round}  ${String(threads).padStart(2)} thread(s)  ${via.padEnd(8)}  ${value.toFixed(0).padStart(7)} tps\n`);
          }
        }
      }
      process.stdout.write(`\nsysbench oltp_point_select, ${SECONDS} s per run, median of ${ROUNDS} interleaved rounds (${TABLE_SIZE} rows)\n`);
      process.stdout.write("threads   direct   airlock   airlock/direct\n");
      const ratios: string[] = [];
      for (const threads of THREADS) {
        const d = median(results.direct[threads]!);
        const a = median(results.airlock[threads]!);
        process.stdout.write(`${String(threads).padStart(7)}  ${d.toFixed(0).padStart(7)}  ${a.toFixed(0).padStart(8)}  ${(a / d).toFixed(2).padStart(15)}\n`);
        ratios.push(`t${threads}_tps=${a.toFixed(0)} t${threads}_vs_direct=${(a / d).toFixed(2)}`);
      }
      process.stdout.write("\nCPU during the last round (cores busy, by process group):\n");
      for (const [key, value] of Object.entries(cpu)) process.stdout.write(`  ${key.padEnd(12)} ${value}\n`);
      process.stdout.write(`RESULT bench=mysqlwire mode=journal ${ratios.join(" ")}\n`);
    } finally {
      await door.stop();
    }
  } finally {
    await db.drop().catch(() => undefined);
    await fx.cleanup();
  }
  process.stdout.write(`\nreproduce: ${COMMAND} -- --seconds ${SECONDS} --rounds ${ROUNDS} --table-size ${TABLE_SIZE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
