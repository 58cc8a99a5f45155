import net from "node:net";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGatewayFixture, type GatewayFixture } from "../gateway/support";
import { startMysqlDoor, type MysqlDoor } from "./support";

// Broken clients: whatever a client sends, only its own connection ends (with an ERR packet where the protocol
// allows one) and the door keeps serving everyone else. A fuzz run with a fixed seed sends mutated handshake
// responses and commands, bounded in number.

let fx: GatewayFixture;
let door: MysqlDoor;

beforeAll(async () => {
  fx = await createGatewayFixture("mysqlwire_bad");
  door = await startMysqlDoor(fx, { AIRLOCK_MAX_SQL_BYTES: "4096", AIRLOCK_LOG_LEVEL: "warn" });
});

afterAll(async () => {
  await door?.stop();
  await fx?.cleanup();
});

/** Connects raw, reads the server's greeting, sends `bytes`, and answers what came back before the close. */
async function raw(bytes: Buffer | ((greeting: Buffer) => Buffer), waitMs = 3_000): Promise<{ closed: boolean; received: Buffer }> {
  const socket = net.connect(door.port, "127.0.0.1");
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", () => undefined);
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  const greeting = Buffer.concat(chunks);
  socket.write(typeof bytes === "function" ? bytes(greeting) : bytes);
  await Promise.race([ended.then(() => (closed = true)), new Promise((resolve) => setTimeout(resolve, waitMs))]);
  socket.destroy();
  return { closed, received: Buffer.concat(chunks).subarray(greeting.length) };
}

function packet(payload: Buffer, seq: number, length = payload.length): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(length, 0, 3);
  header[3] = seq;
  return Buffer.concat([header, payload]);
}

/** An ERR packet (0xFF) somewhere in what the server sent. */
const hasErr = (received: Buffer) => received.length > 4 && received[4] === 0xff;

async function stillServes(): Promise<void> {
  const client = await door.client(fx.tokens.valid);
  const [rows] = await client.query<mysql.RowDataPacket[]>("SELECT 1 AS ok");
  expect(rows[0]!.ok).toBe(1);
  await client.end();
}

describe("bad traffic on the MySQL door", () => {
  test("a truncated handshake response: an ERR, the connection closed", async () => {
    const result = await raw(packet(Buffer.from([0x85, 0xa6]), 1));
    expect(result.closed).toBe(true);
    expect(hasErr(result.received)).toBe(true);
    await stillServes();
  });

  test("a packet whose length says more than is sent, then silence: closed after the handshake timeout at worst", async () => {
    const result = await raw(packet(Buffer.from("abc"), 1, 500), 1_000);
    expect(result.received.length).toBe(0);
    await stillServes();
  });

  test("a wrong sequence id in the handshake: the connection is closed", async () => {
    const response = Buffer.alloc(32);
    response.writeUInt32LE(0x200 | 0x8000 | 0x80000, 0);
    const result = await raw(packet(Buffer.concat([response, Buffer.from("alk_xxxxxxxx\0")]), 7));
    expect(result.closed).toBe(true);
    await stillServes();
  });

  test("an oversized packet after authentication: an ERR and the connection closed, others unaffected", async () => {
    const client = await door.client(fx.tokens.valid);
    const error = await client.query(`SELECT '${"x".repeat(200_000)}'`).catch((failure: unknown) => failure as { errno?: number; code?: string });
    expect(error).toMatchObject({});
    expect((error as { errno?: number }).errno === 1153 || (error as { code?: string }).code !== undefined).toBe(true);
    await stillServes();
  });

  test(`fuzz: ${200} mutated handshakes and commands with a fixed seed never take the door down`, async () => {
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const base = Buffer.alloc(32);
    base.writeUInt32LE(0x200 | 0x8000 | 0x80000 | 0x8 | 0x200000, 0);
    base.writeUInt32LE(1 << 24, 4);
    base[8] = 45;
    const good = Buffer.concat([base, Buffer.from(`${fx.tokens.valid.slice(0, 12)}\0`), Buffer.from([20]), Buffer.alloc(20, 1), Buffer.from("shop_mysql\0caching_sha2_password\0")]);
    const runs: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const mutated = Buffer.from(good.subarray(0, Math.floor(random() * good.length) + 1));
      for (let flips = Math.floor(random() * 4); flips > 0; flips--) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      const seq = random() < 0.8 ? 1 : Math.floor(random() * 256);
      runs.push(raw(packet(mutated, seq), 300));
      if (runs.length >= 20) await Promise.all(runs.splice(0));
    }
    await Promise.all(runs);
    await stillServes();
    const health = await fetch(`${door.gateway.url}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);
});
