import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import net from "node:net";
import pg from "pg";
import { cancelRequest } from "../../gateway/protocols/postgres/serializer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CUSTOMERS, approve, createGatewayFixture, leakedSecrets, reject, targetQuery, type GatewayFixture } from "../gateway/support";
import { COMMON_BYPASSES, PG_BYPASSES } from "../support/masking-bypasses";
import { failure, startWireGateway, type WireGateway } from "./support";

// Every decision path of the HTTP door, through the PostgreSQL door with node-postgres (simple and extended
// protocol) and psql: authentication failures with their SQLSTATEs, allowed, masked (and the bypass attempts),
// blocked with rule and hint, paused for approval (approved in the dashboard function, rejected), recorded.

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("pgwire_decisions");
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

function encodedSecrets(): string[] {
  return CUSTOMERS.flatMap((customer) =>
    [customer.cardNumber, customer.ssn].flatMap((value) => [value, Buffer.from(value).toString("hex"), Buffer.from(value).toString("base64"), [...value].reverse().join("")]),
  );
}

function expectNoLeak(text: string, what: string): void {
  expect(leakedSecrets(text, encodedSecrets()), `${what} leaked: ${text.slice(0, 400)}`).toEqual([]);
}

/** The approval id named in an Airlock NoticeResponse. */
function approvalIdFrom(notices: string[]): string {
  const id = notices.map((text) => /approval ([0-9a-f-]{36})/.exec(text)?.[1]).find(Boolean);
  if (!id) throw new Error(`no approval notice among ${JSON.stringify(notices)}`);
  return id;
}

/**
 * Runs a query; a statement paused for approval is rejected at once (a paused statement returns nothing, which
 * is not a leak). Answers rows, or the error's code and texts.
 */
async function guarded(client: pg.Client, query: string | pg.QueryConfig): Promise<{ rows?: unknown[]; code?: string; text: string }> {
  const onNotice = (notice: { message?: string }) => {
    const id = /approval ([0-9a-f-]{36})/.exec(notice.message ?? "")?.[1];
    if (id) void reject(fx, id, "not in a test");
  };
  client.on("notice", onNotice);
  try {
    const result = await client.query(query as pg.QueryConfig);
    return { rows: result.rows, text: JSON.stringify(result.rows) };
  } catch (error) {
    const failed = error as Error & { code?: string; detail?: string; hint?: string };
    return { code: failed.code, text: `${failed.message} ${failed.detail ?? ""} ${failed.hint ?? ""}` };
  } finally {
    client.off("notice", onNotice);
  }
}

async function waitForNotice(notices: string[]): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const found = notices.find((text) => /approval [0-9a-f-]{36}/.test(text));
    if (found) return approvalIdFrom(notices);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no approval notice arrived");
}

describe("start-up", () => {
  test("bad, expired and revoked tokens: FATAL 28P01", async () => {
    for (const token of ["alk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", fx.tokens.expired, fx.tokens.revoked]) {
      const error = await failure(wire.client(token));
      expect(error.code).toBe("28P01");
      expect(error.message).toMatch(/password authentication failed/);
    }
  });

  test("a password that is not a token at all: FATAL 28000", async () => {
    expect((await failure(wire.client("hunter2"))).code).toBe("28000");
  });

  test("unknown database: 3D000; no grant: 42501; a MySQL connection: 0A000", async () => {
    expect((await failure(wire.client(fx.tokens.valid, "no_such_connection"))).code).toBe("3D000");
    expect((await failure(wire.client(fx.tokens.other))).code).toBe("42501");
    expect((await failure(wire.client(fx.tokens.valid, "shop_mysql"))).code).toBe("0A000");
  });

  test("without TLS the token is never sent: SCRAM, whose user name must be the token's prefix (28P01 with a hint otherwise)", async () => {
    const error = await failure(wire.client(fx.tokens.valid, "shop_pg", { ssl: false }));
    expect(error.code).toBe("28P01");
    expect(error.hint).toMatch(/public prefix/);
  });

  test("the target's credentials never reach the client", async () => {
    const client = await wire.client(fx.tokens.valid);
    const settings = await client.query("SELECT current_user, current_setting('application_name') AS app");
    expect(JSON.stringify(settings.rows)).not.toContain(fx.targetPasswords.pg);
  });
});

