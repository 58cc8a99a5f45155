// Gateway overhead over HTTP: a small parameterised SELECT straight to PostgreSQL with node `pg` versus through
// the gateway's POST /v1/query (policy, masking and write-ahead recording on), for 1 and 16 clients; plus a
// 1-million-row SELECT through the gateway with the connection's default row limit (time to answer, and the
// gateway process's RSS before, during and after, to show that memory stays flat).
//
// Run: npx tsx bench/http.ts            (options: --seconds 3  --warmup 1  --clients 1,16)
//
// It builds its own scratch store and targets with the gateway tests' fixture (tests/gateway/support), starts
// the gateway as a real process (`tsx gateway/main.ts`), and drops everything afterwards.
// For scale it also prints the store's WAL flushes during each gateway run (every durable commit waits for one;
// their time too when the server runs with track_wal_io_timing = on), and what a durable commit and the recorder's
// write-ahead group commit (a statement + its decision) cost back to back and after a 2 ms pause, as in a
// statement's chain, where the store sits idle while the rest of the statement runs.
// Targets (issue): ≤ 1 ms added at the median with one client; ≥ 3,000 statements/s with 16 clients.
// The client, the gateway, the store and the target share this machine's cores: read the figures with that in mind.

import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { Gateway } from "../gateway/gateway";
import { Recorder } from "../gateway/recorder";
import { createLogger } from "../lib/log";
import { createStore } from "../lib/store/client";
import { createGatewayFixture, PG_CONNECTION, startGateway, type GatewayFixture, type RunningGateway } from "../tests/gateway/support";
import { benchGroups, cpuWindow, formatCpu } from "./support/cpu";
import { haveWrk, wrkPost } from "./support/wrk";

const COMMAND = "npx tsx bench/http.ts";
const SMALL_SQL = "SELECT id, name FROM customers WHERE id = $1";
const BIG_SQL = "SELECT g, md5(g::text) FROM generate_series(1,1000000) g";
const TARGET_ADDED_MS = 1;
const TARGET_RPS_16 = 3_000;
/** Idle time before a sampled store write in the floors below: about what one statement's other work takes. */
const PAUSE_MS = 2;

const args = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    clients: { type: "string", default: "1,16" },
    modes: { type: "string", default: "journal,strict" },
  },
}).values;
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args.warmup);
const CLIENT_COUNTS = args.clients.split(",").map(Number);
const MODES = args.modes.split(",").filter((mode): mode is "journal" | "strict" => mode === "journal" || mode === "strict");

// ── measuring ────────────────────────────────────────────────────────────────────────────────────────

interface Figures {
  readonly count: number;
  readonly errors: number;
  readonly seconds: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly perSecond: number;
}

/** `clients` loops calling `once()` back to back for `seconds`; latencies of successful calls. */
async function drive(clients: number, seconds: number, once: (client: number, i: number) => Promise<void>): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < until; i++) {
        const t0 = performance.now();
        try {
          await once(client, i);
          latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { count: latencies.length, errors, seconds: elapsed, medianMs: pick(0.5), p95Ms: pick(0.95), p99Ms: pick(0.99), perSecond: latencies.length / elapsed };
}

async function scenario(clients: number, once: (client: number, i: number) => Promise<void>): Promise<Figures> {
  await drive(clients, WARMUP_SECONDS, once);
  return drive(clients, SECONDS, once);
}

// ── the two ways to run the statement ───────────────────────────────────────────────────────────────

async function directClients(url: string, count: number): Promise<{ once: (client: number, i: number) => Promise<void>; close: () => Promise<void> }> {
  const clients = await Promise.all(
    Array.from({ length: count }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  return {
    once: async (client, i) => {
      const result = await clients[client]!.query(SMALL_SQL, [(i % 5) + 1]);
      if (result.rows.length !== 1) throw new Error("expected one row");
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.end()));
    },
  };
}

/** Keep-alive HTTP POSTs with node:http (the lightest client node has). Resolves with the status and body. */
function post(agent: http.Agent, url: URL, token: string, body: string, session?: string): Promise<{ status: number; text: string }> {
  const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) };
  if (session) headers["x-airlock-session"] = session;
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

