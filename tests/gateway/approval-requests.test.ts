import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decideApproval } from "../../lib/approvals/decide";
import { validatePolicy } from "../../lib/policy";
import { CUSTOMERS, approve, createGatewayFixture, getApproval, leakedSecrets, query, targetQuery, type GatewayFixture } from "./support";
import { SECRET_VALUES } from "./support/shop";
import { startWireGateway, type WireGateway } from "../pgwire/support";

// What a person deciding an approval gets from the request, on real gateway and targets: the agent's reason (from
// the HTTP body, a leading comment, or `SET airlock.reason` on the PostgreSQL door), a rule that refuses a
// statement without one, the dry run's masked preview (and the table untouched by it), a connection whose
// previews are off, and the approver's comment carried back to the agent with its result.

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("approval_requests");
  const parsed = validatePolicy({
    version: 1,
    id: "reasons-test",
    name: "Deletes need a reason (tests)",
    rules: [
      {
        id: "deletes-need-a-reason",
        name: "Deletes wait for an approver, with the agent's reason",
        match: { kinds: ["delete"] },
        action: { type: "require_approval", requireReason: true, message: "Deletes need a reviewer and a reason" },
      },
    ],
  });
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed.errors)}`);
  const document = JSON.parse(JSON.stringify(parsed.policy)) as object;
  await fx.store.policy.create({
    data: { name: parsed.policy.name, priority: 30, document, revisions: { create: { version: 1, document, authorId: fx.users.policyAuthor.id, comment: "reasons tests" } } },
  });
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

async function requestRow(id: string) {
  return fx.store.approvalRequest.findUniqueOrThrow({ where: { id }, select: { reason: true, preview: true, sqlText: true } });
}

interface PreviewJson {
  status: string;
  engine: string;
  rowsAffected?: number;
  estimatedRows?: number;
  flags: { code: string }[];
  sample?: { table: string; columns: string[]; before: (unknown[] | null)[]; after: (unknown[] | null)[]; maskedColumns: string[] };
}

describe("the agent's reason", () => {
  test("from the HTTP body is stored with the request and recorded", async () => {
    const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "UPDATE orders SET status = 'held' WHERE id = 1", reason: "ticket OPS-41: hold the order while support checks it" });
    expect(answer.status, answer.text).toBe(202);
    const id = (answer.body as { approval: { id: string } }).approval.id;
    expect((await requestRow(id)).reason).toBe("ticket OPS-41: hold the order while support checks it");
    await wire.gateway.recorded();
    const wait = await fx.store.sessionEvent.findFirstOrThrow({ where: { type: "approval_wait", payload: { path: ["approvalId"], equals: id } }, select: { payload: true } });
    expect((wait.payload as { reason?: string }).reason).toBe("ticket OPS-41: hold the order while support checks it");
    // The dry run is recorded with the wait, as the approvers saw it.
    expect((wait.payload as { preview?: { status: string; rowsAffected: number } }).preview).toMatchObject({ status: "ran", rowsAffected: 1 });
  });

  test("from a leading comment, on MySQL too; detected values in it are redacted", async () => {
    const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_mysql", sql: "/* reason: customer 4111 1111 1111 1111 asked */ UPDATE orders SET status = 'held' WHERE id = 2" });
    expect(answer.status, answer.text).toBe(202);
    const row = await requestRow((answer.body as { approval: { id: string } }).approval.id);
    expect(row.reason).toMatch(/^customer .* asked$/);
    expect(row.reason).not.toContain("4111 1111 1111 1111");
  });

  test("a rule that asks for one refuses the statement without it, with a hint, and asks nobody", async () => {
    const before = await fx.store.approvalRequest.count();
    const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "DELETE FROM orders WHERE id = 6" });
    expect(answer.status, answer.text).toBe(422);
    expect(answer.body.code).toBe("reason_required");
    expect((answer.body as { hints: string[] }).hints.join(" ")).toMatch(/SET airlock\.reason/);
    expect(await fx.store.approvalRequest.count()).toBe(before);
    // A blank reason is no reason.
    expect((await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "DELETE FROM orders WHERE id = 6", reason: "   " })).body.code).toBe("reason_required");
    const given = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "DELETE FROM orders WHERE id = 6", reason: "duplicate order" });
    expect(given.status, given.text).toBe(202);
  });

  test("SET airlock.reason on the PostgreSQL door gives the session's statements their reason", async () => {
    const client = await wire.client(fx.tokens.valid);
    await client.query("SET airlock.reason = 'OPS-77: correct a mistyped status'");
    expect((await client.query("SHOW airlock.reason")).rows[0]).toEqual({ "airlock.reason": "OPS-77: correct a mistyped status" });
    const sql = "UPDATE orders SET status = 'paid' WHERE id = 3";
    const running = client.query(sql).then(
      (result) => ({ ok: true as const, result }),
      (error: Error) => ({ ok: false as const, error }),
    );
    const id = await pendingFor(sql);
    expect((await requestRow(id)).reason).toBe("OPS-77: correct a mistyped status");
    const decided = await decideApproval(fx.store, { requestId: id, userId: fx.users.approver.id, verdict: "approve", reason: "fine, status 3 was mistyped" });
    expect(decided.ok).toBe(true);
    const notices: string[] = [];
    client.on("notice", (notice) => notices.push(`${notice.message} ${notice.detail ?? ""}`));
    const outcome = await running;
    expect(outcome.ok, outcome.ok ? "" : outcome.error.message).toBe(true);
    expect(notices.join("\n")).toContain("fine, status 3 was mistyped");
    await client.query("RESET airlock.reason");
  });
});

describe("the dry-run preview", () => {
  test("a masked before/after sample and the exact row count, with the table untouched", async () => {
    const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "UPDATE customers SET name = upper(name) WHERE id <= 3", reason: "normalise names" });
    expect(answer.status, answer.text).toBe(202);
    const row = await requestRow((answer.body as { approval: { id: string } }).approval.id);
    const preview = row.preview as unknown as PreviewJson;
    expect(preview.status).toBe("ran");
    expect(preview.rowsAffected).toBe(3);
    expect(preview.sample!.before.length).toBe(3);
    const nameAt = preview.sample!.columns.indexOf("name");
    expect(preview.sample!.before.map((r) => r![nameAt])).toEqual(CUSTOMERS.slice(0, 3).map((c) => c.name));
    expect(preview.sample!.after.map((r) => r![nameAt])).toEqual(CUSTOMERS.slice(0, 3).map((c) => c.name.toUpperCase()));
    expect(preview.sample!.maskedColumns).toEqual(expect.arrayContaining(["card_number", "ssn", "email"]));
    expect(leakedSecrets(JSON.stringify(row.preview), SECRET_VALUES)).toEqual([]);
    // Rolled back: nothing changed.
    const names = await targetQuery<{ name: string }>(fx, "shop_pg", "SELECT name FROM customers WHERE id <= 3 ORDER BY id");
    expect(names.map((r) => r.name)).toEqual(CUSTOMERS.slice(0, 3).map((c) => c.name));
  });

  test("MySQL: the plan's estimate and a rolled-back count", async () => {
    const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_mysql", sql: "UPDATE orders SET amount_cents = amount_cents + 1 WHERE customer_id = 1" });
    expect(answer.status, answer.text).toBe(202);
    const preview = (await requestRow((answer.body as { approval: { id: string } }).approval.id)).preview as unknown as PreviewJson;
    expect(preview.engine).toBe("mysql");
    expect(preview.rowsAffected).toBe(2);
    expect(preview.estimatedRows).toBeGreaterThan(0);
    const amounts = await targetQuery<{ amount_cents: number }>(fx, "shop_mysql", "SELECT amount_cents FROM orders WHERE customer_id = 1 ORDER BY id");
    expect(amounts.map((r) => Number(r.amount_cents))).toEqual([1250, 4999]);
  });

  test("is off for a connection that turned previews off", async () => {
    await fx.store.connection.update({ where: { name: "shop_pg" }, data: { previewWrites: false } });
    try {
      // The gateway reads connections through a short cache.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const answer = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "UPDATE orders SET status = 'x' WHERE id = 5" });
      expect(answer.status, answer.text).toBe(202);
      expect(((await requestRow((answer.body as { approval: { id: string } }).approval.id)).preview as unknown as PreviewJson).status).toBe("off");
    } finally {
      await fx.store.connection.update({ where: { name: "shop_pg" }, data: { previewWrites: true } });
    }
  });
});

describe("the approver's comment", () => {
  test("comes back to the agent with the result of the approved statement", async () => {
    const asked = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "UPDATE orders SET status = 'paid' WHERE id = 4", reason: "refund was reversed" });
    const id = (asked.body as { approval: { id: string } }).approval.id;
    expect((await decideApproval(fx.store, { requestId: id, userId: fx.users.approver.id, verdict: "approve", reason: "ok — reversal confirmed in Stripe" })).ok).toBe(true);
    const result = await getApproval(wire.gateway.url, fx.tokens.valid, id, 5);
    expect(result.status, result.text).toBe(200);
    expect((result.body as { approval?: { comments?: { comment: string }[] } }).approval?.comments?.[0]?.comment).toBe("ok — reversal confirmed in Stripe");
  });

  test("a plain approval without comment adds nothing", async () => {
    const asked = await query(wire.gateway.url, fx.tokens.valid, { connection: "shop_pg", sql: "UPDATE orders SET status = 'paid' WHERE id = 5" });
    const id = (asked.body as { approval: { id: string } }).approval.id;
    await approve(fx, id);
    const result = await getApproval(wire.gateway.url, fx.tokens.valid, id, 5);
    expect(result.status, result.text).toBe(200);
    expect((result.body as { approval?: { comments?: unknown } }).approval?.comments).toBeUndefined();
  });
});

/** The id of the pending request for exactly this text, once the door has asked for it. */
async function pendingFor(sql: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const found = await fx.store.approvalRequest.findFirst({ where: { sqlText: sql, status: "pending" }, orderBy: { requestedAt: "desc" }, select: { id: true } });
    if (found) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no pending request for ${sql}`);
}
