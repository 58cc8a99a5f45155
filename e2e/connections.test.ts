import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { openSecret } from "../lib/crypto/secret-box";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// Connections end to end: an admin adds the machine's real PostgreSQL through the form, tests it, grants it to
// the demo agent, and the agent queries it through the gateway. The secret never reaches a page, an RSC payload,
// an error or the audit log; editing without typing it keeps it, typing a new one re-seals it. An approver sees
// the lists but is refused the edit pages and every edit action (captured POSTs replayed); a forged grant id is
// refused.

const SECRET = "Pg-E2E-Secret-4f9a7c";
const NEW_SECRET = "Pg-E2E-Rotated-8b1d2e";
const NAME = "machine-pg";

let app: AirlockConsole;
let connectionId = "";

beforeAll(async () => {
  app = await openConsole();
});

afterAll(async () => {
  await app?.close();
});

/** The demo agent's `sql` on `connection`, through the gateway. */
function gatewayQuery(connection: string, sql: string) {
  return app.agentQuery<{ rows?: unknown[][]; columns?: unknown[]; code?: string }>(sql, { connection });
}

function masterKey(): Buffer {
  return Buffer.from(fs.readFileSync(path.join(app.airlock.dataDir, "master.key"), "utf8").trim(), "base64");
}

async function storedSecret(): Promise<{ ciphertext: Buffer; plain: string }> {
  const { rows } = await app.withStore((db) => db.query<{ secretCiphertext: Buffer }>(`SELECT "secretCiphertext" FROM "Connection" WHERE id = $1`, [connectionId]));
  const ciphertext = rows[0]!.secretCiphertext;
  return { ciphertext, plain: openSecret(masterKey(), ciphertext, connectionId) };
}

async function fillConnection(page: Page, values: { name: string; host: string; port: string; secret: string }) {
  await page.getByLabel("Name", { exact: true }).fill(values.name);
  await page.getByLabel("Engine").selectOption("postgres");
  await page.getByLabel("Host").fill(values.host);
  await page.getByLabel("Port").fill(values.port);
  await page.getByLabel("Database").fill("test");
  await page.getByLabel("TLS").selectOption("disable");
  await page.getByLabel("User", { exact: true }).fill("postgres");
  await page.getByLabel("Password", { exact: true }).fill(values.secret);
  await page.getByLabel("Row limit").fill("250");
  await page.getByLabel("Statement timeout (seconds)").fill("15");
}

