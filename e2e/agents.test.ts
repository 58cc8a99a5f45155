import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// Agents end to end: an admin creates an agent with groups and an owner, issues it a token (shown once, read
// from the once-shown field), grants a connection to one of its groups, the agent queries through the gateway,
// the admin revokes the token in the browser and the gateway refuses it (401 revoked_token). A reload never shows
// the token again; an approver sees agents but is refused the edit pages and every agent/token action (captured
// POSTs replayed); a policy author is refused the agents pages; a token id of another agent is refused.

const AGENT = "e2e-bot";
const GROUP = "analysts";

let app: AirlockConsole;
let agentId = "";
let token = "";

beforeAll(async () => {
  app = await openConsole();
});

afterAll(async () => {
  await app?.close();
});

/** What the gateway answers to "select 1 as one" with `bearer`, on the shop connection. */
function gatewayQuery(bearer: string) {
  return app.agentQuery<{ rows?: unknown[][]; code?: string }>("select 1 as one", { token: bearer });
}

describe("agents", () => {
  test("create an agent with groups and an owner, issue a token shown once, use it, revoke it in the browser", async () => {
    const { context, page } = await app.signIn("admin@airlock.local");
    await page.goto(`${app.airlock.webUrl}/agents`);
    await page.getByRole("heading", { name: "Agents", level: 1 }).waitFor();
    await page.locator('[data-agent="claude-demo"]').waitFor();
    await page.screenshot({ path: screenshotPath("agents-list"), fullPage: true });

    await page.getByRole("link", { name: "Add agent" }).click();
    await page.getByRole("heading", { name: "Add agent" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("bad name");
    await page.getByLabel("Groups").fill(`${GROUP}, ok group`);
    await page.getByRole("button", { name: "Create agent" }).click();
    await page.locator("#name-error").waitFor();
    await page.locator("#groups-error").waitFor();
    await page.screenshot({ path: screenshotPath("agent-new-errors"), fullPage: true });

    await page.getByLabel("Name", { exact: true }).fill(AGENT);
    await page.getByLabel("Description").fill("Runs the nightly analyses");
    await page.getByLabel("Groups").fill(`${GROUP}, reporting`);
    await page.getByLabel("Owner").selectOption({ label: "Demo Approver (approver@airlock.local)" });
    await app.captureAction(page, "create", () => page.getByRole("button", { name: "Create agent" }).click());
    await page.waitForURL(/\/agents\/[0-9a-f-]{36}\?saved=created$/);
    agentId = /\/agents\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole("heading", { name: AGENT, level: 1 }).waitFor();
    await page.getByText("No tokens yet").waitFor();
    const facts = (await page.textContent("main")) ?? "";
    expect(facts).toContain("Demo Approver");
    expect(facts).toContain(GROUP);
    expect(facts).toContain("reporting");

    // Issue: the token is in the once-shown field only.
    await page.getByLabel("Token name").fill("laptop");
    await page.getByLabel("Expires").selectOption("30");
    await app.captureAction(page, "issue", () => page.getByRole("button", { name: "Issue token" }).click());
    const field = page.getByLabel("New token");
    await field.waitFor();
    token = await field.inputValue();
    expect(token).toMatch(/^alk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    const prefix = token.slice(0, 12);
    await page.getByRole("button", { name: "Copy" }).waitFor();
    await page.screenshot({ path: screenshotPath("agent-token-issued"), fullPage: true });

    // A reload shows the prefix, never the token.
    await page.reload();
    await page.locator(`[data-token-prefix="${prefix}"]`).waitFor();
    await expect(page.getByLabel("New token").count()).resolves.toBe(0);
    for (const pathname of [`/agents/${agentId}`, "/agents", `/agents/${agentId}/edit`, "/audit"]) {
      const payload = await app.bothPayloads(context, pathname);
      expect(payload, pathname).not.toContain(token);
      expect(payload, pathname).not.toContain(token.slice(13));
    }
    const { rows: stored } = await app.withStore((db) => db.query<{ hash: string; prefix: string }>(`SELECT hash, prefix FROM "AgentToken" WHERE "agentId" = $1`, [agentId]));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.prefix).toBe(prefix);
    expect(JSON.stringify(stored)).not.toContain(token.slice(13));

    // Not granted yet; then granted to one of its groups on the shop connection's page.
    expect((await gatewayQuery(token)).status).toBe(403);
    await page.goto(`${app.airlock.webUrl}/connections`);
    await page.getByRole("link", { name: "shop" }).click();
    await page.getByRole("heading", { name: "shop", level: 1 }).waitFor();
    await page.getByLabel("A group of agents").check();
    await page.getByLabel("Group", { exact: true }).fill(GROUP);
    await page.getByRole("button", { name: "Grant access" }).click();
    await page.locator(`[data-grant="group ${GROUP}"]`).waitFor();

    let answer = await gatewayQuery(token);
    for (let tries = 0; answer.status !== 200 && tries < 20; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await gatewayQuery(token);
    }
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.rows).toEqual([[1]]);

    // Last used shows up; the agent page lists what it reaches.
    await page.goto(`${app.airlock.webUrl}/agents/${agentId}`);
    const row = page.locator(`[data-token-prefix="${prefix}"]`);
    await expect.poll(async () => {
      await page.reload();
      return row.locator("td").nth(4).textContent();
    }, { timeout: 10_000 }).not.toBe("never");
    await page.getByText(`via group ${GROUP}`).waitFor();
    await page.screenshot({ path: screenshotPath("agent-detail"), fullPage: true });

    // Revoke in the browser (after confirming); the gateway refuses the token.
    page.once("dialog", (dialog) => void dialog.accept());
    await app.captureAction(page, "revoke", () => row.getByRole("button", { name: `Revoke token ${prefix}` }).click());
    await row.getByText("revoked").waitFor();
    const revokedAt = Date.now();
    let refused = await gatewayQuery(token);
    while (refused.status !== 401 && Date.now() - revokedAt < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      refused = await gatewayQuery(token);
    }
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("revoked_token");
    console.log(`gateway refused the revoked token ${Date.now() - revokedAt} ms after the page showed it revoked`);
    await page.screenshot({ path: screenshotPath("agent-token-revoked"), fullPage: true });

    const audit = await app.withStore((db) => db.query<{ action: string; details: unknown }>(`SELECT action, details FROM "AuditLog" ORDER BY id`));
    const actions = audit.rows.map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(["agent.create", "token.issue", "grant.create", "token.revoke"]));
    expect(JSON.stringify(audit.rows)).not.toContain(token.slice(13));
  });

  test("editing groups and disabling the agent; the gateway refuses a disabled agent's token", async () => {
    const { page } = await app.signIn("admin@airlock.local");
    await page.goto(`${app.airlock.webUrl}/agents/${agentId}`);
    // By keyboard: type the name, Enter submits.
    await page.getByLabel("Token name").fill("second");
    await page.getByLabel("Token name").press("Enter");
    const second = await (async () => {
      const field = page.getByLabel("New token");
      await field.waitFor();
      return field.inputValue();
    })();
    let answer = await gatewayQuery(second);
    for (let tries = 0; answer.status !== 200 && tries < 20; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await gatewayQuery(second);
    }
    expect(answer.status).toBe(200);

    await page.getByRole("link", { name: "Edit agent" }).click();
    await page.getByRole("heading", { name: `Edit ${AGENT}` }).waitFor();
    await page.screenshot({ path: screenshotPath("agent-edit"), fullPage: true });
    await page.getByLabel("Groups").fill("reporting");
    await page.getByLabel("Disabled").check();
    await app.captureAction(page, "update", () => page.getByRole("button", { name: "Save changes" }).click());
    await page.waitForURL(/saved=updated$/);
    await page.getByText("disabled", { exact: true }).first().waitFor();

    let refused = await gatewayQuery(second);
    const deadline = Date.now() + 5000;
    while (refused.status !== 401 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      refused = await gatewayQuery(second);
    }
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe("agent_disabled");
    const { rows } = await app.withStore((db) => db.query<{ action: string }>(`SELECT action FROM "AuditLog" WHERE "targetId" = $1 ORDER BY id`, [agentId]));
    expect(rows.map((entry) => entry.action)).toEqual(["agent.create", "agent.update", "agent.disable"]);
  });

  test("an approver sees agents but is refused the edit pages and every agent and token action; a policy author is refused the agents pages", async () => {
    const demoToken = app.demo().agentToken;
    const demoAgent = await app.withStore(async (db) => (await db.query<{ id: string }>(`SELECT id FROM "Agent" WHERE name = 'claude-demo'`)).rows[0]!.id);

    const approver = await app.signIn("approver@airlock.local");
    await approver.page.goto(`${app.airlock.webUrl}/agents`);
    await approver.page.locator(`[data-agent="${AGENT}"]`).waitFor();
    await expect(approver.page.getByRole("link", { name: "Add agent" }).count()).resolves.toBe(0);
    await approver.page.goto(`${app.airlock.webUrl}/agents/${demoAgent}`);
    await approver.page.getByRole("heading", { name: "claude-demo", level: 1 }).waitFor();
    await expect(approver.page.getByRole("button", { name: /Revoke|Issue token/ }).count()).resolves.toBe(0);
    await expect(approver.page.getByRole("link", { name: "Edit agent" }).count()).resolves.toBe(0);
    await approver.page.screenshot({ path: screenshotPath("agent-detail-approver"), fullPage: true });
    for (const pathname of ["/agents/new", `/agents/${agentId}/edit`]) {
      const response = await approver.page.goto(`${app.airlock.webUrl}${pathname}`);
      expect(response?.status(), pathname).toBe(403);
    }
    for (const label of ["create", "update", "issue", "revoke"]) {
      const response = await app.replay(approver.context, label, (body) => body.split(agentId).join(demoAgent));
      expect(response.status(), `approver replaying ${label}`).toBe(403);
      expect(await response.text()).not.toMatch(/alk_[A-Za-z0-9]{8}_/);
    }
    expect((await gatewayQuery(demoToken)).status).toBe(200);
    const { rows: tokens } = await app.withStore((db) => db.query(`SELECT id FROM "AgentToken" WHERE "agentId" = $1`, [demoAgent]));
    expect(tokens).toHaveLength(1);

    const author = await app.signIn("author@airlock.local");
    await expect(author.page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Agents", exact: true }).count()).resolves.toBe(0);
    for (const pathname of ["/agents", `/agents/${agentId}`, "/agents/new", `/agents/${agentId}/edit`]) {
      const response = await author.page.goto(`${app.airlock.webUrl}${pathname}`);
      expect(response?.status(), `author ${pathname}`).toBe(403);
    }
    for (const label of ["create", "issue", "revoke"]) {
      expect((await app.replay(author.context, label)).status(), `author replaying ${label}`).toBe(403);
    }
  });

  test("revoking another agent's token through this agent's form is refused (forged token id)", async () => {
    const { context } = await app.signIn("admin@airlock.local");
    const { demoTokenId, ownTokenId } = await app.withStore(async (db) => {
      const demo = await db.query<{ id: string }>(`SELECT t.id FROM "AgentToken" t JOIN "Agent" a ON a.id = t."agentId" WHERE a.name = 'claude-demo'`);
      const own = await db.query<{ id: string }>(`SELECT id FROM "AgentToken" WHERE "agentId" = $1 ORDER BY "createdAt" LIMIT 1`, [agentId]);
      return { demoTokenId: demo.rows[0]!.id, ownTokenId: own.rows[0]!.id };
    });
    const forged = await app.replay(context, "revoke", (body) => body.split(ownTokenId).join(demoTokenId));
    expect(forged.status()).toBe(200);
    expect(await forged.text()).toContain("does not belong to this agent");
    const { rows } = await app.withStore((db) => db.query<{ revokedAt: Date | null }>(`SELECT "revokedAt" FROM "AgentToken" WHERE id = $1`, [demoTokenId]));
    expect(rows[0]!.revokedAt).toBeNull();
    expect((await gatewayQuery(app.demo().agentToken)).status).toBe(200);
  });
});
