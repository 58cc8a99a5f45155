import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// Policies end to end, on the real launcher (store, gateway, demo shop database): a policy author creates a
// masking rule in the form, the simulator shows the mask before anything runs, "what would change" lists a
// recorded statement the rule affects, and the agent's next query through the gateway comes back masked. Then
// revisions with a diff, export and import, enable/disable and order; and people without policies.edit /
// policies.simulate / policies.view are refused by the pages and by the server actions themselves.

let app: AirlockConsole;
let policyId = "";

beforeAll(async () => {
  app = await openConsole();
});

afterAll(async () => {
  await app?.close();
});

interface QueryReply {
  readonly rows: unknown[][];
  readonly masked: { column: string; strategy: string; rule: string }[];
  readonly code?: string;
}

function agentQuery(sql: string) {
  return app.agentQuery<QueryReply>(sql);
}

/** Asks the gateway until `done` holds (its policy cache reloads about every second), at most 10 s. */
async function untilGateway(sql: string, done: (reply: { status: number; body: QueryReply }) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await agentQuery(sql);
    if (done(reply) || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function storeQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  return app.withStore(async (db) => (await db.query<T>(sql, params)).rows);
}

const NAME_SQL = "SELECT name FROM customers WHERE id = 1";

describe("policies", () => {
  test("an author creates a masking rule in the form; the simulator shows the mask first; the agent's next query is masked", async () => {
    // A statement the agent runs before the rule exists: recorded, and unmasked.
    const before = await agentQuery("SELECT id, name FROM customers ORDER BY id LIMIT 3");
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.rows[0]).toEqual([1, "Ada Lovelace"]);

    const { page } = await app.signIn("author@airlock.local");
    await page.goto(`${app.airlock.webUrl}/policies`);
    await page.getByRole("heading", { name: "Policies", level: 1 }).waitFor();
    await expect(page.locator("tr[data-policy]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-policy")))).resolves.toEqual(["airlock-defaults", "shop-demo"]);
    await page.screenshot({ path: screenshotPath("policies-list"), fullPage: true });

    await page.getByRole("link", { name: "New policy" }).click();
    await page.getByRole("heading", { name: "New policy" }).waitFor();

    // Nothing filled in: the browser reports each problem beside its field and sends nothing.
    let posts = 0;
    page.on("request", (request) => {
      if (request.method() === "POST" && request.headers()["next-action"]) posts += 1;
    });
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.locator("#policy-id-error").waitFor();
    await expect(page.locator("#policy-id-error").textContent()).resolves.toMatch(/id must be/);
    await expect(page.locator("#policy-name-error").textContent()).resolves.toBe("Required");
    await expect(page.locator("#r0-mask-columns-error").textContent()).resolves.toBe("Give at least one");
    await expect(page.locator("#r0-id").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(posts).toBe(0);
    await page.screenshot({ path: screenshotPath("policy-form-errors"), fullPage: true });

    await page.locator("#policy-name").fill("Customer PII");
    await page.locator("#policy-id").fill("customer-pii");
    await page.locator("#r0-id").fill("mask-names");
    await page.locator("#r0-name").fill("Customer names leave redacted");
    await page.locator("#r0-connections").fill("shop");
    await page.locator("#r0-mask-columns").fill("customers.name");
    await expect(page.locator("#r0-strategy").inputValue()).resolves.toBe("redact");

    // The draft in the simulator, before anything is saved.
    await page.locator("#draft-sim-sql").fill(NAME_SQL);
    await page.locator("#draft-sim-connection").selectOption("shop");
    await page.locator("#draft-sim-agent").selectOption({ label: "claude-demo" });
    await app.captureAction(page, "simulate", () => page.getByRole("button", { name: "Simulate with this draft" }).click());
    const draftDecision = page.getByRole("region", { name: "Simulated decision" });
    await draftDecision.locator('tr[data-column="name"][data-strategy="redact"]').waitFor();
    await expect(draftDecision.locator("[data-decision]").getAttribute("data-decision")).resolves.toBe("allow");
    await expect(draftDecision.textContent()).resolves.toContain("customer-pii/mask-names");

    // What would change: the statement recorded above is masked differently under the draft. A policy author may not
    // replay sessions, so it is shown by its shape: its constant (LIMIT 3) as ?.
    await page.getByRole("button", { name: "Show what would change" }).click();
    const changes = page.getByRole("region", { name: "What would change" });
    const changed = changes.locator("li[data-changed-statement]", { hasText: "SELECT id, name FROM customers ORDER BY id LIMIT ?" });
    await changed.waitFor();
    await changes.locator("[data-constants-hidden]").waitFor();
    await expect(changes.textContent()).resolves.not.toContain("LIMIT 3");
    await expect(changed.locator('[data-gist="before"]').textContent()).resolves.toContain("masks nothing");
    await expect(changed.locator('[data-gist="after"]').textContent()).resolves.toContain("name ← customers.name (redact)");
    await expect(changes.textContent()).resolves.not.toContain("SELECT name FROM customers WHERE id = 1"); // never sent to the gateway
    await page.screenshot({ path: screenshotPath("policy-editor"), fullPage: true });

    await page.locator("#comment").fill("Mask customer names");
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.waitForURL(/\/policies\/[0-9a-f-]{36}\?saved=1$/);
    policyId = /\/policies\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByText("Saved as version 1").waitFor();
    await page.locator('li[data-rule="mask-names"]').getByText("Mask customers.name with redact").waitFor();
    await page.screenshot({ path: screenshotPath("policy-detail"), fullPage: true });

    // The simulator with the policies in force now says the same, before the agent asks.
    await page.goto(`${app.airlock.webUrl}/policies/simulate`);
    await page.locator("#sim-sql").fill(NAME_SQL);
    await page.locator("#sim-agent").selectOption({ label: "claude-demo" });
    await page.getByRole("button", { name: "Simulate", exact: true }).click();
    const decision = page.getByRole("region", { name: "Simulated decision" });
    await decision.locator('tr[data-column="name"][data-strategy="redact"]').waitFor();
    await expect(decision.textContent()).resolves.toContain("With the policies in force");
    await page.screenshot({ path: screenshotPath("policy-simulator"), fullPage: true });

    // The agent's next query: masked by the gateway.
    const after = await untilGateway(NAME_SQL, (reply) => reply.body.rows?.[0]?.[0] === "****");
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.rows).toEqual([["****"]]);
    expect(after.body.masked).toEqual([expect.objectContaining({ column: "name", strategy: "redact", rule: expect.stringContaining("mask-names") })]);

    const [revision] = await storeQuery<{ version: number; email: string; comment: string }>(
      `SELECT r.version, u.email, r.comment FROM "PolicyRevision" r JOIN "User" u ON u.id = r."authorId" WHERE r."policyId" = $1`,
      [policyId],
    );
    expect(revision).toEqual({ version: 1, email: "author@airlock.local", comment: "Mask customer names" });
    const audit = await storeQuery<{ action: string }>(`SELECT action FROM "AuditLog" WHERE "targetId" = $1`, [policyId]);
    expect(audit.map((entry) => entry.action)).toEqual(["policy.create"]);
  });

  test("editing makes a revision with a readable diff; export and import round-trip; disable and order take effect", async () => {
    expect(policyId).not.toBe("");
    const { context, page } = await app.signIn("author@airlock.local");
    await page.goto(`${app.airlock.webUrl}/policies/${policyId}/edit`);
    await page.locator("#r0-strategy").selectOption("partial");
    await page.locator("#r0-keep-first").fill("1");
    await page.locator("#r0-keep-last").fill("x");
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.locator("#r0-keep-last-error").waitFor();
    await page.locator("#r0-keep-last").fill("0");
    await page.screenshot({ path: screenshotPath("policy-edit"), fullPage: true });
    await page.locator("#comment").fill("Keep the initial");
    await app.captureAction(page, "update", () => page.getByRole("button", { name: "Save policy" }).click());
    await page.waitForURL(/\?saved=1$/);
    await page.getByText("Saved as version 2").waitFor();

    // Saving again without a change makes no new version.
    await page.goto(`${app.airlock.webUrl}/policies/${policyId}/edit`);
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.getByRole("alert").filter({ hasText: "Nothing changed: this is version 2 already." }).waitFor();

    const partial = await untilGateway(NAME_SQL, (reply) => reply.body.rows?.[0]?.[0] !== "****");
    expect(partial.body.rows[0]![0]).toMatch(/^A\*+$/);

    await page.goto(`${app.airlock.webUrl}/policies/${policyId}`);
    await page.getByRole("link", { name: "Revisions" }).click();
    await page.getByRole("heading", { name: "Revisions of Customer PII" }).waitFor();
    const v2 = page.locator('li[data-revision="2"]');
    await expect(v2.textContent()).resolves.toMatch(/Demo Policy Author.*Keep the initial/);
    await expect(page.locator('li[data-revision="1"]').textContent()).resolves.toContain("Mask customer names");
    const ruleDiff = page.locator('[data-rule-id="mask-names"][data-rule-change="changed"]');
    await expect(ruleDiff.locator("tr", { hasText: "action.strategy.kind" }).textContent()).resolves.toMatch(/redact.*partial/);
    await expect(ruleDiff.locator("tr", { hasText: "action.strategy.keepFirst" }).textContent()).resolves.toContain("1");
    await page.screenshot({ path: screenshotPath("policy-revisions"), fullPage: true });

    const yaml = await context.request.get(`${app.airlock.webUrl}/api/policies/${policyId}/export?format=yaml`);
    expect(yaml.status()).toBe(200);
    expect(yaml.headers()["content-disposition"]).toBe('attachment; filename="customer-pii-v2.yaml"');
    const yamlText = await yaml.text();
    expect(yamlText).toContain("id: customer-pii");
    const json = await context.request.get(`${app.airlock.webUrl}/api/policies/${policyId}/export?format=json`);
    expect(((await json.json()) as { rules: { action: { strategy: { kind: string } } }[] }).rules[0]!.action.strategy.kind).toBe("partial");

    // Import: a broken document is refused with the path of each problem; the fixed one becomes version 3.
    await page.goto(`${app.airlock.webUrl}/policies/import`);
    await page.locator("#import-text").fill(yamlText.replace("defaultAction: require_approval", "defaultAction: sometimes").replace("  - id: mask-names", "  - id: mask-names\n    colour: blue"));
    await page.getByRole("button", { name: "Import" }).click();
    const problems = page.getByRole("list", { name: "Problems" });
    await problems.waitFor();
    await expect(problems.textContent()).resolves.toContain("settings.defaultAction");
    await expect(problems.textContent()).resolves.toContain('rules[0].colour: unknown key "colour"');
    await page.screenshot({ path: screenshotPath("policy-import-errors"), fullPage: true });
    await page.locator("#import-text").fill(yamlText.replace("name: Customer PII", "name: Customer PII (imported)"));
    await page.getByRole("button", { name: "Import" }).click();
    await page.waitForURL(`**/policies/${policyId}?imported=1`);
    await page.getByText("Imported as version 3").waitFor();
    await page.getByRole("heading", { name: "Customer PII (imported)" }).waitFor();

    // A second policy may not take an id (or a name) that is already stored.
    await page.goto(`${app.airlock.webUrl}/policies/new`);
    await page.locator("#policy-name").fill("Another shop policy");
    await page.locator("#policy-id").fill("shop-demo");
    await page.locator("#r0-id").fill("mask-city");
    await page.locator("#r0-name").fill("Cities");
    await page.locator("#r0-mask-columns").fill("customers.city");
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.getByRole("alert").filter({ hasText: 'The policy "Shop demo" already has the id "shop-demo".' }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/policies/new");

    // Disable: the gateway stops masking; enable: it masks again.
    await page.goto(`${app.airlock.webUrl}/policies`);
    await page.getByRole("button", { name: "Disable Customer PII (imported)" }).click();
    await page.locator('tr[data-policy="customer-pii"]').getByText("disabled").waitFor();
    const unmasked = await untilGateway(NAME_SQL, (reply) => reply.body.rows?.[0]?.[0] === "Ada Lovelace");
    expect(unmasked.body.rows).toEqual([["Ada Lovelace"]]);
    await page.getByRole("button", { name: "Enable Customer PII (imported)" }).click();
    await page.locator('tr[data-policy="customer-pii"]').getByText("enabled").waitFor();
    const masked = await untilGateway(NAME_SQL, (reply) => reply.body.rows?.[0]?.[0] !== "Ada Lovelace");
    expect(masked.body.rows[0]![0]).toMatch(/^A\*+$/);

    await page.getByRole("button", { name: "Move Customer PII (imported) up" }).click();
    await page.waitForFunction(() => document.querySelector("tr[data-policy]:nth-child(2)")?.getAttribute("data-policy") === "customer-pii");
    await expect(page.locator("tr[data-policy]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-policy")))).resolves.toEqual(["airlock-defaults", "customer-pii", "shop-demo"]);

    const audit = await storeQuery<{ action: string; email: string }>(
      `SELECT a.action, u.email FROM "AuditLog" a JOIN "User" u ON u.id = a."actorId" WHERE a."targetId" = $1 ORDER BY a.id`,
      [policyId],
    );
    expect(audit.map((entry) => entry.action)).toEqual(["policy.create", "policy.update", "policy.import", "policy.disable", "policy.enable", "policy.reorder"]);
    expect(new Set(audit.map((entry) => entry.email))).toEqual(new Set(["author@airlock.local"]));
  });

  test("an auditor reads policies and revisions but cannot edit or simulate; an approver cannot see policies at all", async () => {
    expect(app.captured("update"), "the editing test captures the save action").not.toBeNull();
    expect(app.captured("simulate"), "the first test captures the simulate action").not.toBeNull();
    const [{ version }] = await storeQuery<{ version: number }>(`SELECT version FROM "Policy" WHERE id = $1`, [policyId]);

    const auditor = await app.signIn("auditor@airlock.local");
    await auditor.page.goto(`${app.airlock.webUrl}/policies`);
    await auditor.page.locator('tr[data-policy="customer-pii"]').waitFor();
    await expect(auditor.page.getByRole("link", { name: "New policy" }).count()).resolves.toBe(0);
    await expect(auditor.page.getByRole("button", { name: /^Disable/ }).count()).resolves.toBe(0);
    for (const path of [`/policies/${policyId}`, `/policies/${policyId}/revisions`]) {
      const response = await auditor.page.goto(`${app.airlock.webUrl}${path}`);
      expect(response?.status(), `auditor ${path}`).toBe(200);
    }
    await auditor.page.locator('li[data-revision="3"]').waitFor();
    await expect(auditor.page.getByRole("link", { name: "Edit" }).count()).resolves.toBe(0);
    await auditor.page.screenshot({ path: screenshotPath("policies-auditor-revisions"), fullPage: true });
    expect((await auditor.context.request.get(`${app.airlock.webUrl}/api/policies/${policyId}/export?format=yaml`)).status()).toBe(200);
    for (const path of [`/policies/${policyId}/edit`, "/policies/new", "/policies/import", "/policies/simulate"]) {
      const response = await auditor.page.goto(`${app.airlock.webUrl}${path}`);
      expect(response?.status(), `auditor ${path}`).toBe(403);
    }
    await auditor.page.getByRole("heading", { name: "You don't have access to this page" }).waitFor();
    await auditor.page.screenshot({ path: screenshotPath("policies-auditor-edit-forbidden"), fullPage: true });
    expect((await app.replay(auditor.context, "update")).status(), "auditor replaying the save action").toBe(403);
    expect((await app.replay(auditor.context, "simulate")).status(), "auditor replaying the simulate action").toBe(403);

    const approver = await app.signIn("approver@airlock.local");
    await expect(approver.page.getByRole("link", { name: "Policies" }).count()).resolves.toBe(0);
    for (const path of ["/policies", `/policies/${policyId}`, `/policies/${policyId}/revisions`, `/policies/${policyId}/edit`, "/policies/simulate", "/policies/import"]) {
      const response = await approver.page.goto(`${app.airlock.webUrl}${path}`);
      expect(response?.status(), `approver ${path}`).toBe(403);
      expect(await response!.text(), `approver ${path}`).not.toContain("mask-names");
    }
    expect((await approver.context.request.get(`${app.airlock.webUrl}/api/policies/${policyId}/export?format=json`)).status()).toBe(403);
    expect((await app.replay(approver.context, "update")).status(), "approver replaying the save action").toBe(403);
    expect((await app.replay(approver.context, "simulate")).status(), "approver replaying the simulate action").toBe(403);

    // Nothing changed; and the same save replayed by its author is not refused for permission (it is stale now).
    const [{ version: still }] = await storeQuery<{ version: number }>(`SELECT version FROM "Policy" WHERE id = $1`, [policyId]);
    expect(still).toBe(version);
    const author = await app.signIn("author@airlock.local");
    const own = await app.replay(author.context, "update");
    expect(own.status()).toBe(200);
    expect(await own.text()).toContain("Someone saved version");
    expect((await app.replay(author.context, "simulate")).status()).toBe(200);
  });
});
