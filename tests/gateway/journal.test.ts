import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyChains } from "../../lib/audit/verify";
import { DEFAULT_POLICY_ID, validatePolicy } from "../../lib/policy";
import { decodeFrame } from "../../gateway/recorder/journal/frame";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";
import {
  createGatewayFixture,
  journalRoot,
  PG_CONNECTION,
  query,
  request,
  startGateway,
  targetQuery,
  type GatewayFixture,
  type RunningGateway,
} from "./support";

// Journal mode's promises, against a real store that goes away: the store sits behind a TCP relay the test takes
// down (connections cut, new ones refused) while the PostgreSQL server itself — which the targets share — stays up.
//   - store down for 30 s under load: statements that need no approval keep running and are journaled; one that
//     needs approval says approvals are unavailable; /readyz and /metrics show the backlog; when the store is back
//     the backlog ships and every chain verifies;
//   - a full journal refuses with recording_unavailable (and records the refusal); nothing runs unrecorded;
//   - an unwritable journal directory refuses every statement; a second process on one journal does not start;
//   - a record corrupted in the middle of a segment is cut out, reported, and the sessions after it are marked.

const OUTAGE_MS = 30_000;

let fx: GatewayFixture;
let proxy: TcpProxy;
const running = new Set<RunningGateway>();

function proxiedStoreUrl(): string {
  const url = new URL(fx.storeDb.url);
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  return url.toString();
}

async function start(instance: string, env: Record<string, string> = {}): Promise<RunningGateway> {
  const gw = await startGateway(fx, { env: { AIRLOCK_LOG_LEVEL: "warn", DATABASE_URL: proxiedStoreUrl(), ...env }, instance });
  running.add(gw);
  return gw;
}

async function stop(gw: RunningGateway, how: "stop" | "kill" = "stop"): Promise<void> {
  running.delete(gw);
  await (how === "kill" ? gw.kill() : gw.stop());
}

const insert = (gw: RunningGateway, tag: string) => query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: `INSERT INTO marks(tag) VALUES ('${tag}')` });

async function tagsInTarget(prefix: string): Promise<Set<string>> {
  const rows = await targetQuery<{ tag: string }>(fx, PG_CONNECTION, "SELECT tag FROM marks WHERE tag LIKE $1", [`${prefix}%`]);
  return new Set(rows.map((row) => row.tag));
}

async function tagsRecorded(prefix: string): Promise<string[]> {
  const events = await fx.store.sessionEvent.findMany({ where: { type: "statement", sqlText: { contains: prefix } }, select: { sqlText: true } });
  const pattern = new RegExp(`'(${prefix}[0-9a-z-]*)'`);
  return events.map((event) => pattern.exec(event.sqlText ?? "")?.[1]).filter((tag): tag is string => tag !== undefined);
}

async function readyz(gw: RunningGateway) {
  const answer = await request<{ status: string; store?: string; recording: { mode: string; journal?: { state: string; backlogRecords?: number }; shipping?: string } }>(`${gw.url}/readyz`, { method: "GET" });
  return answer;
}

