import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { startAirlock, type RunningAirlock } from "./support/airlock";
import { launchChromium, screenshotPath } from "./support/browser";

// Policies end to end, on the real launcher (store, gateway, demo shop database): a policy author creates a
// masking rule in the form, the simulator shows the mask before anything runs, "what would change" lists a
// recorded statement the rule affects, and the agent's next query through the gateway comes back masked. Then
// revisions with a diff, export and import, enable/disable and order; and people without policies.edit /
// policies.simulate / policies.view are refused by the pages and by the server actions themselves.

let airlock: RunningAirlock;
let browser: Browser;
const contexts: BrowserContext[] = [];

interface Captured {
  headers: Record<string, string>;
  body: Buffer;
  url: string;
}
let capturedUpdate: Captured | null = null;
let capturedSimulate: Captured | null = null;
let policyId = "";

beforeAll(async () => {
  airlock = await startAirlock();
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  if (airlock) {
    await airlock.stop();
    fs.rmSync(airlock.dataDir, { recursive: true, force: true });
  }
});

async function signIn(email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${airlock.webUrl}/signin`);
  await page.getByLabel(/email/i).fill(email);
  await page.getByLabel(/password/i).fill(airlock.demo!.dashboardPassword);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.getByRole("heading", { name: /what needs attention/i }).waitFor();
  return { context, page };
}

interface QueryReply {
  readonly rows: unknown[][];
  readonly masked: { column: string; strategy: string; rule: string }[];
  readonly code?: string;
}

async function agentQuery(sql: string): Promise<{ status: number; body: QueryReply }> {
  const response = await fetch(`${airlock.gatewayUrl}/v1/query`, {
    method: "POST",
    headers: { authorization: `Bearer ${airlock.demo!.agentToken}`, "content-type": "application/json" },
    body: JSON.stringify({ connection: "shop", sql, wait: 0 }),
  });
  return { status: response.status, body: (await response.json()) as QueryReply };
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
  const db = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${airlock.storePort}/postgres` });
  await db.connect();
  try {
    return (await db.query<T>(sql, params)).rows;
  } finally {
    await db.end();
  }
}

function capture(page: Page): Promise<Request> {
  return page.waitForRequest((request) => request.method() === "POST" && Boolean(request.headers()["next-action"]));
}

async function keep(request: Request): Promise<Captured> {
  return { headers: await request.allHeaders(), body: request.postDataBuffer() ?? Buffer.alloc(0), url: request.url() };
}

function replay(context: BrowserContext, { headers, body, url }: Captured) {
  return context.request.post(url, {
    headers: { "next-action": headers["next-action"]!, "content-type": headers["content-type"] ?? "text/plain;charset=UTF-8", accept: "text/x-component", origin: airlock.webUrl },
    data: body,
    maxRedirects: 0,
  });
}

const NAME_SQL = "SELECT name FROM customers WHERE id = 1";