describe("allowed and masked", () => {
  test("simple and extended protocol return masked values; unmasked columns are untouched", async () => {
    const client = await wire.client(fx.tokens.valid);
    const simple = await client.query("SELECT id, name, email, card_number, card_last4, ssn FROM customers ORDER BY id");
    const extended = await client.query("SELECT id, name, email, card_number, card_last4, ssn FROM customers WHERE id >= $1 ORDER BY id", [1]);
    for (const result of [simple, extended]) {
      expect(result.rows).toHaveLength(5);
      expect(result.rows[0]).toMatchObject({ id: 1, name: "Ada Lovelace", card_last4: "1111", ssn: "****", card_number: "**** **** **** 1111" });
      expect(result.rows[0].email).toMatch(/@example\.com$/);
      expect(result.rows[0].email).not.toContain("ada.lovelace");
      // masked columns are announced as text
      expect(result.fields.find((field) => field.name === "card_number")?.dataTypeID).toBe(25);
      expectNoLeak(JSON.stringify(result.rows), "a masked select");
    }
  });

  test("several statements in one simple query are each masked by their own plan", async () => {
    const client = await wire.client(fx.tokens.valid);
    const results = (await client.query("SELECT ssn FROM customers WHERE id = 1; SELECT name, card_number FROM customers WHERE id = 2; SELECT 1 AS one")) as unknown as pg.QueryResult[];
    expect(results.map((result) => result.rows)).toEqual([[{ ssn: "****" }], [{ name: "Grace Hopper", card_number: "**** **** **** 4444" }], [{ one: 1 }]]);
  });

  test("binary result format: masked text columns are masked too", async () => {
    const client = await wire.client(fx.tokens.valid, "shop_pg", { binary: true } as Partial<pg.ClientConfig>);
    const result = await client.query("SELECT name, ssn, card_number FROM customers WHERE id = $1", [2]);
    expect(result.rows[0]).toMatchObject({ name: "Grace Hopper", ssn: "****" });
    expectNoLeak(JSON.stringify(result.rows), "binary format");
  });

  test("a prepared statement reused many times keeps working and keeps masking", async () => {
    const client = await wire.client(fx.tokens.valid);
    for (let id = 1; id <= 5; id++) {
      const result = await client.query({ name: "by_id", text: "SELECT id, ssn FROM customers WHERE id = $1", values: [id] });
      expect(result.rows).toEqual([{ id, ssn: "****" }]);
    }
  });
});

describe("masking bypass attempts", () => {
  const ALL = [...COMMON_BYPASSES, ...PG_BYPASSES];

  test.each(ALL)("simple protocol: %s", async (sql) => {
    const client = await wire.client(fx.tokens.valid);
    const answer = await guarded(client, sql);
    expectNoLeak(answer.text, sql);
    // refused by policy, or by the server's grammar (answered at once, never run)
    if (!answer.rows) expect(["42501", "42601"], answer.text).toContain(answer.code);
    await client.end();
  });

  test.each(ALL)("extended protocol: %s", async (sql) => {
    const client = await wire.client(fx.tokens.valid);
    const answer = await guarded(client, { text: sql, values: [] });
    expectNoLeak(answer.text, sql);
    // refused by policy, or by the server's grammar (answered at once, never run)
    if (!answer.rows) expect(["42501", "42601"], answer.text).toContain(answer.code);
    await client.end();
  });

  test("an error quoting a masked value read where nothing returned or tested is masked keeps only its SQLSTATE", async () => {
    // reverse() defeats the value detectors; OFFSET 0 and a volatile term keep PostgreSQL from dropping it unevaluated.
    const sql = "SELECT c.id FROM customers c, LATERAL (SELECT reverse(c.ssn)::int + (random() * 0)::int AS n OFFSET 0) x WHERE c.id = 1";
    const client = await wire.client(fx.tokens.valid);
    for (const query of [sql, { text: sql, values: [] }]) {
      const answer = await guarded(client, query);
      expect(answer.code).toBe("22P02");
      expect(answer.text).toContain("details hidden");
      expectNoLeak(answer.text, sql);
    }
    const misspelt = await guarded(client, "SELECT nmae FROM customers WHERE id = 1");
    expect(misspelt.code).toBe("42703");
    expect(misspelt.text).toContain('column "nmae" does not exist');
    await client.end();
  });

  test("a view created on the target behind Airlock's back is masked through its definition", async () => {
    await targetQuery(fx, "shop_pg", "CREATE OR REPLACE VIEW customer_cards AS SELECT id, card_number AS c, ssn FROM customers");
    const client = await wire.client(fx.tokens.valid);
    const answer = await guarded(client, "SELECT c, ssn FROM customer_cards ORDER BY id");
    expectNoLeak(answer.text, "a view");
    expect(answer.rows?.[0]).toMatchObject({ c: "**** **** **** 1111", ssn: "****" });
    const star = await guarded(client, { text: "SELECT * FROM customer_cards WHERE id = $1", values: [2] });
    expectNoLeak(star.text, "a view, extended");
  });

  test("SQL-level PREPARE/EXECUTE and a protocol Bind to it cannot skip masking", async () => {
    const client = await wire.client(fx.tokens.valid);
    const prepared = await guarded(client, "PREPARE sneaky AS SELECT ssn, card_number FROM customers");
    if (prepared.rows) {
      const executed = await guarded(client, "EXECUTE sneaky");
      expectNoLeak(executed.text, "EXECUTE");
    }
    // a Bind naming an SQL-level prepared statement is refused outright
    const raw = await guarded(client, { name: "sneaky", text: "SELECT 1", values: [] });
    expectNoLeak(raw.text, "Bind to an SQL PREPARE");
  });
});

