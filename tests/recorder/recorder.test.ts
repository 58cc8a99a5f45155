import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH } from "../../lib/audit/chain";
import { verifyChains } from "../../lib/audit/verify";
import { createLogger } from "../../lib/log";
import { Recorder, RecorderError, TRUNCATED_KEY, type RecorderOptions } from "../../gateway/recorder";
import type { Store } from "../../lib/store/client";
import pg from "pg";
import { recorderDatabase, type RecorderDatabase } from "./fixtures";

// The recorder against a real, migrated PostgreSQL: group commit, durability, chain integrity, two writers.

let t: RecorderDatabase;
let agentId: string;
const logLines: Record<string, unknown>[] = [];
const log = createLogger("recorder-test", "debug", (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>));

beforeAll(async () => {
  t = await recorderDatabase("recorder");
  agentId = await t.makeAgent();
}, 120_000);

afterAll(async () => {
  await t?.close();
});

async function seqs(sessionId: string): Promise<number[]> {
  const rows = await t.store.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: "asc" }, select: { seq: true } });
  return rows.map((row) => row.seq);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

// Sessions and group commit hold for both writers: over raw pg (what the gateway uses) and through Prisma.
const writers = [
  ["over pg", (): RecorderOptions => ({ pool: t.pool })],
  ["through Prisma", (): RecorderOptions => ({})],
] as const;

describe.each(writers)("sessions %s", (_, writer) => {
  it("opens a session with its connect event at seq 1, chained to the genesis hash", async () => {
    const recorder = new Recorder(t.store, writer());
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "pgwire", clientAddr: "10.0.0.9", details: { application: "psql" } });
    const session = await t.store.agentSession.findUniqueOrThrow({ where: { id: sessionId }, include: { events: true } });
    expect(session.eventCount).toBe(1);
    expect(session.events).toHaveLength(1);
    const [connect] = session.events;
    expect(connect).toMatchObject({ seq: 1, type: "connect", prevHash: GENESIS_HASH, payload: { application: "psql", clientAddr: "10.0.0.9", frontDoor: "pgwire", connectionId: null } });
    expect(session.headHash).toBe(connect.hash);
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([]);
  });

  it("closes a session: disconnect event, endedAt, nothing appended afterwards, closing twice is harmless", async () => {
    const recorder = new Recorder(t.store, writer());
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "mysqlwire" });
    await recorder.record(sessionId, "statement", { text: "SELECT 1" }, { sqlText: "SELECT 1" });
    await recorder.closeSession(sessionId, "client_quit");
    const session = await t.store.agentSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session.endedAt).toBeInstanceOf(Date);
    expect(session.eventCount).toBe(3);
    const last = await t.store.sessionEvent.findFirstOrThrow({ where: { sessionId, seq: 3 } });
    expect(last).toMatchObject({ type: "disconnect", payload: { reason: "client_quit" } });
    await expect(recorder.record(sessionId, "statement", {})).rejects.toMatchObject({ code: "session_closed" });
    await recorder.closeSession(sessionId);
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([]);
  });

  it("findOrOpenSession reuses a live session of the same key, even when asked concurrently", async () => {
    const recorder = new Recorder(t.store, writer());
    const input = { agentId, connectionId: null, frontDoor: "http" as const, clientKey: `key-${randomUUID()}` };
    const opened = await Promise.all(range(8).map(() => recorder.findOrOpenSession(input)));
    const ids = new Set(opened.map((o) => o.sessionId));
    expect(ids.size).toBe(1);
    expect(opened.filter((o) => !o.reused)).toHaveLength(1);

    const [sessionId] = ids;
    const other = await recorder.findOrOpenSession({ ...input, clientKey: `key-${randomUUID()}` });
    expect(other.sessionId).not.toBe(sessionId);
    const mcp = await recorder.findOrOpenSession({ ...input, frontDoor: "mcp" });
    expect(mcp.sessionId).not.toBe(sessionId);

    // Started more than an hour ago: a new one.
    await t.store.agentSession.update({ where: { id: sessionId }, data: { startedAt: new Date(Date.now() - 61 * 60_000) } });
    const fresh = await recorder.findOrOpenSession(input);
    expect(fresh).toMatchObject({ reused: false });
    expect(fresh.sessionId).not.toBe(sessionId);

    // Ended: a new one.
    await recorder.closeSession(fresh.sessionId);
    const again = await recorder.findOrOpenSession(input);
    expect(again.sessionId).not.toBe(fresh.sessionId);
  });

  it("refuses an unknown agent as an invalid event, not as a store failure", async () => {
    const recorder = new Recorder(t.store, writer());
    await expect(recorder.openSession({ agentId: randomUUID(), connectionId: null, frontDoor: "http" })).rejects.toMatchObject({ code: "invalid_event" });
    await expect(recorder.openSession({ agentId: "not-a-uuid", connectionId: null, frontDoor: "http" })).rejects.toMatchObject({ code: "invalid_event" });
  });
});

