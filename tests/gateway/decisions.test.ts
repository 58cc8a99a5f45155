import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { verifyChains } from "../../lib/audit/verify";
import { COMMON_BYPASSES, MYSQL_BYPASSES, PG_BYPASSES } from "../support/masking-bypasses";
import {
  CUSTOMERS,
  ORDERS,
  approve,
  createGatewayFixture,
  getApproval,
  leakedSecrets,
  query,
  reject,
  startGateway,
  targetQuery,
  type GatewayFixture,
  type HttpAnswer,
  type RunningGateway,
  type ShopConnection,
} from "./support";

// Every decision path of the gateway, end to end, on a real gateway process in front of real PostgreSQL and
// MariaDB targets: allowed, blocked, masked (and the ways agents try to get around masking), paused for
// approval (approved, rejected, expired, replayed, asked for by another agent), and what the recording keeps.

let fx: GatewayFixture;
let gw: RunningGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("decisions");
  gw = await startGateway(fx);
});

afterAll(async () => {
  await gw?.stop();
  await fx?.cleanup();
});

/** Encodings of the seeded secrets an agent could use to smuggle them out (hex, base64, reversed). */
function encodedSecrets(): string[] {
  return CUSTOMERS.flatMap((customer) =>
    [customer.cardNumber, customer.ssn].flatMap((value) => [
      Buffer.from(value).toString("hex"),
      Buffer.from(value).toString("hex").toUpperCase(),
      Buffer.from(value).toString("base64"),
      [...value].reverse().join(""),
    ]),
  );
}

function expectNoLeak(answer: HttpAnswer, what: string): void {
  const leaks = leakedSecrets(answer.text, encodedSecrets());
  expect(leaks, `${what} leaked through: ${answer.text.slice(0, 600)}`).toEqual([]);
}

function expectProblem(answer: HttpAnswer, status: number, code: string): void {
  expect(answer.status, answer.text.slice(0, 600)).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(answer.body.code).toBe(code);
  expect(answer.body.status).toBe(status);
  expect(typeof answer.body.title).toBe("string");
}

async function tableExists(connection: ShopConnection, table: string): Promise<boolean> {
  const rows =
    connection === "shop_pg"
      ? await targetQuery(fx, connection, "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1", [table])
      : await targetQuery(fx, connection, "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", [table]);
  return rows.length === 1;
}

async function orderAmount(connection: ShopConnection, id: number): Promise<number> {
  const sql = connection === "shop_pg" ? "SELECT amount_cents FROM orders WHERE id = $1" : "SELECT amount_cents FROM orders WHERE id = ?";
  const rows = await targetQuery<{ amount_cents: number }>(fx, connection, sql, [id]);
  return Number(rows[0]!.amount_cents);
}

async function orderCount(connection: ShopConnection): Promise<number> {
  const rows = await targetQuery<{ n: number | string }>(fx, connection, "SELECT COUNT(*) AS n FROM orders");
  return Number(rows[0]!.n);
}

const engines: { connection: ShopConnection; p: (n: number) => string }[] = [
  { connection: "shop_pg", p: (n) => `$${n}` },
  { connection: "shop_mysql", p: () => "?" },
];

// Bypass attempts against masking (tests/support/masking-bypasses.ts). Each must come back masked (200) or refused
// (403), and never carry a raw card number or SSN, in any encoding.

// Probing a masked column in WHERE / ORDER BY / GROUP BY reveals it one character at a time: refused.
const PROBES = [
  "SELECT id FROM customers WHERE card_number LIKE '4%'",
  "SELECT id FROM customers WHERE ssn LIKE '2%'",
  "SELECT id FROM customers WHERE SUBSTRING(card_number, 1, 1) = '4'",
  "SELECT id FROM customers ORDER BY card_number",
  "SELECT COUNT(*) FROM customers GROUP BY ssn",
  "SELECT o.id FROM orders o JOIN customers c ON c.card_number = c.card_number AND c.id = o.customer_id WHERE c.card_number > '4'",
];