function get(agent: http.Agent, url: URL, token: string | null): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: "GET", headers: token ? { authorization: `Bearer ${token}` } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end();
  });
}

/** Each client is one agent session (its own X-Airlock-Session), as N agents working at once would be. */
function gatewayClient(gw: RunningGateway, token: string, clients: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const url = new URL("/v1/query", gw.url);
  const bodies = [1, 2, 3, 4, 5].map((id) => JSON.stringify({ connection: PG_CONNECTION, sql: SMALL_SQL, params: [id] }));
  return {
    once: async (client: number, i: number) => {
      const answer = await post(agent, url, token, bodies[i % 5]!, `bench-${client}`);
      if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.text.slice(0, 200)}`);
    },
    close: () => agent.destroy(),
  };
}

// ── the store's WAL flushes: every durable commit waits for one (several commits can share it) ─────────

interface WalFlushes {
  readonly flushes: number;
  /** Total flush time in ms; null unless the server runs with track_wal_io_timing = on. */
  readonly ms: number | null;
}

async function walFlushes(url: string): Promise<WalFlushes> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ flushes: string; ms: number; timed: boolean }>(
      "SELECT wal_sync::text AS flushes, wal_sync_time AS ms, current_setting('track_wal_io_timing')::boolean AS timed FROM pg_stat_wal",
    );
    return { flushes: Number(rows[0]!.flushes), ms: rows[0]!.timed ? rows[0]!.ms : null };
  } finally {
    await client.end();
  }
}

function walFlushesSince(before: WalFlushes, after: WalFlushes): { flushes: number; msEach: number | null } {
  const flushes = after.flushes - before.flushes;
  const ms = after.ms !== null && before.ms !== null && flushes > 0 ? (after.ms - before.ms) / flushes : null;
  return { flushes, msEach: ms };
}

// ── the gateway process ──────────────────────────────────────────────────────────────────────────────

/** The node process that serves: `tsx` runs the gateway in a child process of its own. */
function gatewayPid(gw: RunningGateway): number {
  const wrapper = gw.process.pid!;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === wrapper && fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("gateway/main.ts")) return Number(entry);
    } catch {
      // gone while reading
    }
  }
  return wrapper;
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

// ── where the time goes: the same pipeline in this process, each stage timed from outside ─────────────

type Timings = Map<string, number[]>;

/** Replaces `object[name]` (an async method) by a copy that notes its wall time under `label(args)`. */
function timeMethod(timings: Timings, object: object, name: string, label: (args: unknown[]) => string): void {
  const target = object as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[name]!.bind(object);
  target[name] = async (...args: unknown[]) => {
    const t0 = performance.now();
    try {
      return await original(...args);
    } finally {
      const key = label(args);
      let list = timings.get(key);
      if (!list) timings.set(key, (list = []));
      list.push(performance.now() - t0);
    }
  };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;

/**
 * The gateway's own classes on the same store and target, driven without HTTP by `clients` loops of
 * authenticate → engine.open (grant + recording session) → session.submit; the recorder's `record`, the target's
 * `execute` and the door's calls are timed (wall time, so waiting on the store counts).
 */
async function stages(fx: GatewayFixture, clients: number, seconds: number, mode: "journal" | "strict"): Promise<{ perSecond: number; timings: Timings }> {
  const store = createStore(fx.storeDb.url, { maxConnections: 10 });
  const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-bench-journal-"));
  const gateway = new Gateway({
    store,
    log: createLogger("bench", "warn"),
    masterKey: fx.masterKey,
    publicUrl: "http://localhost",
    listenUrl: fx.storeDb.url,
    maxSqlBytes: 1 << 20,
    recording: mode === "journal" ? { mode, dir: journalDir, maxBytes: 1 << 30 } : { mode },
  });
  await gateway.start();
  try {
    const timings: Timings = new Map();
    const header = `Bearer ${fx.tokens.valid}`;
    timeMethod(timings, gateway.authenticator, "authenticate", () => "authenticate");
    timeMethod(timings, gateway.engine, "open", () => "engine.open (grant + recording session)");
    timeMethod(timings, gateway.recorder, "record", (args) => `record ${String(args[1])} (${mode === "journal" ? "journal append" : "group commit"})`);
    const timed = new WeakSet<object>();
    const registry = gateway.targets;
    const target = registry.target.bind(registry);
    registry.target = (connection) => {
      const found = target(connection);
      if (!timed.has(found)) {
        timeMethod(timings, found, "execute", () => "target execute");
        timed.add(found);
      }
      return found;
    };
    let n = 0;
    const once = async () => {
      const t0 = performance.now();
      const auth = await gateway.authenticator.authenticate(header);
      if (!auth.ok) throw new Error(auth.code);
      const session = await gateway.engine.open({ agent: auth.agent, connection: PG_CONNECTION, door: "http", client: { addr: "127.0.0.1", key: (connectionId) => `bench@${auth.agent.agentId}/${connectionId}` } });
      const t1 = performance.now();
      const outcome = await session.submit(SMALL_SQL, [(n++ % 5) + 1], { waitMs: 0 });
      if (outcome.kind !== "result") throw new Error(outcome.kind);
      const t2 = performance.now();
      for (const [key, value] of [["session.submit (all of it)", t2 - t1], ["whole statement", t2 - t0]] as const) {
        let list = timings.get(key);
        if (!list) timings.set(key, (list = []));
        list.push(value);
      }
    };
    await drive(clients, WARMUP_SECONDS, once);
    timings.clear();
    const figures = await drive(clients, seconds, once);
    return { perSecond: figures.perSecond, timings };
  } finally {
    await gateway.stop();
    await store.$disconnect();
    fs.rmSync(journalDir, { recursive: true, force: true });
  }
}

/** Store round trips and a durable commit, for scale. */
async function floors(fx: GatewayFixture): Promise<{ label: string; medianMs: number }[]> {
  const out: { label: string; medianMs: number }[] = [];
  // pauseMs: idle time before each measured call, as a statement's other work leaves between two store writes.
  const sample = async (label: string, fn: () => Promise<unknown>, pauseMs = 0) => {
    for (let i = 0; i < 50; i++) await fn();
    const values: number[] = [];
    for (let i = 0; i < 300; i++) {
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const t0 = performance.now();
      await fn();
      values.push(performance.now() - t0);
    }
    out.push({ label, medianMs: median(values) });
  };
  const raw = new pg.Client({ connectionString: fx.storeDb.url });
  await raw.connect();
  const store = createStore(fx.storeDb.url, { maxConnections: 2 });
  const target = new pg.Client({ connectionString: fx.pgTarget.url });
  await target.connect();
  const recorder = new Recorder(store, { databaseUrl: fx.storeDb.url });
  try {
    await sample("store round trip, node pg (SELECT 1)", () => raw.query("SELECT 1"));
    await sample("store round trip, Prisma $queryRaw (SELECT 1)", () => store.$queryRaw`SELECT 1`);
    await sample("Prisma interactive $transaction, empty", () => store.$transaction(async () => undefined));
    await target.query("CREATE TABLE bench_commit (x int)");
    await sample("durable commit (autocommit INSERT, synchronous_commit on)", () => target.query("INSERT INTO bench_commit VALUES (1)"));
    await sample(`same, after a ${PAUSE_MS} ms pause (as in a statement's chain)`, () => target.query("INSERT INTO bench_commit VALUES (1)"), PAUSE_MS);
    // The gateway's own write-ahead write: a statement and its decision, one group commit on the store.
    const { sessionId } = await recorder.openSession({ agentId: fx.agent.id, connectionId: fx.connections[PG_CONNECTION].id, frontDoor: "http" });
    const statementAndDecision = () =>
      Promise.all([
        recorder.record(sessionId, "statement", { connection: PG_CONNECTION, params: ["number"] }, { sqlText: SMALL_SQL }),
        recorder.record(sessionId, "decision", { action: "allow", rules: ["allow-reads"] }, { decision: "allow" }),
      ]);
    await sample("recorder: statement + decision, one durable group commit", statementAndDecision);
    await sample(`same, after a ${PAUSE_MS} ms pause (as in a statement's chain)`, statementAndDecision, PAUSE_MS);
    await target.query("SET synchronous_commit = off");
    await sample("INSERT with synchronous_commit off (no WAL flush wait)", () => target.query("INSERT INTO bench_commit VALUES (1)"));
  } finally {
    await recorder.close();
    await target.end();
    await raw.end();
    await store.$disconnect();
  }
  return out;
}

// ── printing ─────────────────────────────────────────────────────────────────────────────────────────

const ms = (value: number) => `${value.toFixed(2)} ms`;
const rate = (value: number) => `${Math.round(value).toLocaleString("en-US")}/s`;

function row(label: string, figures: Figures): string {
  return `  ${label.padEnd(26)} median ${ms(figures.medianMs).padStart(9)}   p95 ${ms(figures.p95Ms).padStart(9)}   ${rate(figures.perSecond).padStart(9)}   (${figures.count} statements${figures.errors ? `, ${figures.errors} failed` : ""})`;
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const startedAt = Date.now();
  process.stdout.write(`http bench: node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
  process.stdout.write("setting up a scratch store, PostgreSQL and MariaDB targets, and the gateway process…\n");
  const fx: GatewayFixture = await createGatewayFixture("bench_http");
  let gw: RunningGateway | undefined;
  const resultLines: string[] = [];
  try {
    const token = fx.tokens.valid;
    let pid = 0;
    let results: { clients: number; direct: Figures; gateway: Figures }[] = [];
    for (const [index, mode] of MODES.entries()) {
      if (gw) await gw.stop(10_000);
      gw = await startGateway(fx, { env: { AIRLOCK_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn", AIRLOCK_RECORDING_MODE: mode }, instance: mode });
      pid = gatewayPid(gw);
      // Sanity: the statement is allowed and answered through the gateway.
      const check = await post(new http.Agent(), new URL("/v1/query", gw.url), token, JSON.stringify({ connection: PG_CONNECTION, sql: SMALL_SQL, params: [1] }));
      if (check.status !== 200) throw new Error(`the gateway refused the bench statement: ${check.status} ${check.text}`);
      process.stdout.write(`── recording mode ${mode}: gateway pid ${pid} at ${gw.url}; statement: ${SMALL_SQL}; ${WARMUP_SECONDS} s warm-up + ${SECONDS} s per scenario\n\n`);
      results = await compare(fx, gw, pid, mode);
      const single = results.find((result) => result.clients === 1);
      const sixteen = results.find((result) => result.clients === 16);
      const fixed = (value: number | undefined, digits: number) => (value === undefined || Number.isNaN(value) ? "na" : value.toFixed(digits));
      resultLines.push(
        `RESULT bench=http mode=${mode} added_p50_ms=${fixed(single && single.gateway.medianMs - single.direct.medianMs, 2)} added_p99_ms=${fixed(single && single.gateway.p99Ms - single.direct.p99Ms, 2)} c16_per_s=${fixed(sixteen?.gateway.perSecond, 0)}`,
      );
      if (index < MODES.length - 1) continue;
      await details(fx, gw, pid, token, results, MODES[0]!);
    }
    process.stdout.write("targets (journal mode):\n");
    process.stdout.write(`  ≤ ${TARGET_ADDED_MS} ms added at the median with 1 client; ≥ ${rate(TARGET_RPS_16)} with 16 clients — see the RESULT lines\n`);
    for (const line of resultLines) process.stdout.write(`${line}\n`);
    process.stdout.write(`load average now ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}; total ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`);
    process.stdout.write(`reproduce: ${COMMAND}\n`);
  } finally {
    if (gw) await gw.stop(10_000).catch(() => undefined);
    await fx.cleanup();
  }
}

/**
 * Direct against through the gateway, for each client count. One client: node's http client, latencies measured
 * here. Sixteen: wrk (C) when installed, so that the load generator does not take the cores the gateway needs.
 */
async function compare(fx: GatewayFixture, gw: RunningGateway, pid: number, mode: string): Promise<{ clients: number; direct: Figures; gateway: Figures }[]> {
  const token = fx.tokens.valid;
  const results: { clients: number; direct: Figures; gateway: Figures }[] = [];
  for (const clients of CLIENT_COUNTS) {
    const direct = await directClients(fx.pgTarget.url, clients);
    const directFigures = await scenario(clients, direct.once);
    await direct.close();
    const walBefore = await walFlushes(fx.storeDb.url);
    let gatewayFigures: Figures;
    let cpuUsed: Record<string, number>;
    let generator: string;
    if (clients > 1 && haveWrk()) {
      const bodies = [1, 2, 3, 4, 5].map((id) => JSON.stringify({ connection: PG_CONNECTION, sql: SMALL_SQL, params: [id] }));
      const options = { connections: clients, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, bodies };
      await wrkPost(new URL("/v1/query", gw.url).toString(), { ...options, seconds: WARMUP_SECONDS });
      const cpu = cpuWindow(benchGroups(pid));
      const figures = await wrkPost(new URL("/v1/query", gw.url).toString(), { ...options, seconds: SECONDS });
      cpuUsed = cpu.stop();
      if (figures.non2xx > 0 || figures.errors > 0) throw new Error(`wrk saw ${figures.non2xx} non-2xx answers and ${figures.errors} errors`);
      gatewayFigures = { count: figures.requests, errors: 0, seconds: SECONDS, medianMs: figures.p50Ms ?? NaN, p95Ms: NaN, p99Ms: figures.p99Ms ?? NaN, perSecond: figures.perSecond };
      generator = "wrk";
    } else {
      const through = gatewayClient(gw, token, clients);
      await drive(clients, WARMUP_SECONDS, through.once);
      const cpu = cpuWindow(benchGroups(pid));
      gatewayFigures = await drive(clients, SECONDS, through.once);
      cpuUsed = cpu.stop();
      through.close();
      generator = "node http";
    }
    const wal = walFlushesSince(walBefore, await walFlushes(fx.storeDb.url));
    results.push({ clients, direct: directFigures, gateway: gatewayFigures });
    process.stdout.write(`${clients} client${clients === 1 ? "" : "s"} (${mode} mode):\n`);
    process.stdout.write(`${row("direct (node pg)", directFigures)}\n`);
    process.stdout.write(`${row(`gateway (${generator})`, gatewayFigures)}\n`);
    process.stdout.write(`  CPU while the gateway ran: ${formatCpu(cpuUsed)}\n`);
    process.stdout.write(
      `  store WAL flushes (server-wide) while the gateway ran: ${wal.flushes.toLocaleString("en-US")}, ` +
        `${(gatewayFigures.count / Math.max(1, wal.flushes)).toFixed(1)} statements a flush` +
        (wal.msEach === null ? " (flush times need track_wal_io_timing = on)\n" : `, ${ms(wal.msEach)} a flush\n`),
    );
    process.stdout.write(
      `  added at the median ${ms(gatewayFigures.medianMs - directFigures.medianMs)}, at p99 ${ms(gatewayFigures.p99Ms - directFigures.p99Ms)}, ` +
        `throughput ×${(gatewayFigures.perSecond / directFigures.perSecond).toFixed(2)}\n\n`,
    );
  }
  return results;
}

/** The breakdown, the 1M-row SELECT and the in-process stages, once (on the last mode's gateway). */
async function details(fx: GatewayFixture, gw: RunningGateway, pid: number, token: string, results: { clients: number; direct: Figures; gateway: Figures }[], stagesMode: "journal" | "strict"): Promise<void> {
    // Where the time goes, from outside the process: the HTTP floor, then authentication with one store query.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const health = await scenario(1, async () => {
      const answer = await get(agent, new URL("/healthz", gw!.url), null);
      if (answer.status !== 200) throw new Error(String(answer.status));
    });
    const connections = await scenario(1, async () => {
      const answer = await get(agent, new URL("/v1/connections", gw!.url), token);
      if (answer.status !== 200) throw new Error(String(answer.status));
    });
    agent.destroy();
    process.stdout.write("breakdown, 1 client (same process, same keep-alive connection):\n");
    process.stdout.write(`${row("GET /healthz", health)}\n`);
    process.stdout.write(`${row("GET /v1/connections", connections)}   (token check, cached ≤ 500 ms, + 1 store query)\n`);
    const one = results.find((result) => result.clients === 1);
    if (one) process.stdout.write(`${row("POST /v1/query", one.gateway)}\n`);
    process.stdout.write("\n");

    // One million rows asked for; the connection's row limit (fixture: 1000) cuts the answer, the rest is never read.
    const rowLimit = (await fx.store.connection.findFirstOrThrow({ where: { name: PG_CONNECTION }, select: { rowLimit: true } })).rowLimit;
    const bigAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const bigUrl = new URL("/v1/query", gw.url);
    const bigBody = JSON.stringify({ connection: PG_CONNECTION, sql: BIG_SQL });
    const rssBefore = rssMiB(pid);
    process.stdout.write(`1,000,000-row SELECT through the gateway (${BIG_SQL}; connection row limit ${rowLimit}):\n`);
    for (let run = 1; run <= 3; run++) {
      let peak = rssMiB(pid);
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 10);
      const t0 = performance.now();
      const answer = await post(bigAgent, bigUrl, token, bigBody);
      const elapsed = performance.now() - t0;
      clearInterval(sampler);
      peak = Math.max(peak, rssMiB(pid));
      if (answer.status !== 200) throw new Error(`the 1M-row SELECT failed: ${answer.status} ${answer.text.slice(0, 300)}`);
      const body = JSON.parse(answer.text) as { rowCount: number; truncated: boolean; rows: unknown[] };
      process.stdout.write(
        `  run ${run}: answered in ${ms(elapsed)}, ${body.rows.length} rows returned, truncated ${body.truncated}, ` +
          `${(answer.text.length / 1024).toFixed(0)} KiB body; gateway RSS peak ${peak.toFixed(1)} MiB, after ${rssMiB(pid).toFixed(1)} MiB\n`,
      );
    }
    bigAgent.destroy();
    const directBig = await (async () => {
      const client = new pg.Client({ connectionString: fx.pgTarget.url });
      await client.connect();
      try {
        const t0 = performance.now();
        await client.query(`${BIG_SQL} LIMIT ${rowLimit + 1}`);
        return performance.now() - t0;
      } finally {
        await client.end();
      }
    })();
    process.stdout.write(`  gateway RSS before ${rssBefore.toFixed(1)} MiB, after ${rssMiB(pid).toFixed(1)} MiB; for scale, direct node pg with LIMIT ${rowLimit + 1}: ${ms(directBig)}\n\n`);

    process.stdout.write("where the time goes: the gateway's classes in this process (no HTTP), same store and target, stage wall times:\n");
    const staged = [] as { clients: number; perSecond: number; timings: Timings }[];
    for (const clients of CLIENT_COUNTS) staged.push({ clients, ...(await stages(fx, clients, SECONDS, stagesMode)) });
    const keys = [...new Set(staged.flatMap((run) => [...run.timings.keys()]))];
    process.stdout.write(`  ${"stage (median ms)".padEnd(34)}${staged.map((run) => `${run.clients} client${run.clients === 1 ? "" : "s"}`.padStart(12)).join("")}\n`);
    for (const key of keys) {
      process.stdout.write(`  ${key.padEnd(34)}${staged.map((run) => median(run.timings.get(key) ?? []).toFixed(2).padStart(12)).join("")}\n`);
    }
    process.stdout.write(`  ${"statements/s".padEnd(34)}${staged.map((run) => Math.round(run.perSecond).toLocaleString("en-US").padStart(12)).join("")}\n`);
    for (const floor of await floors(fx)) process.stdout.write(`  ${floor.label.padEnd(58)} ${ms(floor.medianMs).padStart(9)}\n`);
    process.stdout.write("\n");

}


main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`http bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
