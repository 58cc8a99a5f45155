import net from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { nativeScramble } from "../../gateway/protocols/mysql/auth";
import { framePackets, PacketFramer, type Packet } from "../../gateway/protocols/mysql/packets";
import { createGatewayFixture, MYSQL_CONNECTION, type GatewayFixture } from "../gateway/support";
import { startMysqlDoor, type MysqlDoor } from "./support";

// The commands drivers rarely send, byte by byte from a minimal client of the test's own (native password, no
// TLS): COM_PING, COM_STATISTICS, COM_SET_OPTION, COM_RESET_CONNECTION, COM_FIELD_LIST, COM_STMT_SEND_LONG_DATA, and
// an unknown command.

let fx: GatewayFixture;
let door: MysqlDoor;

beforeAll(async () => {
  fx = await createGatewayFixture("mysqlwire_commands");
  door = await startMysqlDoor(fx);
});

afterAll(async () => {
  await door?.stop();
  await fx?.cleanup();
});

class RawClient {
  readonly #socket: net.Socket;
  readonly #framer = new PacketFramer(1 << 24);
  readonly #packets: Packet[] = [];
  #waiter: (() => void) | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      for (const framed of this.#framer.push(chunk)) if (framed.kind === "packet") this.#packets.push(framed.packet);
      this.#waiter?.();
    });
  }

  static async connect(port: number, token: string): Promise<RawClient> {
    const socket = net.connect(port, "127.0.0.1");
    const client = new RawClient(socket);
    const greeting = await client.next();
    // nonce: 8 bytes after protocol version, server version and connection id; 12 more after the fixed fields
    const payload = greeting.payload;
    const afterVersion = payload.indexOf(0, 1) + 1;
    const part1 = payload.subarray(afterVersion + 4, afterVersion + 12);
    const part2 = payload.subarray(afterVersion + 12 + 1 + 2 + 1 + 2 + 2 + 1 + 10, afterVersion + 12 + 1 + 2 + 1 + 2 + 2 + 1 + 10 + 12);
    const nonce = Buffer.concat([part1, part2]);
    const scramble = nativeScramble(token, nonce);
    const head = Buffer.alloc(32);
    head.writeUInt32LE(0x200 | 0x8000 | 0x80000 | 0x8 | 0x1000000, 0); // 4.1, secure, plugin auth, with db, deprecate EOF
    head.writeUInt32LE(1 << 24, 4);
    head[8] = 45;
    const response = Buffer.concat([head, Buffer.from(`${token.slice(0, 12)}\0`), Buffer.from([20]), scramble, Buffer.from(`${MYSQL_CONNECTION}\0mysql_native_password\0`)]);
    client.send(response, 1);
    const answer = await client.next();
    if (answer.payload[0] !== 0x00) throw new Error(`not authenticated: ${answer.payload.toString("latin1")}`);
    return client;
  }

  send(payload: Buffer, seq = 0): void {
    this.#socket.write(Buffer.concat(framePackets(payload, seq).frames));
  }

  async next(ms = 5_000): Promise<Packet> {
    const deadline = Date.now() + ms;
    while (this.#packets.length === 0) {
      if (Date.now() > deadline) throw new Error("no packet");
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.#packets.shift()!;
  }

  /** Nothing arrives within `ms`. */
  async silent(ms = 300): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.#packets.length === 0;
  }

  close(): void {
    this.#socket.destroy();
  }
}

const command = (code: number, body: Buffer = Buffer.alloc(0)) => Buffer.concat([Buffer.from([code]), body]);

describe("rare commands", () => {
  test("PING, STATISTICS, SET_OPTION, RESET_CONNECTION, FIELD_LIST, an unknown command", async () => {
    const client = await RawClient.connect(door.port, fx.tokens.valid);
    client.send(command(0x0e));
    expect((await client.next()).payload[0]).toBe(0x00);
    client.send(command(0x09));
    expect((await client.next()).payload.toString("utf8")).toMatch(/Airlock/);
    client.send(command(0x1b, Buffer.from([1, 0])));
    expect((await client.next()).payload[0]).toBe(0xfe);
    client.send(command(0x1f));
    expect((await client.next()).payload[0]).toBe(0x00);
    client.send(command(0x04, Buffer.from("customers\0")));
    expect((await client.next()).payload[0]).toBe(0xfe); // no columns: a client reads them with SELECT, through policy
    client.send(command(0xee));
    const unknown = await client.next();
    expect(unknown.payload[0]).toBe(0xff);
    expect(unknown.payload.readUInt16LE(1)).toBe(1047);
    client.close();
  });

  test("SEND_LONG_DATA: a parameter sent in pieces before EXECUTE is bound as their concatenation; no answer to the pieces", async () => {
    const client = await RawClient.connect(door.port, fx.tokens.valid);
    client.send(command(0x16, Buffer.from("SELECT CONCAT('<', ?, '>') AS v")));
    const ok = await client.next();
    expect(ok.payload[0]).toBe(0x00);
    const id = ok.payload.readUInt32LE(1);
    const params = ok.payload.readUInt16LE(7);
    expect(params).toBe(1);
    for (let i = 0; i < params + 1; i++) await client.next(); // the parameter and column definitions
    const piece = (text: string) => {
      const body = Buffer.alloc(6);
      body.writeUInt32LE(id, 0);
      body.writeUInt16LE(0, 4);
      return command(0x18, Buffer.concat([body, Buffer.from(text)]));
    };
    client.send(piece("long "));
    client.send(piece("data"));
    expect(await client.silent()).toBe(true);
    const execute = Buffer.alloc(4 + 1 + 4 + 1 + 1 + 2);
    execute.writeUInt32LE(id, 0);
    execute[4] = 0;
    execute.writeUInt32LE(1, 5);
    execute[9] = 0; // null bitmap
    execute[10] = 1; // new params bound
    execute.writeUInt16LE(0xfd, 11); // VAR_STRING
    client.send(command(0x17, execute));
    const columns = await client.next();
    expect(columns.payload[0]).toBe(1);
    await client.next(); // column definition
    const row = await client.next();
    expect(row.payload[0]).toBe(0x00);
    expect(row.payload.toString("utf8")).toContain("<long data>");
    client.close();
  });
});
