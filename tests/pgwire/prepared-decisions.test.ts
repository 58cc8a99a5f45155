import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_POLICY_ID, validatePolicy, type Policy } from "../../lib/policy";
import type { Frame } from "../../gateway/protocols/postgres/messages";
import { Code, dataRowCells } from "../../gateway/protocols/postgres/parser";
import { bind, execute, parse, SYNC } from "../../gateway/protocols/postgres/serializer";
import { CUSTOMERS, PG_CONNECTION, createGatewayFixture, targetQuery, type GatewayFixture } from "../gateway/support";
import { errorOf, RawClient } from "./raw";
import { startWireGateway, type WireGateway } from "./support";

// Decided at Parse, checked again at Execute. The PostgreSQL door decides a statement when it is parsed and lets
// later Executes reuse that decision only while it allowed the statement and the compiled policies and the
// connection are unchanged. Through the real door against the real PostgreSQL:
//   - unchanged: a prepared statement executed many times stays masked, and every execution is recorded;
//   - a policy saved (as the dashboard saves it) after Parse that blocks the statement: its next Execute is refused
//     with 42501 and nothing reaches the target;
//   - a policy saved after Parse that masks a column: the next Execute returns it masked (with and without a
//     Describe before it).
// The gateway's PolicyCache polls the store every second (policyRefreshMs is not settable through the gateway
// process): a test that saves a policy waits for the gateway's "policy.compiled" log line.

const MARKS_POLICY = "Prepared decisions test: inserts into marks";
const SHOP_POLICY = "Shop (tests)";
const INSERT_MARK = "INSERT INTO marks (tag) VALUES ($1) -- prepared_decisions";

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("pgwire_prepared");
  await targetQuery(fx, PG_CONNECTION, "CREATE TABLE marks (tag text NOT NULL)");
  // The defaults make every write wait for approval (and block > approval > allow), so they are switched off here
  // and a policy allowing exactly INSERT INTO marks is added; the shop policy (masks, reads) stays on.
  for (const row of await fx.store.policy.findMany({ select: { id: true, document: true } })) {
    if ((row.document as { id?: string }).id === DEFAULT_POLICY_ID) await fx.store.policy.update({ where: { id: row.id }, data: { enabled: false } });
  }
  const document = checked({
    version: 1,
    id: "prepared-decisions-marks",
    name: MARKS_POLICY,
    rules: [
      {
        id: "insert-marks",
        name: "Inserts into marks run at once",
        scope: { connections: [PG_CONNECTION] },
        match: { kinds: ["insert"], tables: ["marks"], tableAccess: "write" },
        action: { type: "allow" },
      },
    ],
  });
  await fx.store.policy.create({
    data: { name: MARKS_POLICY, priority: 30, document, revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id, comment: "test" } } },
  });
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

