import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compiledPolicies, decide, policiesWithDraft, whatWouldChange } from "@/app/(console)/policies/simulate/simulation";
import { defaultPolicy } from "@/lib/policy/defaults";
import { policySchema, type Policy } from "@/lib/policy/model";
import type { Store } from "@/lib/store/client";
import { migratedScratch, type ApprovalTestDb } from "../approvals/fixtures";

// The simulator's server side against a real store: which policies are in force (enabled, by priority, invalid
// ones skipped, a draft standing in for its saved version or added as new), and "what would change" over the
// recorded statements.

let scratch: ApprovalTestDb;
let store: Store;
const now = new Date("2026-01-01T00:00:00Z");

const shop = policySchema.parse({
  id: "shop",
  name: "Shop",
  rules: [
    { id: "mask-ssn", name: "SSN", scope: { connections: ["shop"] }, action: { type: "mask", columns: ["customers.ssn"], strategy: { kind: "redact" } } },
    { id: "reads", name: "Reads", match: { kinds: ["select"] }, action: { type: "allow" } },
  ],
});
const json = (policy: Policy) => JSON.parse(JSON.stringify(policy)) as object;

/** A recorded statement with values an agent wrote into it (in a constant and in a comment). */
const ORDERS_SQL = "SELECT id FROM orders WHERE note = 'card 4111 1111 1111 1111' /* for ada@example.com */";
let agent: { id: string; name: string; groups: string[] };
let shopId = "";

beforeAll(async () => {
  scratch = await migratedScratch("policies_sim");
  store = scratch.store;
  await store.policy.create({ data: { name: "Defaults", priority: 10, document: json(defaultPolicy()) } });
  shopId = (await store.policy.create({ data: { name: "Shop", priority: 20, document: json(shop) } })).id;
  await store.policy.create({ data: { name: "Off", priority: 30, enabled: false, document: json({ ...shop, id: "off", rules: [{ id: "block-all", name: "x", action: { type: "block", message: "off" } }] } as Policy) } });
  await store.policy.create({ data: { name: "Broken", priority: 40, document: { id: "broken", rules: "nope" } } });
  const created = await store.agent.create({ data: { name: "sim-agent", groups: ["eng"] } });
  agent = { id: created.id, name: created.name, groups: created.groups };
  const connection = await store.connection.create({
    data: { name: "shop", engine: "postgres", host: "db.internal", port: 5432, database: "shop", username: "airlock", secretCiphertext: randomBytes(16) },
  });
  const session = await store.agentSession.create({ data: { agentId: created.id, connectionId: connection.id, frontDoor: "http" } });
  const statements = ["SELECT name, ssn FROM customers", ORDERS_SQL, "DELETE FROM orders WHERE id = 1"];
  for (const [i, sqlText] of statements.entries())
    await store.sessionEvent.create({ data: { sessionId: session.id, seq: i + 1, type: "statement", sqlText, payload: {}, prevHash: "x", hash: `h${i}`, at: new Date(now.getTime() - (3 - i) * 1000) } });
  // An event of another type, with text, is not a recorded statement.
  await store.sessionEvent.create({ data: { sessionId: session.id, seq: 4, type: "error", sqlText: "SELECT name FROM customers", payload: {}, prevHash: "x", hash: "h4" } });
});

afterAll(async () => {
  await scratch?.close();
});

describe("policies in force", () => {
  test("enabled and valid, by priority; the disabled and the broken are left out", async () => {
    expect((await policiesWithDraft(store)).map((p) => p.id)).toEqual(["airlock-defaults", "shop"]);
  });

  test("a draft replaces its saved version in place, or joins at the end when new", async () => {
    const draft = { ...shop, rules: [...shop.rules, ...policySchema.parse({ id: "x", name: "x", rules: [{ id: "mask-name", name: "Names", action: { type: "mask", columns: ["customers.name"], strategy: { kind: "hash" } } }] }).rules] };
    const replaced = await policiesWithDraft(store, { policyId: shopId, policy: draft });
    expect(replaced.map((p) => [p.id, p.rules.length])).toEqual([["airlock-defaults", 16], ["shop", 3]]);
    const added = await policiesWithDraft(store, { policy: { ...draft, id: "new-one" } });
    expect(added.map((p) => p.id)).toEqual(["airlock-defaults", "shop", "new-one"]);
  });

  test("decide() analyses and evaluates as the gateway would", async () => {
    const decision = await decide(await compiledPolicies(store), "SELECT name, ssn FROM customers", { connection: { name: "shop", engine: "postgres" }, agent }, now);
    expect(decision.action).toBe("allow");
    if (decision.action === "block") return;
    expect(decision.masking.columns.map((c) => [c.name, c.strategy?.kind ?? null])).toEqual([["name", null], ["ssn", "redact"]]);
    const other = await decide(await compiledPolicies(store), "SELECT name, ssn FROM customers", { connection: { name: "reporting", engine: "postgres" }, agent }, now);
    expect(other.action === "block" ? null : other.masking.columns[1]!.strategy).toBeNull(); // the mask is scoped to "shop"
  });
});

describe("what would change", () => {
  test("lists the recorded statements whose action or masking the draft changes, newest first", async () => {
    const draft = policySchema.parse({
      ...shop,
      rules: [
        ...shop.rules,
        { id: "mask-name", name: "Names", scope: { connections: ["shop"] }, action: { type: "mask", columns: ["customers.name"], strategy: { kind: "redact" } } },
        { id: "no-orders", name: "No orders", match: { tables: ["orders"], kinds: ["select"] }, action: { type: "block", message: "orders are off limits" } },
      ],
    });
    const result = await whatWouldChange(store, { policyId: shopId, policy: draft }, 200, now, { showConstants: true });
    expect(result.scanned).toBe(3);
    expect(result.constantsHidden).toBe(false);
    expect(result.changed.map((c) => [c.sql, c.before.action, c.after.action])).toEqual([
      [ORDERS_SQL, "allow", "block"],
      ["SELECT name, ssn FROM customers", "allow", "allow"],
    ]);
    expect(result.changed[1]!.after.masked).toEqual(["name ← customers.name (redact)", "ssn ← customers.ssn (redact)"]);
    expect(result.changed[0]!.after.why).toBe("orders are off limits");
    expect(result.changed[0]!.agent).toBe("sim-agent");
  });

  test("without sessions.view, each statement is shown by its shape: no value and no comment of what the agent sent", async () => {
    const draft = policySchema.parse({
      ...shop,
      rules: [...shop.rules, { id: "no-orders", name: "No orders", match: { tables: ["orders"], kinds: ["select"] }, action: { type: "block", message: "orders are off limits" } }],
    });
    const result = await whatWouldChange(store, { policyId: shopId, policy: draft }, 200, now, { showConstants: false });
    expect(result.constantsHidden).toBe(true);
    expect(result.changed.map((c) => [c.sql, c.after.action])).toEqual([["SELECT id FROM orders WHERE note = ?", "block"]]);
    for (const secret of ["4111", "ada@example.com", "card"]) expect(JSON.stringify(result)).not.toContain(secret);
  });

  test("the last N only; and an unchanged draft changes nothing", async () => {
    const one = await whatWouldChange(store, { policyId: shopId, policy: shop }, 1, now, { showConstants: true });
    expect(one).toEqual({ scanned: 1, skipped: 0, changed: [], constantsHidden: false });
  });
});