describe.each(writers)("group commit %s", (_, writer) => {
  /** A recorder with this writer; `pool` stands for a second process's own connections when writing over pg. */
  const recorderOn = (store: Store, options: RecorderOptions = {}, pool?: pg.Pool) =>
    new Recorder(store, { ...writer(), ...(pool && writer().pool ? { pool } : {}), ...options });

  it("500 concurrent records across 20 sessions: contiguous seqs, a chain that verifies, far fewer transactions", async () => {
    const recorder = recorderOn(t.store, { log });
    const sessions = await Promise.all(range(20).map(() => recorder.openSession({ agentId, connectionId: null, frontDoor: "http" })));
    const before = logLines.filter((line) => line.event === "recorder.batch").length;
    const results = await Promise.all(
      range(500).map((i) =>
        recorder.record(sessions[i % 20].sessionId, i % 2 ? "statement" : "result", { i, rows: [{ id: i, email: "a***@example.com" }] }, { sqlText: `SELECT ${i}`, decision: "allow" }),
      ),
    );
    const batches = logLines.filter((line) => line.event === "recorder.batch").length - before;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(50);

    for (const { sessionId } of sessions) {
      expect(await seqs(sessionId)).toEqual(range(26));
      const head = await t.store.agentSession.findUniqueOrThrow({ where: { id: sessionId } });
      expect(head.eventCount).toBe(26);
    }
    // Arrival order is seq order within a session.
    const first = results.filter((_, i) => (i + 1) % 20 === 1).map((r) => r.seq);
    expect(first).toEqual(range(25).map((n) => n + 1));
    expect(new Set(results.map((r) => r.eventId)).size).toBe(500);

    for (const { sessionId } of sessions) expect(await verifyChains(t.store, { sessionId })).toMatchObject({ sessions: 1, events: 26, broken: [] });
  });

  it("splits a batch by maxBatch and maxBatchBytes, keeping arrival order", async () => {
    const batchLog: Record<string, unknown>[] = [];
    const quiet = createLogger("recorder-test", "debug", (line) => void batchLog.push(JSON.parse(line) as Record<string, unknown>));
    const recorder = recorderOn(t.store, { log: quiet, maxBatch: 7, maxBatchBytes: 4000 });
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "http" });
    const results = await Promise.all([
      ...range(20).map((i) => recorder.record(sessionId, "statement", { i })),
      ...range(4).map((i) => recorder.record(sessionId, "result", { i, blob: "x".repeat(1500) })),
    ]);
    expect(results.map((r) => r.seq)).toEqual(range(24).map((n) => n + 1));
    const sizes = batchLog.filter((line) => line.event === "recorder.batch").map((line) => line.events as number);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(24);
    expect(sizes.at(-1)).toBeLessThanOrEqual(2); // two 1.5 KB payloads fill a 4 KB batch
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([]);
  });

  it("resolves only after commit: each event is visible to another connection the moment its record resolves", async () => {
    const recorder = recorderOn(t.store, { flushIntervalMs: 5 });
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "pgwire" });
    // Its own pool, outside Prisma: what it sees is what PostgreSQL has committed.
    const reader = new pg.Pool({ connectionString: t.db.url, max: 4 });
    try {
      const client = reader;
      const seen = await Promise.all(
        range(40).map(async (i) => {
          const { eventId, seq, hash } = await recorder.record(sessionId, "statement", { i });
          const { rows } = await client.query<{ seq: number; hash: string }>(`SELECT seq, hash FROM "SessionEvent" WHERE id = $1`, [eventId]);
          return rows[0]?.seq === seq && rows[0]?.hash === hash;
        }),
      );
      expect(seen.every(Boolean)).toBe(true);
    } finally {
      await reader.end();
    }
  });

  it("an event for an unknown or ended session fails alone; the rest of its batch commits", async () => {
    const recorder = recorderOn(t.store);
    const live = await recorder.openSession({ agentId, connectionId: null, frontDoor: "http" });
    const ended = await recorder.openSession({ agentId, connectionId: null, frontDoor: "http" });
    await recorder.closeSession(ended.sessionId);
    const outcomes = await Promise.allSettled([
      recorder.record(live.sessionId, "statement", { n: 1 }),
      recorder.record(randomUUID(), "statement", { n: 2 }),
      recorder.record(ended.sessionId, "statement", { n: 3 }),
      recorder.record("nope", "statement", { n: 4 }),
      recorder.record(live.sessionId, "statement", { n: 5 }),
    ]);
    expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value.seq : (o.reason as RecorderError).code))).toEqual([2, "session_not_found", "session_closed", "session_not_found", 3]);
    expect((await verifyChains(t.store, { sessionId: live.sessionId })).broken).toEqual([]);
  });

  it("a disconnect in the middle of a batch ends the session for the events behind it", async () => {
    const recorder = recorderOn(t.store);
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "pgwire" });
    const outcomes = await Promise.allSettled([
      recorder.record(sessionId, "statement", {}),
      recorder.record(sessionId, "disconnect", {}),
      recorder.record(sessionId, "statement", {}),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
    expect(await seqs(sessionId)).toEqual([1, 2, 3]);
    expect((await t.store.agentSession.findUniqueOrThrow({ where: { id: sessionId } })).endedAt).not.toBeNull();
  });

  it("two recorders on two stores (two gateway processes) appending to one session keep one chain", async () => {
    const storeA = t.newStore(4);
    const storeB = t.newStore(4);
    const a = recorderOn(storeA, {}, t.newPool(4));
    const b = recorderOn(storeB, { flushIntervalMs: 1 }, t.newPool(4));
    const { sessionId } = await a.openSession({ agentId, connectionId: null, frontDoor: "mcp" });
    const others = await Promise.all(range(3).map(() => b.openSession({ agentId, connectionId: null, frontDoor: "mcp" })));
    // Each writer also touches other sessions, in different orders, so their batches lock several rows.
    await Promise.all(
      range(300).map((i) => {
        const recorder = i % 2 ? a : b;
        const target = i % 3 === 0 ? others[i % others.length].sessionId : sessionId;
        return recorder.record(target, "statement", { i, writer: i % 2 ? "a" : "b" });
      }),
    );
    const count = await t.store.sessionEvent.count({ where: { sessionId } });
    expect(await seqs(sessionId)).toEqual(range(count));
    const report = await verifyChains(t.store, { sessionId });
    expect(report.broken).toEqual([]);
    for (const other of others) expect((await verifyChains(t.store, { sessionId: other.sessionId })).broken).toEqual([]);
  });

  it("makes payloads storable: BigInt, Date, NUL and lone surrogates; caps the size with a marker", async () => {
    const recorder = recorderOn(t.store, { maxPayloadBytes: 4096, log });
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "http" });
    await recorder.record(sessionId, "result", { big: 2n ** 70n, at: new Date("2026-01-01T00:00:00Z"), text: "a\u0000b\uD800c", undef: undefined }, { sqlText: "SELECT '\u0000'" });
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `n***${i}` }));
    await recorder.record(sessionId, "result", { rowCount: 500, columns: ["id", "name"], rows });
    const events = await t.store.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: "asc" } });
    expect(events[1].payload).toEqual({ big: "1180591620717411303424", at: "2026-01-01T00:00:00.000Z", text: "a\uFFFDb\uFFFDc" });
    expect(events[1].sqlText).toBe("SELECT '\uFFFD'");
    const capped = events[2].payload as Record<string, unknown>;
    expect(capped.rowCount).toBe(500);
    expect(capped.columns).toEqual(["id", "name"]);
    expect((capped.rows as unknown[]).length).toBeGreaterThan(10);
    expect((capped.rows as unknown[]).length).toBeLessThan(500);
    expect(capped[TRUNCATED_KEY]).toMatchObject({ limit: 4096, fields: { rows: { of: 500 } } });
    expect(JSON.stringify(capped).length).toBeLessThanOrEqual(4096);
    expect(logLines.some((line) => line.event === "recorder.payload_truncated" && line.sessionId === sessionId)).toBe(true);
    expect((await verifyChains(t.store, { sessionId })).broken).toEqual([]);
  });

  it("payload values come back out of JSONB with the same hash: tricky numbers, keys and text", async () => {
    const recorder = recorderOn(t.store);
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "pgwire" });
    const payload = {
      numbers: [0, -0, 0.1, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 9007199254740993, -123.456e10],
      keys: JSON.parse('{"__proto__":{"p":1},"":"empty","b":1,"a":2,"é":3,"😀":4}') as unknown,
      text: ["\\u0000 literal", "tab\there", "quote\"s", "\u2028\u2029", "emoji 😀 and 中文"],
      nested: { deep: { deeper: [[[]], {}, [null, true, false]] } },
    };
    await recorder.record(sessionId, "result", payload);
    const report = await verifyChains(t.store, { sessionId });
    expect(report).toMatchObject({ events: 2, broken: [] });
  });

  it("flush() and close() drain what is pending; a closed recorder refuses new events", async () => {
    const recorder = recorderOn(t.store, { flushIntervalMs: 10_000 });
    const { sessionId } = await recorder.openSession({ agentId, connectionId: null, frontDoor: "http" });
    const pending = range(5).map((i) => recorder.record(sessionId, "statement", { i }));
    expect(recorder.pending).toBe(5);
    await recorder.flush();
    expect(recorder.pending).toBe(0);
    expect((await Promise.all(pending)).map((r) => r.seq)).toEqual([2, 3, 4, 5, 6]);
    const late = recorder.record(sessionId, "statement", {});
    await recorder.close();
    await expect(late).resolves.toMatchObject({ seq: 7 });
    await expect(recorder.record(sessionId, "statement", {})).rejects.toMatchObject({ code: "recorder_closed" });
    await expect(recorder.openSession({ agentId, connectionId: null, frontDoor: "http" })).rejects.toMatchObject({ code: "recorder_closed" });
  });
});