describe.each(engines)("$connection", ({ connection, p }) => {
  test("an allowed SELECT returns its columns, rows and row count", async () => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql: "SELECT id, customer_id, amount_cents, status FROM orders WHERE id <= 3 ORDER BY id" });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.body.columns.map((column: { name: string }) => column.name)).toEqual(["id", "customer_id", "amount_cents", "status"]);
    expect(answer.body.rowCount).toBe(3);
    expect(answer.body.rows).toHaveLength(3);
    const first = answer.body.rows[0] as unknown[];
    expect(first.map(String)).toEqual(["1", "1", String(ORDERS[0]!.amountCents), ORDERS[0]!.status]);
    expect(answer.body.truncated).toBe(false);
    expect(typeof answer.body.sessionId).toBe("string");
  });

  test("a parameterised SELECT binds its parameters", async () => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql: `SELECT id, status FROM orders WHERE id = ${p(1)}`, params: [2] });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.rowCount).toBe(1);
    expect((answer.body.rows[0] as unknown[]).map(String)).toEqual(["2", ORDERS[1]!.status]);
  });

  test.each(["DROP TABLE customers", "DROP TABLE IF EXISTS orders", "TRUNCATE TABLE orders", "TRUNCATE orders"])("%s is blocked with a problem+json", async (sql) => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
    expectProblem(answer, 403, "blocked");
    expect(["airlock-defaults", "shop-test"]).toContain(answer.body.policy);
    expect(typeof answer.body.rule).toBe("string");
    expect(answer.body.rule.length).toBeGreaterThan(0);
    expect(typeof answer.body.detail).toBe("string");
    expect(answer.body.detail.length).toBeGreaterThan(0);
    expect(Array.isArray(answer.body.hints)).toBe(true);
    expect(await tableExists(connection, "customers")).toBe(true);
    expect(await tableExists(connection, "orders")).toBe(true);
    expect(await orderCount(connection)).toBe(ORDERS.length);
  });

  test.each([
    "CREATE TABLE loot AS SELECT id, ssn, card_number FROM customers",
    "INSERT INTO orders (customer_id, amount_cents, status) SELECT id, 1, ssn FROM customers WHERE id = 1",
    "UPDATE customers SET name = ssn WHERE id = 1",
  ])("%s (copying masked columns where they can be read) is blocked, and nothing is copied", async (sql) => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
    expectProblem(answer, 403, "blocked");
    expect(answer.body.detail).toMatch(/the copy would be readable unmasked|a copy would hold them unmasked/);
    const names = await targetQuery<{ name: string }>(fx, connection, "SELECT name FROM customers ORDER BY id");
    expect(names.map((row) => row.name)).toEqual(CUSTOMERS.map((customer) => customer.name));
    expect(await tableExists(connection, "loot")).toBe(false);
    expect(await orderCount(connection)).toBe(ORDERS.length);
  });

  test.each(["UPDATE orders SET status = 'lost'", "DELETE FROM orders", "UPDATE orders SET status = 'lost' WHERE 1 = 1 OR id = 1"])(
    "%s (no real WHERE) is blocked with the hint to add a WHERE",
    async (sql) => {
      const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
      if (sql.includes("WHERE")) {
        // A tautological WHERE is at least not run without a person looking at it.
        expect([202, 403], answer.text).toContain(answer.status);
        return;
      }
      expectProblem(answer, 403, "blocked");
      expect(answer.body.hints.join(" ")).toMatch(/add a WHERE/i);
      expect(await orderCount(connection)).toBe(ORDERS.length);
      const statuses = await targetQuery<{ status: string }>(fx, connection, "SELECT status FROM orders ORDER BY id");
      expect(statuses.map((row) => row.status)).toEqual(ORDERS.map((order) => order.status));
    },
  );

  test("masked columns come back masked, with hints naming them", async () => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql: "SELECT id, card_number, card_last4, ssn, email FROM customers ORDER BY id" });
    expect(answer.status, answer.text).toBe(200);
    expectNoLeak(answer, "a plain SELECT");
    const rows = answer.body.rows as string[][];
    expect(rows).toHaveLength(CUSTOMERS.length);
    rows.forEach((row, index) => {
      const customer = CUSTOMERS[index]!;
      expect(row[1]).not.toBe(customer.cardNumber);
      expect(String(row[1])).toContain(customer.cardLast4);
      expect(row[2]).toBe(customer.cardLast4);
      expect(row[3]).not.toContain(customer.ssn.slice(0, 3));
      expect(row[4]).not.toContain(customer.email.split("@")[0]);
    });
    const masked = (answer.body.masked as { column: string; strategy: string }[]).map((m) => `${m.column}:${m.strategy}`).sort();
    expect(masked).toEqual(["card_number:card", "email:email", "ssn:redact"]);
    expect(answer.body.hints.join(" ")).toMatch(/card_number/);
  });

  const bypasses = [...COMMON_BYPASSES, ...(connection === "shop_pg" ? PG_BYPASSES : MYSQL_BYPASSES)];
  test.each(bypasses)("bypass attempt is masked or refused: %s", async (sql) => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
    expectNoLeak(answer, sql);
    // 200 masked; 202 held for a person; 403 blocked; 422 the database refused it (e.g. a table name in the
    // wrong case on MariaDB) or masking_mismatch (the result's shape is not what policy planned, so nothing was
    // returned: fail closed); 400 the server's grammar rejects it (answered at once, never run).
    expect([200, 202, 400, 403, 422], answer.text.slice(0, 400)).toContain(answer.status);
    if (answer.status === 400) expect(answer.body.code).toBe("syntax_error");
    if (answer.status === 200) expect(answer.body.rowCount).toBeGreaterThan(0);
    if (answer.status === 403) expect(answer.body.code).toBe("blocked");
    if (answer.status === 422) expect(["target_error", "masking_mismatch"]).toContain(answer.body.code);
    if (answer.status === 202) {
      // Anything not understood waits for a person; it must not be a quiet allow.
      expect(answer.body.status).toBe("pending");
    }
  });

  test.each(PROBES)("probing a masked column is blocked: %s", async (sql) => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
    expectProblem(answer, 403, "blocked");
    expectNoLeak(answer, sql);
    expect(answer.body.hints.join(" ") + " " + answer.body.detail).toMatch(/mask/i);
  });

  test.each(["SELECT 1; DROP TABLE customers", "SELECT 1;DROP TABLE customers;", "SELECT id FROM orders; TRUNCATE orders"])(
    "a multi-statement text with a destructive part is blocked: %s",
    async (sql) => {
      const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
      expectProblem(answer, 403, "blocked");
      expect(await tableExists(connection, "customers")).toBe(true);
      expect(await orderCount(connection)).toBe(ORDERS.length);
    },
  );

  const commentTricks = [
    "/* harmless */ DROP TABLE customers",
    "SELECT 1 -- ;\n; DROP TABLE customers",
    "SELECT 1; /* x */ DROP /* y */ TABLE customers",
    "DR/**/OP TABLE customers",
    "-- SELECT 1\nDROP TABLE customers",
    "SELECT 1 /* ; */ ; DROP TABLE customers -- */",
    ...(connection === "shop_mysql"
      ? ["/*! DROP TABLE customers */", "SELECT 1 /*!; DROP TABLE customers */", "/*!50000 DROP TABLE customers */", "SELECT 1 # ;\n; DROP TABLE customers"]
      : ["SELECT 1 /* nested /* comment */ ; DROP TABLE customers */; DROP TABLE customers"]),
  ];
  test.each(commentTricks)("comment trick does not drop anything: %j", async (sql) => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
    // Understood and blocked, held for a person (unanalysable), or refused at once as the database's syntax error
    // ("DR/**/OP"): never run.
    expect([403, 202, 400], answer.text.slice(0, 400)).toContain(answer.status);
    if (answer.status === 400) expect(answer.body.code).toBe("syntax_error");
    expect(await tableExists(connection, "customers")).toBe(true);
  });

  const harmless = ["SELECT 1 AS one /* ; DROP TABLE customers */", "SELECT 'x; DROP TABLE customers' AS s", ...(connection === "shop_pg" ? ["SELECT $$; DROP TABLE customers; $$ AS s"] : [])];
  test.each(harmless)("text that only looks destructive inside a comment or literal still runs: %j", async (sql) => {
    const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.rowCount).toBe(1);
    expect(await tableExists(connection, "customers")).toBe(true);
  });

  // An ordinary query: a function over a masked column without an alias. It must come back masked (200),
  // not as a 500 because the analyser named the column differently from the database.
  test.each(["SELECT UPPER(card_number), LOWER(ssn) FROM customers", "SELECT id, TRIM(card_number) FROM customers ORDER BY id"])(
    "an unaliased function over a masked column is answered masked: %s",
    async (sql) => {
      const answer = await query(gw.url, fx.tokens.valid, { connection, sql });
      expectNoLeak(answer, sql);
      expect(answer.status, answer.text.slice(0, 400)).toBe(200);
      expect(answer.body.rowCount).toBe(CUSTOMERS.length);
      expect(answer.body.masked.length).toBeGreaterThan(0);
    },
  );

  // ── Approvals ──────────────────────────────────────────────────────────────────────────────────────

  test("an UPDATE waits for approval; once approved it runs once; a replay is refused", async () => {
    const before = await orderAmount(connection, 1);
    const pending = await query(gw.url, fx.tokens.valid, {
      connection,
      sql: `UPDATE orders SET amount_cents = amount_cents + ${p(1)} WHERE id = ${p(2)}`,
      params: [7, 1],
    });
    expect(pending.status, pending.text).toBe(202);
    expect(pending.body.status).toBe("pending");
    const id = pending.body.approval.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(pending.headers.get("location")).toBe(`/v1/approvals/${id}`);
    expect(await orderAmount(connection, 1)).toBe(before);

    // Still pending when asked without waiting.
    const still = await getApproval(gw.url, fx.tokens.valid, id, 0);
    expect(still.status, still.text).toBe(202);

    await approve(fx, id);
    const done = await getApproval(gw.url, fx.tokens.valid, id, 10);
    expect(done.status, done.text).toBe(200);
    expect(done.body.rowCount).toBe(1);
    expect(await orderAmount(connection, 1)).toBe(before + 7);

    const replay = await getApproval(gw.url, fx.tokens.valid, id, 0);
    expectProblem(replay, 409, "approval_used");
    const replayWaiting = await getApproval(gw.url, fx.tokens.valid, id, 2);
    expectProblem(replayWaiting, 409, "approval_used");
    expect(await orderAmount(connection, 1)).toBe(before + 7);
  });

  test("a rejected approval answers 403 approval_rejected with the reviewer's reason, and nothing runs", async () => {
    const before = await orderAmount(connection, 2);
    const pending = await query(gw.url, fx.tokens.valid, { connection, sql: "UPDATE orders SET amount_cents = amount_cents + 100 WHERE id = 2" });
    expect(pending.status, pending.text).toBe(202);
    const id = pending.body.approval.id as string;
    const reason = "Not during the release freeze";
    await reject(fx, id, reason);
    const answer = await getApproval(gw.url, fx.tokens.valid, id, 5);
    expectProblem(answer, 403, "approval_rejected");
    expect(answer.body.reason).toBe(reason);
    expect(answer.body.detail).toContain(reason);
    expect(await orderAmount(connection, 2)).toBe(before);
    // Asking again does not run it either.
    const again = await getApproval(gw.url, fx.tokens.valid, id, 0);
    expect(again.status).toBe(403);
    expect(await orderAmount(connection, 2)).toBe(before);
  });

  test("an expired approval answers 410 approval_expired, and nothing runs", async () => {
    const before = await orderAmount(connection, 3);
    const pending = await query(gw.url, fx.tokens.valid, { connection, sql: "DELETE FROM orders WHERE id = 3 AND status = 'nope'" });
    expect(pending.status, pending.text).toBe(202);
    const id = pending.body.approval.id as string;
    await fx.store.approvalRequest.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const answer = await getApproval(gw.url, fx.tokens.valid, id, 0);
    expectProblem(answer, 410, "approval_expired");
    expect(await orderAmount(connection, 3)).toBe(before);
    expect(await orderCount(connection)).toBe(ORDERS.length);
  });

  test("an approval expired after it was approved is not run", async () => {
    const before = await orderAmount(connection, 5);
    const pending = await query(gw.url, fx.tokens.valid, { connection, sql: "UPDATE orders SET amount_cents = amount_cents + 1000 WHERE id = 5" });
    expect(pending.status, pending.text).toBe(202);
    const id = pending.body.approval.id as string;
    await approve(fx, id);
    await fx.store.approvalRequest.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const answer = await getApproval(gw.url, fx.tokens.valid, id, 0);
    expect([410, 409], answer.text).toContain(answer.status);
    expect(await orderAmount(connection, 5)).toBe(before);
  });

  test("another agent asking for this agent's approval gets 404, and cannot run it", async () => {
    const before = await orderAmount(connection, 4);
    const pending = await query(gw.url, fx.tokens.valid, { connection, sql: "UPDATE orders SET amount_cents = amount_cents + 1 WHERE id = 4" });
    expect(pending.status, pending.text).toBe(202);
    const id = pending.body.approval.id as string;
    await approve(fx, id);
    const stranger = await getApproval(gw.url, fx.tokens.other, id, 0);
    expectProblem(stranger, 404, "approval_not_found");
    const strangerWaiting = await getApproval(gw.url, fx.tokens.other, id, 1);
    expect(strangerWaiting.status).toBe(404);
    const unknown = await getApproval(gw.url, fx.tokens.valid, "00000000-0000-4000-8000-000000000000", 0);
    expectProblem(unknown, 404, "approval_not_found");
    const garbage = await getApproval(gw.url, fx.tokens.valid, "not-a-uuid", 0);
    expect(garbage.status).toBe(404);
    expect(await orderAmount(connection, 4)).toBe(before);
    // The owner still can.
    const mine = await getApproval(gw.url, fx.tokens.valid, id, 5);
    expect(mine.status, mine.text).toBe(200);
    expect(await orderAmount(connection, 4)).toBe(before + 1);
  });

  test("POST with wait while an approver approves concurrently answers 200 with the result", async () => {
    const before = await orderAmount(connection, 6);
    const marker = `w${Date.now().toString(36)}`;
    const sql = `UPDATE orders SET amount_cents = amount_cents + 3 WHERE id = 6 AND status <> '${marker}'`;
    const posted = query(gw.url, fx.tokens.valid, { connection, sql, wait: 10 });
    // The approver finds the request on the dashboard (here: in the store) and approves it.
    const deadline = Date.now() + 8_000;
    let id: string | undefined;
    while (!id && Date.now() < deadline) {
      const found = await fx.store.approvalRequest.findFirst({ where: { sqlText: sql, status: "pending" }, select: { id: true } });
      id = found?.id;
      if (!id) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(id, "the approval request was never created").toBeDefined();
    await approve(fx, id!);
    const answer = await posted;
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.rowCount).toBe(1);
    expect(await orderAmount(connection, 6)).toBe(before + 3);
  });

  test("the agent that owns nothing cannot approve: an approval by the agent's owner (policy author) is refused", async () => {
    const pending = await query(gw.url, fx.tokens.valid, { connection, sql: "UPDATE orders SET status = status WHERE id = 1" });
    expect(pending.status, pending.text).toBe(202);
    await expect(approve(fx, pending.body.approval.id, fx.users.policyAuthor.id)).rejects.toThrow(/forbidden_role|own_agent/);
    await expect(approve(fx, pending.body.approval.id, fx.users.auditor.id)).rejects.toThrow(/forbidden_role/);
  });
});

