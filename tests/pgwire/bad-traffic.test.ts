import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cancelRequest } from "../../gateway/protocols/postgres/serializer";
import { createGatewayFixture, targetQuery, type GatewayFixture } from "../gateway/support";
import { failure, startWireGateway, type WireGateway } from "./support";

// Malformed traffic closes that one connection with an error; the gateway neither crashes nor stalls the
// other clients. A client that vanishes mid-statement takes its target session with it; CancelRequest
// reaches the right target backend.

let fx: GatewayFixture;
let wire: WireGateway;
let bystander: pg.Client;

beforeAll(async () => {
  fx = await createGatewayFixture("pgwire_bad");
  wire = await startWireGateway(fx);
  bystander = await wire.client(fx.tokens.valid);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

async function stillServing(): Promise<void> {
  expect(wire.gateway.process.exitCode).toBeNull();
  expect((await bystander.query("SELECT count(*)::int AS n FROM orders")).rows[0].n).toBe(6);
}

/** Raw bytes to the door before any handshake; resolves with what came back once the gateway closed the socket. */
function raw(bytes: Buffer, closeAfterMs = 3_000): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(wire.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, closeAfterMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), closedByServer });
    });
    socket.on("connect", () => socket.write(bytes));
  });
}

/** An authenticated client whose socket then gets `bytes` written straight onto the (TLS) stream. */
async function afterLogin(bytes: Buffer): Promise<Error> {
  const client = await wire.client(fx.tokens.valid);
  const ended = new Promise<Error>((resolve) => {
    client.on("error", (error) => resolve(error));
    client.on("end", () => resolve(new Error("ended")));
  });
  (client as unknown as { connection: { stream: net.Socket } }).connection.stream.write(bytes);
  return ended;
}

describe("before the handshake", () => {
  test.each([
    ["random bytes", Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")],
    ["an absurd startup length", Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0])],
    ["an unknown protocol version", Buffer.from([0, 0, 0, 8, 0, 9, 0, 0])],
    ["a truncated startup packet", Buffer.from([0, 0, 0, 40, 0, 3, 0, 0, 0x75])],
  ])("%s: the connection is closed; nothing else is affected", async (_name, bytes) => {
    const answer = await raw(bytes);
    expect(answer.closedByServer || answer.data.length === 0).toBe(true);
    if (answer.data.length > 0) expect(String.fromCharCode(answer.data[0]!)).toBe("E");
    await stillServing();
  });

  test("a plain-text client that does not name its token's prefix fails SCRAM (the token itself is never sent)", async () => {
    const client = new pg.Client({ host: "127.0.0.1", port: wire.port, database: "shop_pg", user: "agent", password: fx.tokens.valid, ssl: false });
    expect((await failure(client.connect())).code).toBe("28P01");
    await stillServing();
  });
});

describe("after authentication", () => {
  test.each([
    ["an unknown message type", Buffer.from([0x7a, 0, 0, 0, 4])],
    ["an absurd length", Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xf0])],
    ["a malformed Bind", Buffer.from([0x42, 0, 0, 0, 6, 0, 0])],
    ["a password message out of turn", Buffer.from([0x70, 0, 0, 0, 5, 0])],
  ])("%s: FATAL 08P01 and that connection closes", async (_name, bytes) => {
    const error = await afterLogin(bytes);
    expect(`${(error as { code?: string }).code ?? ""} ${error.message}`).toMatch(/08P01|ended|terminated/);
    await stillServing();
  });

  test("a truncated message and a client that goes away: the gateway just closes", async () => {
    const client = await wire.client(fx.tokens.valid);
    const stream = (client as unknown as { connection: { stream: net.Socket } }).connection.stream;
    stream.write(Buffer.from([0x51, 0, 0, 0, 100, 0x53, 0x45]));
    stream.destroy();
    await stillServing();
  });

  test("a client vanishing mid-statement: its target session is ended; others carry on", async () => {
    const client = await wire.client(fx.tokens.valid);
    const marker = "vanish_marker_query";
    void client.query(`SELECT count(*), '${marker}' FROM generate_series(1, 2000000000) g`).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const activity = () => targetQuery(fx, "shop_pg", "SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()", [`%${marker}%`]);
    expect(await activity()).toHaveLength(1);
    (client as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
    let left = 1;
    for (let i = 0; i < 50 && left > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = (await activity()).length;
    }
    expect(left).toBe(0);
    await stillServing();
  });
});

describe("the target side", () => {
  test("a target backend terminated under a client: that client gets a FATAL, the others carry on", async () => {
    const client = await wire.client(fx.tokens.valid);
    const errors: Error[] = [];
    client.on("error", (error) => errors.push(error));
    await client.query("SELECT 'terminate_me_marker' AS m");
    const [backend] = await targetQuery<{ pid: number }>(fx, "shop_pg", "SELECT pid FROM pg_stat_activity WHERE query LIKE '%terminate_me_marker%' AND pid <> pg_backend_pid()");
    await targetQuery(fx, "shop_pg", "SELECT pg_terminate_backend($1)", [backend!.pid]);
    for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const failed = errors[0] ?? (await failure(client.query("SELECT 1")));
    expect(`${(failed as { code?: string }).code ?? ""} ${failed.message}`).toMatch(/57P01|terminat/);
    await stillServing();
  });
});

describe("CancelRequest", () => {
  test("cancels the statement of the client it names, on its own target backend only", async () => {
    const victim = await wire.client(fx.tokens.valid);
    const other = await wire.client(fx.tokens.valid);
    const running = failure(victim.query("SELECT count(*) FROM generate_series(1, 2000000000) g"));
    const otherRunning = other.query("SELECT count(*) AS n FROM generate_series(1, 3000000) g");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { processID, secretKey } = victim as unknown as { processID: number; secretKey: number };
    await raw(cancelRequest(processID, secretKey), 1_000);
    const error = await running;
    expect(error.code).toBe("57014");
    expect((await otherRunning).rows).toHaveLength(1);
    // a forged key cancels nothing
    const again = victim.query("SELECT count(*) AS n FROM generate_series(1, 3000000) g");
    await raw(cancelRequest(processID, secretKey ^ 1), 500);
    expect((await again).rows).toHaveLength(1);
    await stillServing();
  });
});