describe("policies", () => {
  test("an author creates a masking rule in the form; the simulator shows the mask first; the agent's next query is masked", async () => {
    // A statement the agent runs before the rule exists: recorded, and unmasked.
    const before = await agentQuery("SELECT id, name FROM customers ORDER BY id LIMIT 3");
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body.rows[0]).toEqual([1, "Ada Lovelace"]);

    const { page } = await signIn("author@airlock.local");
    await page.goto(`${airlock.webUrl}/policies`);
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
    const simulatePost = capture(page);
    await page.getByRole("button", { name: "Simulate with this draft" }).click();
    capturedSimulate = await keep(await simulatePost);
    const draftDecision = page.getByRole("region", { name: "Simulated decision" });
    await draftDecision.locator('tr[data-column="name"][data-strategy="redact"]').waitFor();
    await expect(draftDecision.locator("[data-decision]").getAttribute("data-decision")).resolves.toBe("allow");
    await expect(draftDecision.textContent()).resolves.toContain("customer-pii/mask-names");

    // What would change: the statement recorded above is masked differently under the draft.
    await page.getByRole("button", { name: "Show what would change" }).click();
    const changes = page.getByRole("region", { name: "What would change" });
    const changed = changes.locator("li[data-changed-statement]", { hasText: "SELECT id, name FROM customers ORDER BY id LIMIT 3" });
    await changed.waitFor();
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
    await page.goto(`${airlock.webUrl}/policies/simulate`);
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
    const { context, page } = await signIn("author@airlock.local");
    await page.goto(`${airlock.webUrl}/policies/${policyId}/edit`);
    await page.locator("#r0-strategy").selectOption("partial");
    await page.locator("#r0-keep-first").fill("1");
    await page.locator("#r0-keep-last").fill("x");
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.locator("#r0-keep-last-error").waitFor();
    await page.locator("#r0-keep-last").fill("0");
    await page.screenshot({ path: screenshotPath("policy-edit"), fullPage: true });
    await page.locator("#comment").fill("Keep the initial");
    const updatePost = capture(page);
    await page.getByRole("button", { name: "Save policy" }).click();
    capturedUpdate = await keep(await updatePost);
    await page.waitForURL(/\?saved=1$/);
    await page.getByText("Saved as version 2").waitFor();

    // Saving again without a change makes no new version.
    await page.goto(`${airlock.webUrl}/policies/${policyId}/edit`);
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.getByRole("alert").filter({ hasText: "Nothing changed: this is version 2 already." }).waitFor();

    const partial = await untilGateway(NAME_SQL, (reply) => reply.body.rows?.[0]?.[0] !== "****");
    expect(partial.body.rows[0]![0]).toMatch(/^A\*+$/);

    await page.goto(`${airlock.webUrl}/policies/${policyId}`);
    await page.getByRole("link", { name: "Revisions" }).click();
    await page.getByRole("heading", { name: "Revisions of Customer PII" }).waitFor();
    const v2 = page.locator('li[data-revision="2"]');
    await expect(v2.textContent()).resolves.toMatch(/Demo Policy Author.*Keep the initial/);
    await expect(page.locator('li[data-revision="1"]').textContent()).resolves.toContain("Mask customer names");
    const ruleDiff = page.locator('[data-rule-id="mask-names"][data-rule-change="changed"]');
    await expect(ruleDiff.locator("tr", { hasText: "action.strategy.kind" }).textContent()).resolves.toMatch(/redact.*partial/);
    await expect(ruleDiff.locator("tr", { hasText: "action.strategy.keepFirst" }).textContent()).resolves.toContain("1");
    await page.screenshot({ path: screenshotPath("policy-revisions"), fullPage: true });

    const yaml = await context.request.get(`${airlock.webUrl}/api/policies/${policyId}/export?format=yaml`);
    expect(yaml.status()).toBe(200);
    expect(yaml.headers()["content-disposition"]).toBe('attachment; filename="customer-pii-v2.yaml"');
    const yamlText = await yaml.text();
    expect(yamlText).toContain("id: customer-pii");
    const json = await context.request.get(`${airlock.webUrl}/api/policies/${policyId}/export?format=json`);
    expect(((await json.json()) as { rules: { action: { strategy: { kind: string } } }[] }).rules[0]!.action.strategy.kind).toBe("partial");

    // Import: a broken document is refused with the path of each problem; the fixed one becomes version 3.
    await page.goto(`${airlock.webUrl}/policies/import`);
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
    await page.goto(`${airlock.webUrl}/policies/new`);
    await page.locator("#policy-name").fill("Another shop policy");
    await page.locator("#policy-id").fill("shop-demo");
    await page.locator("#r0-id").fill("mask-city");
    await page.locator("#r0-name").fill("Cities");
    await page.locator("#r0-mask-columns").fill("customers.city");
    await page.getByRole("button", { name: "Create policy" }).click();
    await page.getByRole("alert").filter({ hasText: 'The policy "Shop demo" already has the id "shop-demo".' }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/policies/new");

    // Disable: the gateway stops masking; enable: it masks again.
    await page.goto(`${airlock.webUrl}/policies`);
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
    expect(capturedUpdate, "the editing test captures the save action").not.toBeNull();
    expect(capturedSimulate, "the first test captures the simulate action").not.toBeNull();
    const [{ version }] = await storeQuery<{ version: number }>(`SELECT version FROM "Policy" WHERE id = $1`, [policyId]);

    const auditor = await signIn("auditor@airlock.local");
    await auditor.page.goto(`${airlock.webUrl}/policies`);
    await auditor.page.locator('tr[data-policy="customer-pii"]').waitFor();
    await expect(auditor.page.getByRole("link", { name: "New policy" }).count()).resolves.toBe(0);
    await expect(auditor.page.getByRole("button", { name: /^Disable/ }).count()).resolves.toBe(0);
    for (const path of [`/policies/${policyId}`, `/policies/${policyId}/revisions`]) {
      const response = await auditor.page.goto(`${airlock.webUrl}${path}`);
      expect(response?.status(), `auditor ${path}`).toBe(200);
    }
    await auditor.page.locator('li[data-revision="3"]').waitFor();
    await expect(auditor.page.getByRole("link", { name: "Edit" }).count()).resolves.toBe(0);
    await auditor.page.screenshot({ path: screenshotPath("policies-auditor-revisions"), fullPage: true });
    expect((await auditor.context.request.get(`${airlock.webUrl}/api/policies/${policyId}/export?format=yaml`)).status()).toBe(200);
    for (const path of [`/policies/${policyId}/edit`, "/policies/new", "/policies/import", "/policies/simulate"]) {
      const response = await auditor.page.goto(`${airlock.webUrl}${path}`);
      expect(response?.status(), `auditor ${path}`).toBe(403);
    }
    await auditor.page.getByRole("heading", { name: "You don't have access to this page" }).waitFor();
    await auditor.page.screenshot({ path: screenshotPath("policies-auditor-edit-forbidden"), fullPage: true });
    expect((await replay(auditor.context, capturedUpdate!)).status(), "auditor replaying the save action").toBe(403);
    expect((await replay(auditor.context, capturedSimulate!)).status(), "auditor replaying the simulate action").toBe(403);

    const approver = await signIn("approver@airlock.local");
    await expect(approver.page.getByRole("link", { name: "Policies" }).count()).resolves.toBe(0);
    for (const path of ["/policies", `/policies/${policyId}`, `/policies/${policyId}/revisions`, `/policies/${policyId}/edit`, "/policies/simulate", "/policies/import"]) {
      const response = await approver.page.goto(`${airlock.webUrl}${path}`);
      expect(response?.status(), `approver ${path}`).toBe(403);
      expect(await response!.text(), `approver ${path}`).not.toContain("mask-names");
    }
    expect((await approver.context.request.get(`${airlock.webUrl}/api/policies/${policyId}/export?format=json`)).status()).toBe(403);
    expect((await replay(approver.context, capturedUpdate!)).status(), "approver replaying the save action").toBe(403);
    expect((await replay(approver.context, capturedSimulate!)).status(), "approver replaying the simulate action").toBe(403);

    // Nothing changed; and the same save replayed by its author is not refused for permission (it is stale now).
    const [{ version: still }] = await storeQuery<{ version: number }>(`SELECT version FROM "Policy" WHERE id = $1`, [policyId]);
    expect(still).toBe(version);
    const author = await signIn("author@airlock.local");
    const own = await replay(author.context, capturedUpdate!);
    expect(own.status()).toBe(200);
    expect(await own.text()).toContain("Someone saved version");
    expect((await replay(author.context, capturedSimulate!)).status()).toBe(200);
  });
});