// ── Database errors ────────────────────────────────────────────────────────────────────────────────────────

describe("views on the target", () => {
  test("a view created on the target behind Airlock's back is masked through its definition (PostgreSQL)", async () => {
    await targetQuery(fx, "shop_pg", "CREATE OR REPLACE VIEW http_customer_cards AS SELECT id, card_number AS c, ssn, name FROM customers");
    try {
      const named = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql: "SELECT id, c, ssn, name FROM http_customer_cards ORDER BY id" });
      expect(named.status, named.text).toBe(200);
      expectNoLeak(named, "a view's columns");
      const first = named.body.rows[0] as unknown[];
      expect(first).toEqual([1, "**** **** **** 1111", "****", CUSTOMERS[0]!.name]);
      // Masked because of where the columns come from (the view's definition), not by a value detector's luck.
      expect(named.body.masked).toEqual([
        expect.objectContaining({ column: "c", via: "origin", source: "public.http_customer_cards.c" }),
        expect.objectContaining({ column: "ssn", via: "origin", source: "public.http_customer_cards.ssn" }),
      ]);

      const star = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql: "SELECT * FROM http_customer_cards WHERE id = $1", params: [2] });
      expect(star.status, star.text).toBe(200);
      expectNoLeak(star, "a view's *");
    } finally {
      await targetQuery(fx, "shop_pg", "DROP VIEW IF EXISTS http_customer_cards");
    }
  });
});

