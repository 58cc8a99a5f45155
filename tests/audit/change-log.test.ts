import { afterAll, beforeAll, expect, test } from "vitest";
import { allChanges, listChanges, parseChangeFilter, parseCursor, type ChangeFilter } from "../../lib/audit/change-log";
import { recordChange, type ChangeAction } from "../../lib/audit/changes";
import { migratedScratch, type ApprovalTestDb } from "../approvals/fixtures";

// The audit log's reads against a real store: keyset pages never skip or repeat, filters narrow, exports batch.

let t: ApprovalTestDb;
let alice: string;
let bob: string;
const ACTIONS: ChangeAction[] = ["policy.update", "connection.create", "token.revoke"];

beforeAll(async () => {
  t = await migratedScratch("changelog");
  alice = (await t.store.user.create({ data: { email: "alice@corp.test", name: "Alice", roles: ["admin"] } })).id;
  bob = (await t.store.user.create({ data: { email: "bob@corp.test", name: "Bob", roles: ["policy_author"] } })).id;
  // 130 changes over three days: alternating people and actions.
  for (let i = 0; i < 130; i++) {
    const at = new Date(Date.UTC(2026, 10, 20 + Math.floor(i / 50), 12, 0, i % 50));
    await recordChange(t.store, { actorId: i % 2 ? bob : alice, action: ACTIONS[i % 3]!, targetType: i % 3 === 1 ? "connection" : "policy", targetId: `t-${i}`, details: { n: i }, at });
  }
});
afterAll(async () => t?.close());

function parsed(params: Record<string, string>): ChangeFilter {
  const result = parseChangeFilter(params);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.filter;
}

async function walk(filter: ChangeFilter, size: number): Promise<number[]> {
  const seen: number[] = [];
  let before: bigint | null = null;
  for (;;) {
    const page = await listChanges(t.store, filter, before, size);
    seen.push(...page.rows.map((row) => (row.details as { n: number }).n));
    if (!page.next) return seen;
    before = parseCursor(page.next);
  }
}

test("pages walk the whole log newest first without skipping or repeating", async () => {
  const seen = await walk({}, 17);
  expect(seen).toEqual([...Array(130).keys()].reverse());
});

test("filters narrow by person, action, kind and UTC day, and combine", async () => {
  expect((await walk(parsed({ actor: bob }), 10)).every((n) => n % 2 === 1)).toBe(true);
  expect(await walk(parsed({ action: "token.revoke" }), 10)).toEqual([...Array(130).keys()].filter((n) => n % 3 === 2).reverse());
  expect((await walk(parsed({ target: "connection" }), 10)).every((n) => n % 3 === 1)).toBe(true);
  expect(await walk(parsed({ from: "2026-11-21", to: "2026-11-21" }), 7)).toEqual([...Array(50).keys()].map((n) => n + 50).reverse());
  const combined = await walk(parsed({ actor: alice, action: "policy.update", from: "2026-11-22" }), 5);
  expect(combined).toEqual([...Array(30).keys()].map((n) => n + 100).filter((n) => n % 2 === 0 && n % 3 === 0).reverse());
});

test("a bad filter is reported by name instead of widening the view", () => {
  expect(parseChangeFilter({ action: "policy.explode", actor: "someone", from: "2026-13-40", to: "yesterday" })).toEqual({
    ok: false,
    problems: { action: expect.any(String), actor: expect.any(String), from: "not a real day", to: "a day as YYYY-MM-DD" },
  });
  expect(parseChangeFilter({ action: "", actor: "" })).toEqual({ ok: true, filter: {} });
  expect(parseCursor("12")).toBe(12n);
  for (const bad of ["0", "-1", "1e3", "abc", "99999999999999999999"]) expect(parseCursor(bad)).toBeNull();
});

test("exports come in batches that add up to the filtered log", async () => {
  const batches: number[] = [];
  let total = 0;
  for await (const batch of allChanges(t.store, parsed({ actor: alice }), 20)) {
    batches.push(batch.length);
    total += batch.length;
  }
  expect(total).toBe(65);
  expect(batches).toEqual([20, 20, 20, 5]);
});