describe("connections", () => {
  test("an admin adds the machine's PostgreSQL, tests it, grants it to the demo agent, and the agent queries it", async () => {
    const { context, page } = await app.signIn("admin@airlock.local");
    await page.goto(`${app.airlock.webUrl}/connections`);
    await page.getByRole("heading", { name: "Connections", level: 1 }).waitFor();
    await page.locator('[data-connection="shop"]').waitFor();
    await page.screenshot({ path: screenshotPath("connections-list"), fullPage: true });

    await page.getByRole("link", { name: "Add connection" }).click();
    await page.getByRole("heading", { name: "Add connection" }).waitFor();

    // Nothing filled in: the fields say what is missing, beside them, and nothing is sent.
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.locator("#name-error").waitFor();
    await expect(page.getByLabel("Host").getAttribute("aria-invalid")).resolves.toBe("true");
    await page.locator("#secret-error").waitFor();
    await page.screenshot({ path: screenshotPath("connection-new-errors"), fullPage: true });

    await fillConnection(page, { name: NAME, host: "127.0.0.1", port: "5432", secret: SECRET });
    await app.captureAction(page, "test", () => page.getByRole("button", { name: "Test connection" }).click());
    const success = page.getByRole("status").filter({ hasText: "Connected to PostgreSQL" });
    await success.waitFor({ timeout: 15_000 });
    expect(await success.textContent()).toMatch(/SELECT 1 answered in \d+ ms/);
    await page.screenshot({ path: screenshotPath("connection-new-tested"), fullPage: true });

    await app.captureAction(page, "create", () => page.getByRole("button", { name: "Create connection" }).click());
    await page.waitForURL(/\/connections\/[0-9a-f-]{36}\?saved=created$/);
    connectionId = /\/connections\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole("heading", { name: NAME, level: 1 }).waitFor();
    await page.getByText("Connection created.").waitFor();
    expect((await storedSecret()).plain).toBe(SECRET);

    // Before any grant, the demo agent may not use it.
    const refused = await gatewayQuery(NAME, "select 1 as one");
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("no_grant");

    await page.getByLabel("Agent", { exact: true }).selectOption({ label: "claude-demo" });
    await app.captureAction(page, "grant", () => page.getByRole("button", { name: "Grant access" }).click());
    await page.locator('[data-grant="agent claude-demo"]').waitFor();
    await page.screenshot({ path: screenshotPath("connection-detail"), fullPage: true });

    // The gateway keeps grant look-ups for at most 500 ms.
    let answer = await gatewayQuery(NAME, "select 1 as one");
    for (let tries = 0; answer.status !== 200 && tries < 20; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await gatewayQuery(NAME, "select 1 as one");
    }
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.rows).toEqual([[1]]);

    // The saved connection tests fine from its page too.
    await app.captureAction(page, "test-saved", () => page.getByRole("button", { name: "Test connection" }).click());
    await page.getByRole("status").filter({ hasText: "Connected to PostgreSQL" }).waitFor({ timeout: 15_000 });

    for (const pathname of ["/connections", `/connections/${connectionId}`, `/connections/${connectionId}/edit`, "/audit"]) {
      expect(await app.bothPayloads(context, pathname), pathname).not.toContain(SECRET);
    }
  });

  test("a wrong port gives a clear failure in test connection, without the password", async () => {
    const { page } = await app.signIn("admin@airlock.local");
    await page.goto(`${app.airlock.webUrl}/connections/new`);
    await fillConnection(page, { name: "nowhere", host: "127.0.0.1", port: "1", secret: SECRET });
    // By keyboard only: from the name field, Tab reaches every control in order, then "Test connection".
    await page.getByLabel("Name", { exact: true }).focus();
    const order: string[] = [];
    for (let presses = 0; presses < 20; presses += 1) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => (document.activeElement?.id || document.activeElement?.textContent) ?? "");
      // One checkbox per person who may approve (the demo's admin and approver).
      order.push(focused.startsWith("approver-") ? "approver" : focused);
      if (focused === "Test connection") break;
    }
    expect(order).toEqual(["engine", "description", "host", "port", "database", "tls", "username", "secret", "noSecret", "rowLimit", "timeoutSeconds", "readOnly", "previewWrites", "approver", "approver", "Create connection", "Test connection"]);
    await page.keyboard.press("Enter");
    const failure = page.getByRole("alert").filter({ hasText: "Test failed" });
    await failure.waitFor({ timeout: 15_000 });
    expect(await failure.textContent()).toBe("Test failed: Could not reach 127.0.0.1:1: nothing is listening there (connection refused).");
    expect(await page.content()).not.toContain(`>${SECRET}<`);
    await page.screenshot({ path: screenshotPath("connection-test-failed"), fullPage: true });

    await page.getByLabel("Host").fill("no-such-host.invalid");
    await page.getByLabel("Port").fill("5432");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByRole("alert").filter({ hasText: "the host name does not resolve" }).waitFor({ timeout: 15_000 });
  });

  test("editing without typing the password keeps it; a new password is re-sealed; neither reaches the audit log", async () => {
    const { context, page } = await app.signIn("admin@airlock.local");
    const before = await storedSecret();
    await page.goto(`${app.airlock.webUrl}/connections/${connectionId}/edit`);
    await page.getByRole("heading", { name: `Edit ${NAME}` }).waitFor();
    await expect(page.getByLabel("Password", { exact: true }).inputValue()).resolves.toBe("");
    await page.screenshot({ path: screenshotPath("connection-edit"), fullPage: true });
    await page.getByLabel("Row limit").fill("300");
    await app.captureAction(page, "update", () => page.getByRole("button", { name: "Save changes" }).click());
    await page.waitForURL(/saved=updated$/);
    const kept = await storedSecret();
    expect(kept.ciphertext.equals(before.ciphertext)).toBe(true);
    expect(kept.plain).toBe(SECRET);

    // Pointing it at another server without the password is refused beside the field.
    await page.goto(`${app.airlock.webUrl}/connections/${connectionId}/edit`);
    await page.getByLabel("Host").fill("localhost");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.locator("#secret-error").filter({ hasText: "Enter the password again" }).waitFor();
    expect((await storedSecret()).ciphertext.equals(before.ciphertext)).toBe(true);

    await page.getByLabel("Host").fill("127.0.0.1");
    await page.getByLabel("Password", { exact: true }).fill(NEW_SECRET);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(/saved=updated$/);
    const resealed = await storedSecret();
    expect(resealed.ciphertext.equals(before.ciphertext)).toBe(false);
    expect(resealed.plain).toBe(NEW_SECRET);

    // The gateway picks the changed connection up.
    const answer = await gatewayQuery(NAME, "select 2 as two");
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);

    const audit = await app.withStore((db) =>
      db.query<{ action: string; details: unknown }>(`SELECT action, details FROM "AuditLog" WHERE "targetId" = $1 OR details::text LIKE $2 ORDER BY id`, [connectionId, `%${NAME}%`]),
    );
    const actions = audit.rows.map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(["connection.create", "grant.create", "connection.update", "connection.secret_change"]));
    const text = JSON.stringify(audit.rows);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(NEW_SECRET);
    for (const pathname of [`/connections/${connectionId}`, `/connections/${connectionId}/edit`]) {
      const payload = await app.bothPayloads(context, pathname);
      expect(payload).not.toContain(NEW_SECRET);
      expect(payload).not.toContain(SECRET);
    }
  });

  test("an approver sees connections but is refused the edit pages and every edit action; a policy author too", async () => {
    for (const email of ["approver@airlock.local", "author@airlock.local"]) {
      const { context, page } = await app.signIn(email);
      await page.goto(`${app.airlock.webUrl}/connections`);
      await page.locator(`[data-connection="${NAME}"]`).waitFor();
      await expect(page.getByRole("link", { name: "Add connection" }).count()).resolves.toBe(0);
      await page.goto(`${app.airlock.webUrl}/connections/${connectionId}`);
      await page.locator('[data-grant="agent claude-demo"]').waitFor();
      await expect(page.getByRole("button", { name: /Remove|Grant access|Test connection/ }).count()).resolves.toBe(0);
      await expect(page.getByRole("link", { name: "Edit connection" }).count()).resolves.toBe(0);
      if (email.startsWith("approver")) await page.screenshot({ path: screenshotPath("connection-detail-approver"), fullPage: true });

      for (const pathname of ["/connections/new", `/connections/${connectionId}/edit`]) {
        const response = await page.goto(`${app.airlock.webUrl}${pathname}`);
        expect(response?.status(), `${email} ${pathname}`).toBe(403);
      }
      for (const label of ["test", "test-saved", "create", "grant", "update"]) {
        const response = await app.replay(context, label, (body) => body.split(NAME).join(`${NAME}-forged`));
        expect(response.status(), `${email} replaying ${label}`).toBe(403);
        expect(await response.text()).not.toContain("Connected to");
      }
    }
    const { rows } = await app.withStore((db) => db.query(`SELECT name FROM "Connection" WHERE name = $1`, [`${NAME}-forged`]));
    expect(rows).toHaveLength(0);
  });

  test("removing a grant through another connection's page is refused (forged grant id)", async () => {
    const { context, page } = await app.signIn("admin@airlock.local");
    const shopGrant = await app.withStore(async (db) => {
      const { rows } = await db.query<{ id: string }>(`SELECT g.id FROM "Grant" g JOIN "Connection" c ON c.id = g."connectionId" WHERE c.name = 'shop' LIMIT 1`);
      return rows[0]!.id;
    });
    await page.goto(`${app.airlock.webUrl}/connections/${connectionId}`);
    const grantRow = page.locator('[data-grant="agent claude-demo"]');
    const ownGrant = await grantRow.locator('input[name="grantId"]').inputValue();
    page.once("dialog", (dialog) => void dialog.accept());
    await app.captureAction(page, "remove-grant", () => grantRow.getByRole("button", { name: /Remove the grant/ }).click());
    await grantRow.waitFor({ state: "detached" });

    const forged = await app.replay(context, "remove-grant", (body) => body.split(ownGrant).join(shopGrant));
    expect(forged.status()).toBe(200);
    expect(await forged.text()).toContain("does not exist on this connection");
    const { rows } = await app.withStore((db) => db.query(`SELECT id FROM "Grant" WHERE id = $1`, [shopGrant]));
    expect(rows).toHaveLength(1);
    const stillShop = await gatewayQuery("shop", "select 1 as one");
    expect(stillShop.status).toBe(200);

    // And an approver replaying the removal is refused outright.
    const approver = await app.signIn("approver@airlock.local");
    expect((await app.replay(approver.context, "remove-grant", (body) => body.split(ownGrant).join(shopGrant))).status()).toBe(403);
  });
});