describe("database errors", () => {
  test("a statement that chokes on a masked value does not get that value back in the database's error", async () => {
    // The cast fails on the card number itself, and PostgreSQL quotes the value in its message.
    const answer = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql: "SELECT card_number::int AS n FROM customers WHERE id = 1" });
    expectProblem(answer, 422, "target_error");
    expectNoLeak(answer, "the database's error text");
  });

  test("a masked column read where no result column or condition shows it: an error quoting its value keeps only the SQLSTATE", async () => {
    // reverse() defeats the value detectors; the LATERAL column is neither returned nor a condition (OFFSET 0 and a volatile term keep PostgreSQL from dropping it unevaluated).
    const sql = "SELECT c.id FROM customers c, LATERAL (SELECT reverse(c.ssn)::int + (random() * 0)::int AS n OFFSET 0) x WHERE c.id = 1";
    const answer = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql });
    expectProblem(answer, 422, "target_error");
    expectNoLeak(answer, "the database's error text");
    expect(answer.text).toContain("details hidden");
    expect(answer.text).toContain("22P02");
  });

  test("an error that can only name the statement's own words keeps its text, masked tables or not", async () => {
    for (const connection of ["shop_pg", "shop_mysql"] as const) {
      const answer = await query(gw.url, fx.tokens.valid, { connection, sql: "SELECT nmae FROM customers WHERE id = 1" });
      expectProblem(answer, 422, "target_error");
      expect(answer.text, connection).toMatch(/nmae/);
      expect(answer.text, connection).not.toContain("details hidden");
    }
  });
});