describe("store unavailable", () => {
  it("rejects quickly with store_unavailable when nothing listens on the store's port", async () => {
    const { createStore } = await import("../../lib/store/client");
    const dead = createStore("postgresql://postgres@127.0.0.1:1/nowhere");
    try {
      const recorder = new Recorder(dead, { timeoutMs: 5000 });
      const started = Date.now();
      const outcomes = await Promise.allSettled(range(3).map(() => recorder.record(randomUUID(), "statement", { secret: "s3cret-value" })));
      expect(Date.now() - started).toBeLessThan(3000);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe("rejected");
        const error = (outcome as PromiseRejectedResult).reason as RecorderError;
        expect(error).toBeInstanceOf(RecorderError);
        expect(error.code).toBe("store_unavailable");
        expect(`${error.message} ${JSON.stringify(error)}`).not.toContain("s3cret");
      }
      await expect(recorder.openSession({ agentId, connectionId: null, frontDoor: "http" })).rejects.toMatchObject({ code: "store_unavailable" });
    } finally {
      await dead.$disconnect();
    }
  });

  it("rejects with store_unavailable once its database is dropped under it, failing the whole batch", async () => {
    const other = await recorderDatabase("recorder_down");
    try {
      const recorder = new Recorder(other.store, { timeoutMs: 5000 });
      const { sessionId } = await recorder.openSession({ agentId: await other.makeAgent(), connectionId: null, frontDoor: "pgwire" });
      await recorder.record(sessionId, "statement", {});
      await other.db.drop();
      const started = Date.now();
      const outcomes = await Promise.allSettled(range(4).map((i) => recorder.record(sessionId, "statement", { i })));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(outcomes.map((o) => o.status === "rejected" && (o.reason as RecorderError).code)).toEqual(Array(4).fill("store_unavailable"));
    } finally {
      await other.close();
    }
  });

  it("rejects with store_unavailable when the store does not answer within timeoutMs", async () => {
    // A listener that accepts connections and never answers.
    const net = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    const server = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as import("node:net").AddressInfo).port;
    const { createStore } = await import("../../lib/store/client");
    const silent = createStore(`postgresql://postgres@127.0.0.1:${port}/silent`);
    try {
      const recorder = new Recorder(silent, { timeoutMs: 300 });
      const started = Date.now();
      await expect(recorder.record(randomUUID(), "statement", {})).rejects.toMatchObject({ code: "store_unavailable" });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
      await silent.$disconnect().catch(() => undefined);
    }
  });
});