function rssMb(gw: RunningGateway): number {
  const status = fs.readFileSync(`/proc/${gw.process.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Inserts into `marks` run at once (the default policy would send writes for approval); the shop policy stays. */
async function allowMarkInserts(): Promise<void> {
  const parsed = validatePolicy({
    version: 1,
    id: "journal-marks",
    name: "Journal test: inserts into marks",
    rules: [{ id: "allow-mark-inserts", name: "Inserts into marks", scope: { connections: [PG_CONNECTION] }, match: { kinds: ["insert"], tables: ["marks"], tableAccess: "write" }, action: { type: "allow" } }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  for (const row of await fx.store.policy.findMany({ select: { id: true, document: true } })) {
    if ((row.document as { id?: string } | null)?.id === DEFAULT_POLICY_ID) await fx.store.policy.update({ where: { id: row.id }, data: { enabled: false } });
  }
  const document = JSON.parse(JSON.stringify(parsed.policy)) as object;
  await fx.store.policy.create({ data: { name: parsed.policy.name, priority: 30, document, revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id, comment: "journal test" } } } });
}

beforeAll(async () => {
  fx = await createGatewayFixture("journal");
  const store = new URL(fx.storeDb.url);
  proxy = await startTcpProxy({ host: store.hostname, port: Number(store.port || 5432) });
  await targetQuery(fx, PG_CONNECTION, "CREATE TABLE marks (id bigserial PRIMARY KEY, tag text NOT NULL UNIQUE)");
  await allowMarkInserts();
});

// A test that failed while the store was down must not leave it down for the next one.
afterEach(async () => {
  await proxy?.up();
});

afterAll(async () => {
  await Promise.allSettled([...running].map((gw) => gw.kill()));
  await proxy?.up().catch(() => undefined);
  await proxy?.close();
  await fx?.cleanup();
});

describe("journal mode: the store goes away", () => {
  it(
    `keeps serving for ${OUTAGE_MS / 1000} s without the store, ships the backlog when it is back, and every chain verifies`,
    async () => {
      const gw = await start("outage");
      const prefix = `o${randomBytes(3).toString("hex")}-`;
      expect((await insert(gw, `${prefix}warm`)).status).toBe(200);
      const ready = await readyz(gw);
      expect(ready.status, ready.text).toBe(200);
      expect(ready.body.recording.mode).toBe("journal");

      await proxy.down();
      const rssBefore = rssMb(gw);
      const statuses = new Map<number, number>();
      const answered: string[] = [];
      let counter = 0;
      let rssPeak = rssBefore;
      const until = Date.now() + OUTAGE_MS;
      const client = async (index: number) => {
        while (Date.now() < until) {
          const tag = `${prefix}${index}-${counter++}`;
          const answer = await insert(gw, tag);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer.status === 200) answered.push(tag);
          const read = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: "SELECT name, email FROM customers WHERE id = $1", params: [(counter % 5) + 1] });
          statuses.set(read.status, (statuses.get(read.status) ?? 0) + 1);
          rssPeak = Math.max(rssPeak, rssMb(gw));
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, index) => client(index)));

      // Meanwhile: what needs approval says approvals are unavailable; health shows the backlog.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const update = await query(gw.url, fx.tokens.valid, { connection: PG_CONNECTION, sql: `UPDATE customers SET name = name WHERE id = 1` });
      expect(update.status, update.text).toBe(503);
      expect(update.body.code).toBe("approvals_unavailable");
      expect(update.body.detail ?? update.body.title).toMatch(/approval/i);
      const during = await readyz(gw);
      expect(during.status, during.text).toBe(200);
      expect(during.body.store).toBe("unreachable");
      expect(during.body.recording.shipping).toBe("store_unavailable");
      expect(during.body.recording.journal?.backlogRecords).toBeGreaterThan(0);
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(Number(/^airlock_journal_backlog_records (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect(metrics).toMatch(/^airlock_journal_store_up 0$/m);

      await load;
      console.info(`journal outage: ${answered.length} inserts answered in ${OUTAGE_MS / 1000} s without the store; statuses ${JSON.stringify(Object.fromEntries(statuses))}; RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} MB`);
      expect(Object.fromEntries(statuses), "every statement answered while the store was down").toEqual({ 200: expect.any(Number) });
      expect(answered.length).toBeGreaterThan(100);
      // The backlog is on disk, not in memory: the process does not grow with it (heap snapshots taken 15 s apart
      // in an outage were the same size; RSS moves with the allocator, so the bound is generous).
      expect(rssPeak - rssBefore).toBeLessThan(300);

      await proxy.up();
      await gw.recorded(30_000);
      const inTarget = await tagsInTarget(prefix);
      const recorded = await tagsRecorded(prefix);
      expect([...inTarget].filter((tag) => !recorded.includes(tag)), "rows without a recorded statement").toEqual([]);
      expect(recorded.length - new Set(recorded).size, "statements stored twice").toBe(0);
      for (const tag of answered) expect(inTarget.has(tag)).toBe(true);
      const report = await verifyChains(fx.store);
      expect(report.broken).toEqual([]);
      expect((await readyz(gw)).body.recording.shipping).toBe("ok");
      // The refused approval is recorded as such.
      expect(await fx.store.sessionEvent.count({ where: { type: "error", payload: { path: ["code"], equals: "approvals_unavailable" } } })).toBeGreaterThanOrEqual(1);
      await stop(gw);
    },
    OUTAGE_MS + 90_000,
  );

  it("refuses with recording_unavailable when the journal is full, runs nothing unrecorded, and recovers", async () => {
    const gw = await start("full", { AIRLOCK_JOURNAL_MAX_BYTES: "65536" });
    const prefix = `f${randomBytes(3).toString("hex")}-`;
    expect((await insert(gw, `${prefix}warm`)).status).toBe(200);
    await gw.recorded();
    await proxy.down();
    let refused: string | undefined;
    let accepted = 0;
    for (let i = 0; i < 2_000 && !refused; i++) {
      const tag = `${prefix}${i}`;
      const answer = await insert(gw, tag);
      if (answer.status === 200) accepted++;
      else {
        expect(answer.status, answer.text).toBe(503);
        expect(answer.body.code).toBe("recording_unavailable");
        refused = tag;
      }
    }
    expect(refused, "the journal filled up").toBeDefined();
    expect(accepted).toBeGreaterThan(5);
    expect((await readyz(gw)).body.recording.journal?.state).toBe("full");
    // Refused means not run.
    expect((await tagsInTarget(refused!)).has(refused!)).toBe(false);
    const again = await insert(gw, `${prefix}again`);
    expect(again.status).toBe(503);

    await proxy.up();
    await gw.recorded(30_000);
    const after = await insert(gw, `${prefix}after`);
    expect(after.status, after.text).toBe(200);
    await gw.recorded();
    // The refusal itself was recorded (in the space the journal keeps for it), with the refused text.
    const refusals = await fx.store.sessionEvent.findMany({ where: { type: "error", sqlText: { contains: prefix } }, select: { payload: true, sqlText: true } });
    expect(refusals.some((event) => (event.payload as { reason?: string }).reason === "journal_full" && event.sqlText?.includes(refused!))).toBe(true);
    const inTarget = await tagsInTarget(prefix);
    const recorded = new Set(await tagsRecorded(prefix));
    expect([...inTarget].filter((tag) => !recorded.has(tag))).toEqual([]);
    expect((await verifyChains(fx.store)).broken).toEqual([]);
    await stop(gw);
  }, 120_000);
});

describe("journal mode: the journal itself", () => {
  it("an unwritable journal directory refuses every statement, and says why on /readyz", async () => {
    const blocker = path.join(journalRoot(fx.storeDb.name), "a-file");
    fs.mkdirSync(path.dirname(blocker), { recursive: true });
    fs.writeFileSync(blocker, "not a directory");
    const gw = await start("unwritable", { AIRLOCK_JOURNAL_DIR: path.join(blocker, "journal") });
    const tag = `u${randomBytes(3).toString("hex")}`;
    const answer = await insert(gw, tag);
    expect(answer.status, answer.text).toBe(503);
    expect(answer.body.code).toBe("recording_unavailable");
    expect((await tagsInTarget(tag)).size).toBe(0);
    const ready = await readyz(gw);
    expect(ready.status).toBe(503);
    expect(ready.body.recording.journal?.state).toBe("unavailable");
    await stop(gw);
  }, 60_000);

  it("a second process on the same journal refuses to start; the first serves on", async () => {
    const first = await start("shared");
    await expect(start("shared")).rejects.toThrow(/journal.*held by another process/);
    expect((await insert(first, `s${randomBytes(3).toString("hex")}`)).status).toBe(200);
    await stop(first);
  }, 60_000);

  it("a record corrupted in the middle of a segment is cut out and reported; the sessions after it are marked", async () => {
    const prefix = `c${randomBytes(3).toString("hex")}-`;
    let gw = await start("corrupt");
    expect((await insert(gw, `${prefix}warm`)).status).toBe(200);
    await gw.recorded();
    await proxy.down();
    for (let i = 0; i < 20; i++) expect((await insert(gw, `${prefix}${i}`)).status).toBe(200);
    await stop(gw, "kill");

    // Flip a byte in the body of a frame in the middle of the newest segment (a record the store never got).
    const dir = path.join(journalRoot(fx.storeDb.name), "corrupt");
    const segment = path.join(dir, fs.readdirSync(dir).filter((name) => name.endsWith(".seg")).sort().at(-1)!);
    const bytes = fs.readFileSync(segment);
    const frames: number[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const decoded = decodeFrame(bytes, offset);
      if (decoded.kind !== "frame") break;
      frames.push(offset);
      offset = decoded.end;
    }
    expect(frames.length).toBeGreaterThan(30);
    const victim = frames[Math.floor(frames.length / 2)]!;
    bytes[victim + 20] ^= 0xff;
    fs.writeFileSync(segment, bytes);

    await proxy.up();
    gw = await start("corrupt");
    await gw.recorded(30_000);
    expect(gw.output()).toContain("journal.corrupt");
    const gaps = await fx.store.sessionEvent.findMany({ where: { type: "error", payload: { path: ["code"], equals: "recording_gap" } }, select: { payload: true } });
    expect(gaps.length).toBeGreaterThanOrEqual(1);
    // Everything but the cut record arrived; every chain verifies (the gap is marked, not hidden).
    const recorded = new Set(await tagsRecorded(prefix));
    expect(recorded.size).toBeGreaterThanOrEqual(19);
    expect(recorded.has(`${prefix}19`)).toBe(true);
    expect((await verifyChains(fx.store)).broken).toEqual([]);
    expect(fs.readdirSync(dir).some((name) => name.includes(".corrupt-"))).toBe(true);
    await stop(gw);
  }, 120_000);
});