describe("blocked", () => {
  test("simple protocol: ErrorResponse 42501 with the rule in detail and a hint", async () => {
    const client = await wire.client(fx.tokens.valid);
    const error = await failure(client.query("DROP TABLE orders"));
    expect(error.code).toBe("42501");
    expect(error.message).toMatch(/^Airlock blocked this statement: /);
    expect(error.detail).toMatch(/^Policy "[^"]+", rule "[^"]+"/);
    // the connection stays usable
    expect((await client.query("SELECT count(*)::int AS n FROM orders")).rows[0].n).toBe(6);
    expect((await targetQuery(fx, "shop_pg", "SELECT to_regclass('public.orders') AS t"))[0]!.t).toBe("orders");
  });

  test("extended protocol: refused at Parse; the connection and its other prepared statements keep working", async () => {
    const client = await wire.client(fx.tokens.valid);
    await client.query({ name: "ok", text: "SELECT count(*)::int AS n FROM orders WHERE id > $1", values: [0] });
    const error = await failure(client.query({ name: "bad", text: "TRUNCATE orders" }));
    expect(error.code).toBe("42501");
    expect(error.detail).toMatch(/^Policy "[^"]+", rule "[^"]+"/);
    expect((await client.query({ name: "ok", text: "SELECT count(*)::int AS n FROM orders WHERE id > $1", values: [0] })).rows[0].n).toBe(6);
  });

  test("inside a transaction, a refused statement aborts it like a failed one (simple and extended)", async () => {
    const client = await wire.client(fx.tokens.valid);
    await client.query("BEGIN");
    await client.query("SELECT 1");
    expect((await failure(client.query("DROP TABLE orders"))).code).toBe("42501");
    expect((await failure(client.query("SELECT 1"))).code).toBe("25P02");
    const ended = await client.query("COMMIT");
    expect(ended.command).toBe("ROLLBACK");

    await client.query("BEGIN");
    expect((await failure(client.query({ name: "trunc", text: "TRUNCATE orders" }))).code).toBe("42501");
    expect((await failure(client.query("SELECT 1"))).code).toBe("25P02");
    await client.query("ROLLBACK");
    expect((await client.query("SELECT count(*)::int AS n FROM orders")).rows[0].n).toBe(6);
  });

  test("a masked column in a predicate is refused with a hint", async () => {
    const client = await wire.client(fx.tokens.valid);
    const error = await failure(client.query("SELECT id FROM customers WHERE ssn LIKE '2%'"));
    expect(error.code).toBe("42501");
    expect(error.hint ?? "").not.toBe("");
  });
});