describe("writing over pg", () => {
  it("pipelines batches over disjoint sessions: 8 clients back to back overlap, each session one contiguous chain", async () => {
    const recorder = new Recorder(t.store, { pool: t.pool, log });
    const sessions = await Promise.all(range(8).map(() => recorder.openSession({ agentId, connectionId: null, frontDoor: "pgwire" })));
    const before = logLines.length;
    // Like 8 wire clients: each records its next statement once the last one committed, plus a lazy result.
    await Promise.all(
      sessions.map(async ({ sessionId }, client) => {
        for (let i = 0; i < 30; i++) {
          await recorder.record(sessionId, "statement", { client, i }, { sqlText: `SELECT ${client}, ${i}` });
          void recorder.record(sessionId, "result", { client, i }, { lazy: true });
          await new Promise((resolve) => setTimeout(resolve, (client + i) % 3)); // clients out of step, as real ones are
        }
      }),
    );
    await recorder.flush();
    for (const { sessionId } of sessions) {
      const events = await t.store.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: "asc" }, select: { seq: true, type: true, payload: true } });
      expect(events.map((event) => event.seq)).toEqual(range(61));
      // Arrival order within the session: statement i, then its result, then statement i + 1.
      expect(events.slice(1).map((event) => `${event.type}${(event.payload as { i: number }).i}`)).toEqual(range(30).flatMap((n) => [`statement${n - 1}`, `result${n - 1}`]));
      expect(await verifyChains(t.store, { sessionId })).toMatchObject({ sessions: 1, events: 61, broken: [] });
    }
    const batches = logLines.slice(before).filter((line) => line.event === "recorder.batch");
    expect(batches.some((line) => (line.alongside as number) > 0), "some batch started while another was in flight").toBe(true);
    await recorder.close();
  });

  it("re-chains a session another writer appended to behind its back, and falls back to held row locks", async () => {
    const { PgBatchWriter } = await import("../../gateway/recorder/pg-batch");
    const mine = new Recorder(t.store, { pool: t.pool });
    const other = new Recorder(t.store, { pool: t.newPool(2), preparedStatements: false });
    const { sessionId } = await mine.openSession({ agentId, connectionId: null, frontDoor: "pgwire" });
    const second = await mine.openSession({ agentId, connectionId: null, frontDoor: "pgwire" });
    await mine.record(sessionId, "statement", { n: 2 });
    // The other process appends twice: mine still holds seq 2 as the head and must be re-chained to seq 4.
    await other.record(sessionId, "statement", { n: 3 });
    await other.record(sessionId, "statement", { n: 4 });
    const [a, b, c] = await Promise.all([
      mine.record(sessionId, "statement", { n: 5 }),
      mine.record(second.sessionId, "statement", { n: 2 }),
      mine.record(sessionId, "statement", { n: 6 }),
    ]);
    expect([a.seq, b.seq, c.seq]).toEqual([5, 2, 6]);

    // No optimistic attempt at all: the batch is written in BEGIN … SELECT … FOR UPDATE … COMMIT.
    const writer = new PgBatchWriter(t.pool);
    const at = new Date();
    const event = (id: string, n: number) => ({ sessionId: id, type: "statement" as const, at, decision: null, sqlText: `SELECT ${n}`, payload: { n }, payloadJson: `{"n":${n}}` });
    const outcomes = await writer.write([event(sessionId, 7), event(randomUUID(), 0), event(second.sessionId, 3), event(sessionId, 8)], { timeoutMs: 5000, optimisticAttempts: 0 });
    expect(outcomes.map((o) => (o instanceof RecorderError ? o.code : o.seq))).toEqual([7, "session_not_found", 3, 8]);
    await other.record(sessionId, "statement", { n: 9 });
    await expect(mine.record(sessionId, "statement", { n: 10 })).resolves.toMatchObject({ seq: 10 });
    await other.closeSession(sessionId);
    await expect(mine.record(sessionId, "statement", {})).rejects.toMatchObject({ code: "session_closed" });

    // Opening over pg: an agent that does not exist is the caller's mistake, not a store failure.
    await expect(mine.openSession({ agentId: randomUUID(), connectionId: null, frontDoor: "pgwire" })).rejects.toMatchObject({ code: "invalid_event" });
    await expect(mine.openSession({ agentId, connectionId: randomUUID(), frontDoor: "pgwire" })).rejects.toMatchObject({ code: "invalid_event" });

    expect(await seqs(sessionId)).toEqual(range(11));
    for (const id of [sessionId, second.sessionId]) expect((await verifyChains(t.store, { sessionId: id })).broken).toEqual([]);
  });

  it("store failures are store_unavailable without the store's text: nothing listening, database dropped, no answer", async () => {
    const dead = new Recorder(t.store, { databaseUrl: "postgresql://postgres@127.0.0.1:1/nowhere", timeoutMs: 5000 });
    let started = Date.now();
    const refused = await Promise.allSettled(range(3).map(() => dead.record(randomUUID(), "statement", { secret: "s3cret-value" })));
    expect(Date.now() - started).toBeLessThan(3000);
    for (const outcome of refused) {
      const error = (outcome as PromiseRejectedResult).reason as RecorderError;
      expect(error).toBeInstanceOf(RecorderError);
      expect(error.code).toBe("store_unavailable");
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain("s3cret");
    }
    await expect(dead.openSession({ agentId, connectionId: null, frontDoor: "http" })).rejects.toMatchObject({ code: "store_unavailable" });
    await dead.close();

    const other = await recorderDatabase("recorder_pg_down");
    try {
      const recorder = new Recorder(other.store, { databaseUrl: other.db.url, timeoutMs: 5000 });
      const { sessionId } = await recorder.openSession({ agentId: await other.makeAgent(), connectionId: null, frontDoor: "pgwire" });
      await recorder.record(sessionId, "statement", {});
      await other.db.drop();
      started = Date.now();
      const outcomes = await Promise.allSettled(range(4).map((i) => recorder.record(sessionId, "statement", { i })));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(outcomes.map((o) => o.status === "rejected" && (o.reason as RecorderError).code)).toEqual(Array(4).fill("store_unavailable"));
      await recorder.close();
    } finally {
      await other.close();
    }

    const net = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    const server = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as import("node:net").AddressInfo).port;
    const silent = new Recorder(t.store, { databaseUrl: `postgresql://postgres@127.0.0.1:${port}/silent`, timeoutMs: 300 });
    try {
      started = Date.now();
      await expect(silent.record(randomUUID(), "statement", {})).rejects.toMatchObject({ code: "store_unavailable" });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
      await silent.close().catch(() => undefined);
    }
  });
});