/** A validated policy document, as the store keeps it. */
function checked(input: unknown): object {
  const parsed = validatePolicy(input);
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed.errors)}`);
  return JSON.parse(JSON.stringify(parsed.policy)) as object;
}

/** How many times the gateway has compiled the policies in force (its log). */
function compilations(): number {
  return wire.gateway.output().split('"event":"policy.compiled"').length - 1;
}

/**
 * Saves a new version of a policy the way the dashboard does (document, version + 1, a revision row), then waits
 * until the gateway has compiled the policies again.
 */
async function revise(name: string, change: (policy: Policy) => unknown): Promise<void> {
  const row = await fx.store.policy.findUniqueOrThrow({ where: { name } });
  const document = checked(change(row.document as unknown as Policy));
  const before = compilations();
  const version = row.version + 1;
  await fx.store.$transaction([
    fx.store.policy.update({ where: { id: row.id }, data: { document, version } }),
    fx.store.policyRevision.create({ data: { policyId: row.id, version, document, authorId: fx.users.policyAuthor.id, comment: "prepared-decisions test" } }),
  ]);
  for (let waited = 0; compilations() === before; waited += 50) {
    if (waited > 10_000) throw new Error("the gateway did not compile the revised policy within 10 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const codes = (frames: readonly Frame[]) => frames.map((frame) => String.fromCharCode(frame.code)).join("");
const text = (cell: Buffer | null | undefined) => (cell === null || cell === undefined ? null : cell.toString("utf8"));

/** The recorded statements (sqlText) and decisions of the one session that ran `sqlText`, in order. */
async function recorded(sqlText: string) {
  await wire.gateway.recorded();
  const statements = await fx.store.sessionEvent.findMany({ where: { type: "statement", sqlText }, select: { sessionId: true } });
  const sessions = [...new Set(statements.map((event) => event.sessionId))];
  expect(sessions).toHaveLength(1);
  const events = await fx.store.sessionEvent.findMany({ where: { sessionId: sessions[0]! }, orderBy: { seq: "asc" }, select: { type: true, sqlText: true, decision: true } });
  return {
    statements: events.filter((event) => event.type === "statement").map((event) => event.sqlText),
    decisions: events.filter((event) => event.type === "decision").map((event) => event.decision),
  };
}

describe("a prepared statement's decision", () => {
  test("unchanged policies: executed many times, every result is masked and every execution is recorded", async () => {
    const client = await wire.client(fx.tokens.valid);
    // loud is computed from a masked column: masked by the decision's plan (RowDescription gives it no origin)
    const sql = `SELECT id, name, card_number, card_last4, ssn, upper(ssn) AS loud FROM customers WHERE id = $1 -- unchanged_${Date.now()}`;
    const RUNS = 25;
    for (let i = 0; i < RUNS; i++) {
      const customer = CUSTOMERS[i % CUSTOMERS.length]!;
      const { rows } = await client.query({ name: "unchanged", text: sql, values: [customer.id] });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: customer.id, name: customer.name, card_last4: customer.cardLast4, ssn: "****", loud: "****" });
      expect(rows[0].card_number).not.toBe(customer.cardNumber);
      expect(rows[0].card_number).toMatch(new RegExp(`^[* ]+${customer.cardLast4}$`));
    }
    const { statements, decisions } = await recorded(sql);
    expect(statements).toEqual(Array(RUNS).fill(sql));
    expect(decisions).toEqual(Array(RUNS).fill("allow"));
  });

  test("a policy that blocks it, saved after Parse: the next Execute is refused with 42501 and never reaches the target", async () => {
    const [allowed, refused] = [`allowed_${Date.now()}`, `refused_${Date.now()}`];
    const raw = await RawClient.login(wire.port, fx.tokens.valid, PG_CONNECTION);
    try {
      // parsed (and decided) once; executed while allowed
      raw.write(Buffer.concat([parse("mark", INSERT_MARK), bind("", "mark", [Buffer.from(allowed)]), execute(""), SYNC]));
      expect(codes(await raw.until(Code.ReadyForQuery))).toBe("12CZ");

      await revise(MARKS_POLICY, (policy) => ({
        ...policy,
        rules: policy.rules.map((rule) => ({ ...rule, action: { type: "block", message: "marks are closed" } })),
      }));

      // the same prepared statement, no new Parse
      raw.write(Buffer.concat([bind("", "mark", [Buffer.from(refused)]), execute(""), SYNC]));
      const frames = await raw.until(Code.ReadyForQuery);
      const error = frames.find((frame) => frame.code === Code.ErrorResponse);
      expect(error, codes(frames)).toBeDefined();
      expect(errorOf(error!)).toMatchObject({ code: "42501", message: expect.stringMatching(/^Airlock blocked this statement: marks are closed/) });
      expect(codes(frames)).not.toContain("C"); // no CommandComplete
      expect(frames.at(-1)!.payload[0]).toBe(0x49); // 'I': idle, the connection goes on
    } finally {
      raw.destroy();
    }
    const tags = await targetQuery<{ tag: string }>(fx, PG_CONNECTION, "SELECT tag FROM marks WHERE tag IN ($1, $2)", [allowed, refused]);
    expect(tags).toEqual([{ tag: allowed }]);
    const { statements, decisions } = await recorded(INSERT_MARK);
    expect(statements).toEqual([INSERT_MARK, INSERT_MARK]);
    expect(decisions).toEqual(["allow", "block"]);
  });

  test("a policy that masks a column, saved after Parse: the next Execute returns it masked (with and without Describe)", async () => {
    // name: masked by the plan and by its origin in RowDescription; shout (computed): by the plan alone
    const sql = "SELECT id, name, upper(name) AS shout, card_last4 FROM customers WHERE id = $1";
    // node-postgres: Parse once, then Bind + Describe portal + Execute by name
    const client = await wire.client(fx.tokens.valid);
    const byId = (id: number) => client.query({ name: "customer_by_id", text: sql, values: [id] });
    expect((await byId(1)).rows).toEqual([{ id: 1, name: "Ada Lovelace", shout: "ADA LOVELACE", card_last4: "1111" }]);
    // the raw wire: Parse now, Bind + Execute (no Describe) after the change
    const raw = await RawClient.login(wire.port, fx.tokens.valid, PG_CONNECTION);
    try {
      raw.write(Buffer.concat([parse("by_id", sql), SYNC]));
      expect(codes(await raw.until(Code.ReadyForQuery))).toBe("1Z");

      await revise(SHOP_POLICY, (policy) => ({
        ...policy,
        rules: [
          { id: "mask-names", name: "Names leave redacted", scope: { connections: [PG_CONNECTION] }, action: { type: "mask", columns: ["customers.name"], strategy: { kind: "redact" } } },
          ...policy.rules,
        ],
      }));

      const after = await byId(2);
      expect(after.rows).toEqual([{ id: 2, name: "****", shout: "****", card_last4: "4444" }]);

      raw.write(Buffer.concat([bind("", "by_id", [Buffer.from("3")]), execute(""), SYNC]));
      const frames = await raw.until(Code.ReadyForQuery);
      expect(codes(frames)).toBe("2DCZ");
      expect(dataRowCells(frames[1]!.payload).map(text)).toEqual(["3", "****", "****", "0005"]);
    } finally {
      raw.destroy();
    }
  });
});