describe("approval", () => {
  test("simple protocol: a NoticeResponse names the request; approved in the dashboard function, the statement completes", async () => {
    const client = await wire.client(fx.tokens.valid);
    const notices: string[] = [];
    client.on("notice", (notice) => notices.push(`${notice.message} ${(notice as { detail?: string }).detail ?? ""}`));
    const running = client.query("UPDATE orders SET amount_cents = amount_cents + 1 WHERE id = 1");
    const id = await waitForNotice(notices);
    expect(notices.join(" ")).toContain(`http://localhost:3999/approvals/${id}`);
    await approve(fx, id);
    const result = await running;
    expect(result.rowCount).toBe(1);
    expect((await targetQuery<{ amount_cents: number }>(fx, "shop_pg", "SELECT amount_cents FROM orders WHERE id = 1"))[0]!.amount_cents).toBe(1251);
  });

  test("extended protocol: the approval is bound to the statement and its parameters at Execute", async () => {
    const client = await wire.client(fx.tokens.valid);
    const notices: string[] = [];
    client.on("notice", (notice) => notices.push(notice.message ?? ""));
    const running = client.query("UPDATE orders SET status = $1 WHERE id = $2", ["approved-ext", 3]);
    const id = await waitForNotice(notices);
    const request = await fx.store.approvalRequest.findUniqueOrThrow({ where: { id } });
    expect(request.sqlText).toBe("UPDATE orders SET status = $1 WHERE id = $2");
    await approve(fx, id);
    expect((await running).rowCount).toBe(1);
    expect((await targetQuery<{ status: string }>(fx, "shop_pg", "SELECT status FROM orders WHERE id = 3"))[0]!.status).toBe("approved-ext");
  });

  test("rejected: an error with the reviewer's reason; nothing changed", async () => {
    const client = await wire.client(fx.tokens.valid);
    const notices: string[] = [];
    client.on("notice", (notice) => notices.push(notice.message ?? ""));
    const running = failure(client.query("DELETE FROM orders WHERE id = 6"));
    const id = await waitForNotice(notices);
    await reject(fx, id, "not during the audit");
    const error = await running;
    expect(error.code).toBe("42501");
    expect(error.message).toContain("not during the audit");
    expect(await targetQuery(fx, "shop_pg", "SELECT 1 FROM orders WHERE id = 6")).toHaveLength(1);
  });

  test("CancelRequest while waiting: 57014, the request stays open for a later answer", async () => {
    const client = await wire.client(fx.tokens.valid);
    const notices: string[] = [];
    client.on("notice", (notice) => notices.push(notice.message ?? ""));
    const running = failure(client.query("UPDATE orders SET status = 'never' WHERE id = 5"));
    const id = await waitForNotice(notices);
    const { processID, secretKey } = client as unknown as { processID: number; secretKey: number };
    await new Promise<void>((resolve) => {
      const socket = net.connect(wire.port, "127.0.0.1", () => socket.end(cancelRequest(processID, secretKey)));
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
    });
    const error = await running;
    expect(error.code).toBe("57014");
    expect(error.detail).toContain(id);
    expect((await fx.store.approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
    expect((await targetQuery<{ status: string }>(fx, "shop_pg", "SELECT status FROM orders WHERE id = 5"))[0]!.status).toBe("paid");
    // the connection is still usable
    expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  test("a statement paused inside a transaction keeps the transaction", async () => {
    const client = await wire.client(fx.tokens.valid);
    const notices: string[] = [];
    client.on("notice", (notice) => notices.push(notice.message ?? ""));
    await client.query("BEGIN");
    expect((await client.query("SELECT count(*)::int AS n FROM orders")).rows[0].n).toBe(6);
    const running = client.query("UPDATE orders SET status = 'in-tx' WHERE id = 2");
    await approve(fx, await waitForNotice(notices));
    await running;
    // not visible outside the transaction yet
    expect((await targetQuery<{ status: string }>(fx, "shop_pg", "SELECT status FROM orders WHERE id = 2"))[0]!.status).toBe("shipped");
    await client.query("COMMIT");
    expect((await targetQuery<{ status: string }>(fx, "shop_pg", "SELECT status FROM orders WHERE id = 2"))[0]!.status).toBe("in-tx");
  });
});

describe("psql", () => {
  test("masked select, blocked statement, \\d and \\dt", () => {
    const masked = wire.psql(fx.tokens.valid, "SELECT name, card_number, ssn FROM customers ORDER BY id LIMIT 2");
    expect(masked.code).toBe(0);
    expect(masked.out).toContain("Ada Lovelace|**** **** **** 1111|****");
    expectNoLeak(masked.out, "psql");

    const blocked = wire.psql(fx.tokens.valid, "DROP TABLE orders");
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toMatch(/ERROR: {2}Airlock blocked this statement/);
    expect(blocked.out).toMatch(/DETAIL: {2}Policy "[^"]+", rule/);

    const tables = wire.psql(fx.tokens.valid, "\\dt", { full: true });
    expect(tables.code, tables.out).toBe(0);
    expect(tables.out).toMatch(/customers/);
    expect(tables.out).toMatch(/orders/);
    const relations = wire.psql(fx.tokens.valid, "\\d", { full: true });
    expect(relations.code, relations.out).toBe(0);
    expect(relations.out).toMatch(/customers/);
    // \d <table> reads pg_statistic_ext (definitions of extended statistics, no values): allowed.
    const columns = wire.psql(fx.tokens.valid, "\\d customers", { full: true });
    expect(columns.code, columns.out).toBe(0);
    expect(columns.out).toMatch(/card_number/);
    // The value-holding catalogs stay refused.
    for (const catalog of ["pg_statistic_ext_data", "pg_stats_ext", "pg_statistic"]) {
      const refused = wire.psql(fx.tokens.valid, `SELECT * FROM ${catalog}`);
      expect(refused.out, catalog).toMatch(/This catalog holds column sample values or credentials/);
    }
  });

  test("\\copy out is masked or refused, never raw", () => {
    const out = wire.psql(fx.tokens.valid, "\\copy (SELECT name, ssn FROM customers) TO STDOUT");
    expectNoLeak(out.out, "\\copy");
    const table = wire.psql(fx.tokens.valid, "\\copy customers TO STDOUT");
    expectNoLeak(table.out, "\\copy customers");
  });

  test("\\copy in is decided as a write: paused for approval, then loaded", async () => {
    const file = path.join(wire.certDir, "orders.tsv");
    fs.writeFileSync(file, "90\t1\t900\tcopied\n91\t2\t910\tcopied\n");
    const child = spawn("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-c", `\\copy orders (id, customer_id, amount_cents, status) FROM '${file}'`, wire.conninfo(fx.tokens.valid)]);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
    for (let i = 0; i < 100 && !/approval [0-9a-f-]{36}/.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const id = approvalIdFrom([output]);
    expect((await fx.store.approvalRequest.findUniqueOrThrow({ where: { id } })).sqlText).toMatch(/^COPY\s+orders/i);
    await approve(fx, id);
    expect(await exited, output).toBe(0);
    expect(output).toMatch(/COPY 2/);
    expect(await targetQuery(fx, "shop_pg", "SELECT id FROM orders WHERE status = 'copied' ORDER BY id")).toEqual([{ id: 90 }, { id: 91 }]);
  });

  test("COPY to or from a server file or program is blocked", () => {
    for (const sql of ["COPY customers TO '/tmp/airlock-leak.csv'", "COPY orders FROM PROGRAM 'id'", "COPY (SELECT 1) TO PROGRAM 'cat'"]) {
      const answer = wire.psql(fx.tokens.valid, sql);
      expect(answer.code, answer.out).not.toBe(0);
      expect(answer.out).toMatch(/Airlock blocked this statement/);
    }
  });
});

describe("recording", () => {
  test("every statement through the door is recorded in a pgwire session, without raw values", async () => {
    const client = await wire.client(fx.tokens.valid);
    const marker = `rec_${Math.random().toString(36).replace(/[^a-z]/g, "")}`;
    await client.query(`SELECT '${marker}' AS m, ssn FROM customers LIMIT 1`);
    await client.query({ text: `SELECT $1::text AS m, card_number FROM customers LIMIT 1 -- ${marker}`, values: ["x"] });
    await failure(client.query(`DROP TABLE orders -- ${marker}`));
    await failure(client.query({ name: `p_${marker}`, text: `TRUNCATE orders -- ${marker}` }));
    await wire.gateway.recorded();
    const events = await fx.store.sessionEvent.findMany({ where: { type: "statement", sqlText: { contains: marker } }, include: { session: true } });
    expect(events).toHaveLength(4);
    for (const event of events) expect(event.session.frontDoor).toBe("pgwire");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const all = await fx.store.sessionEvent.findMany({ where: { sessionId: events[0]!.sessionId }, select: { payload: true, sqlText: true } });
    expectNoLeak(JSON.stringify(all), "the recording");
  });
});