// ── The recording ──────────────────────────────────────────────────────────────────────────────────────

describe("recording", () => {
  test("statements, decisions and results are recorded with the SQL text and never a raw secret", async () => {
    const sql = "SELECT id, card_number, ssn, email FROM customers WHERE id = 1";
    const answers = await Promise.all(engines.map(({ connection }) => query(gw.url, fx.tokens.valid, { connection, sql })));
    for (const answer of answers) expect(answer.status, answer.text).toBe(200);
    const sessionIds = [...new Set(answers.map((answer) => answer.body.sessionId as string))];
    expect(sessionIds).toHaveLength(2);

    // Recording is write-ahead: the events are in the store once the answer has been sent.
    for (const sessionId of sessionIds) {
      await gw.recorded();
      const events = await fx.store.sessionEvent.findMany({ where: { sessionId }, orderBy: { seq: "asc" } });
      const types = new Set(events.map((event) => event.type));
      for (const type of ["statement", "decision", "result"] as const) expect(types, `session ${sessionId}`).toContain(type);
      expect(events.filter((event) => event.type === "statement").map((event) => event.sqlText)).toContain(sql);
      expect(events.some((event) => event.type === "decision" && event.decision === "block")).toBe(true);
      expect(events.some((event) => event.type === "approval_outcome")).toBe(true);
      const session = await fx.store.agentSession.findUniqueOrThrow({ where: { id: sessionId } });
      expect(session.agentId).toBe(fx.agent.id);
    }

    // Nothing raw in any recorded payload, across every session this file produced.
    const all = await fx.store.sessionEvent.findMany({ select: { id: true, type: true, payload: true } });
    expect(all.length).toBeGreaterThan(50);
    const text = JSON.stringify(all.map((event) => event.payload));
    expect(leakedSecrets(text, encodedSecrets())).toEqual([]);
    for (const customer of CUSTOMERS) expect(text).not.toContain(customer.email);
    // The approvals' stored decisions carry no raw values either (parameters are sealed).
    const approvals = await fx.store.approvalRequest.findMany({ select: { decision: true } });
    expect(leakedSecrets(JSON.stringify(approvals), encodedSecrets())).toEqual([]);
  });

  test("verifyChains finds every session's hash chain intact", async () => {
    await gw.recorded();
    const report = await verifyChains(fx.store);
    expect(report.sessions).toBeGreaterThanOrEqual(2);
    expect(report.events).toBeGreaterThan(50);
    expect(report.broken).toEqual([]);
  });

  test("the gateway's own log never holds a raw secret or a target password", () => {
    const output = gw.output();
    expect(output.length).toBeGreaterThan(0);
    expect(leakedSecrets(output)).toEqual([]);
    expect(output).not.toContain(fx.targetPasswords.pg);
    expect(output).not.toContain(fx.targetPasswords.mysql);
  });
});
