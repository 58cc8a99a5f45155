import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openSecret } from "../lib/crypto/secret-box";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// Notification channels end to end: an admin adds a Slack channel and a webhook through the form, sees them listed
// (the Slack one with the Interactivity Request URL its app needs), and no secret reaches a page, an RSC payload or
// the audit log. A statement that waits for approval is delivered to the webhook (a real local receiver) and shows
// in the delivery log, which filters by channel. Editing without typing the secret keeps it; a new one is re-sealed.
// An approver is refused the pages and every action (captured POSTs replayed); deleting takes the log with it.

const BOT_TOKEN = "xoxb-e2e-bot-token-31c9a7";
const SIGNING = "e2e-slack-signing-secret-6f02d4";
const HOOK_SECRET = "e2e-webhook-secret-a81f5c93";
const NEW_HOOK_SECRET = "e2e-webhook-rotated-0b7e42d1";
const SECRETS = [BOT_TOKEN, SIGNING, HOOK_SECRET, NEW_HOOK_SECRET];
const SLACK = "ops-approvals";
const HOOK = "pager-hook";
const SLACK_TARGET = "C0AIRLOCK01";

let app: AirlockConsole;
let receiver: http.Server;
let receiverBase = "";
const received: { path: string; event: string }[] = [];
let slackId = "";
let hookId = "";

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received.push({ path: request.url ?? "", event: String(request.headers["x-airlock-event"] ?? "") });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  app = await openConsole();
});

afterAll(async () => {
  await app?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

function masterKey(): Buffer {
  return Buffer.from(fs.readFileSync(path.join(app.airlock.dataDir, "master.key"), "utf8").trim(), "base64");
}

async function storedSecret(id: string): Promise<{ ciphertext: Buffer; plain: string }> {
  const { rows } = await app.withStore((db) => db.query<{ secretCiphertext: Buffer }>(`SELECT "secretCiphertext" FROM "NotificationChannel" WHERE id = $1`, [id]));
  const ciphertext = rows[0]!.secretCiphertext;
  return { ciphertext, plain: openSecret(masterKey(), ciphertext, id) };
}

async function auditOf(id: string) {
  const { rows } = await app.withStore((db) => db.query<{ action: string; details: unknown }>(`SELECT action, details FROM "AuditLog" WHERE "targetId" = $1 ORDER BY id`, [id]));
  return rows;
}

async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("notifications", () => {
  test("an admin adds a Slack channel and a webhook through the form and sees them listed; no secret reaches a page", async () => {
    const { context, page } = await app.signIn("admin@airlock.local");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Notifications" }).click();
    await page.getByRole("heading", { name: "Notifications", level: 1 }).waitFor();
    await page.getByText("No notification channels yet").waitFor();

    await page.getByRole("link", { name: "Add channel" }).click();
    await page.getByRole("heading", { name: "Add notification channel" }).waitFor();

    // Nothing filled in: each field says what is missing, and nothing is sent.
    await page.getByRole("button", { name: "Create channel" }).click();
    for (const field of ["name", "target", "secret", "signingSecret"]) await page.locator(`#${field}-error`).waitFor();
    await page.screenshot({ path: screenshotPath("notification-new-errors"), fullPage: true });

    // Slack: an escalation channel for one rule's requests, on every connection.
    await page.getByLabel("Kind").selectOption("slack");
    await page.getByLabel("Name", { exact: true }).fill(SLACK);
    await page.getByLabel("Slack channel id").fill("#ops");
    await page.getByLabel("Bot token").fill(BOT_TOKEN);
    await page.getByLabel("Slack signing secret").fill(SIGNING);
    await page.getByLabel("Rule id").fill("bulk-deletes");
    await page.getByLabel("Escalation channel").check();
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.locator("#target-error").filter({ hasText: "not its name" }).waitFor();
    await page.getByLabel("Slack channel id").fill(SLACK_TARGET);
    await app.captureAction(page, "create", () => page.getByRole("button", { name: "Create channel" }).click());
    await page.waitForURL(/\/notifications\/[0-9a-f-]{36}\?saved=created$/);
    slackId = /\/notifications\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole("heading", { name: SLACK, level: 1 }).waitFor();
    await page.getByText("Channel created.").waitFor();
    expect(await page.getByTestId("interactions-url").textContent()).toMatch(new RegExp(`^https?://[^/]+/api/slack/${slackId}/interactions$`));
    await page.screenshot({ path: screenshotPath("notification-slack-created"), fullPage: true });

    // Webhook: the demo connection's requests, to the local receiver.
    await page.goto(`${app.airlock.webUrl}/notifications/new`);
    await page.getByLabel("Kind").selectOption("webhook");
    await expect(page.getByLabel("Slack signing secret").count()).resolves.toBe(0);
    await page.getByLabel("Name", { exact: true }).fill(HOOK);
    await page.getByLabel("Webhook URL").fill(`${receiverBase}/hook`);
    await page.getByLabel("Signing secret", { exact: true }).fill("too-short");
    await page.getByLabel("Connection").selectOption({ label: "shop" });
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.locator("#secret-error").filter({ hasText: "at least 16 characters" }).waitFor();
    await page.getByLabel("Signing secret", { exact: true }).fill(HOOK_SECRET);
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.waitForURL(/\/notifications\/[0-9a-f-]{36}\?saved=created$/);
    hookId = /\/notifications\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await expect(page.getByTestId("interactions-url").count()).resolves.toBe(0);

    await page.goto(`${app.airlock.webUrl}/notifications`);
    const slackRow = page.locator(`[data-channel="${SLACK}"]`);
    const hookRow = page.locator(`[data-channel="${HOOK}"]`);
    await slackRow.waitFor();
    for (const text of ["Slack channel", SLACK_TARGET, "every connection", "bulk-deletes", "reminders only", "enabled", `/api/slack/${slackId}/interactions`, "0 delivered"]) {
      await slackRow.getByText(text).first().waitFor();
    }
    for (const text of ["Webhook", `${receiverBase}/hook`, "shop", "new requests, outcomes", "enabled"]) await hookRow.getByText(text).first().waitFor();
    await page.screenshot({ path: screenshotPath("notifications-list"), fullPage: true });

    // Sealed with the master key, bound to the channel; never in a page, its RSC payload or the audit log.
    expect((await storedSecret(slackId)).plain).toBe(BOT_TOKEN);
    expect((await storedSecret(hookId)).plain).toBe(HOOK_SECRET);
    for (const pathname of ["/notifications", "/notifications/new", `/notifications/${slackId}`, `/notifications/${hookId}`, "/audit"]) {
      const payload = await app.bothPayloads(context, pathname);
      for (const secret of SECRETS) expect(payload, pathname).not.toContain(secret);
    }
    const audit = [...(await auditOf(slackId)), ...(await auditOf(hookId))];
    expect(audit.map((row) => row.action)).toEqual(["notification_channel.create", "notification_channel.create"]);
    for (const secret of SECRETS) expect(JSON.stringify(audit)).not.toContain(secret);
  });

  test("a statement waiting for approval is delivered to the webhook and shows in the delivery log, filtered by channel", async () => {
    const paused = await app.agentQuery<{ approval: { id: string } }>("UPDATE orders SET status = 'shipped' WHERE id = 3");
    expect(paused.status).toBe(202);
    const requestId = paused.body.approval.id;
    await waitFor("the webhook delivery", () => received.find((entry) => entry.path === "/hook" && entry.event === "approval.requested"));

    const { page } = await app.signIn("admin@airlock.local");
    await page.goto(`${app.airlock.webUrl}/notifications?channel=${hookId}`);
    const row = page.locator("[data-delivery]").filter({ hasText: HOOK }).filter({ hasText: "delivered" });
    await waitFor("the delivered row", async () => {
      if ((await row.count()) > 0) return true;
      await page.reload();
      return false;
    });
    await expect(row.getByRole("link", { name: requestId.slice(0, 8) }).getAttribute("href")).resolves.toBe(`/approvals/${requestId}`);
    expect(await row.textContent()).toContain("requested");
    expect(await row.textContent()).toContain("204");
    await page.locator(`[data-channel="${HOOK}"]`).getByText("1 delivered").waitFor();
    await expect(page.getByLabel("Channel", { exact: true }).inputValue()).resolves.toBe(hookId);
    await page.screenshot({ path: screenshotPath("notifications-log"), fullPage: true });

    // The filter form puts the channel in the URL; the Slack channel (reminders of another rule) heard nothing.
    await page.getByLabel("Channel", { exact: true }).selectOption({ label: SLACK });
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(new RegExp(`channel=${slackId}`));
    await page.getByText("Nothing sent to this channel yet").waitFor();
    await page.getByRole("link", { name: "Show every channel" }).click();
    await row.waitFor();

    await page.goto(`${app.airlock.webUrl}/notifications?channel=00000000-0000-4000-8000-000000000000`);
    await page.getByRole("alert").filter({ hasText: "No channel has that id" }).waitFor();
    await row.waitFor();
  });

  test("editing without typing the secret keeps it; a new one is re-sealed; the audit log holds neither", async () => {
    const { context, page } = await app.signIn("admin@airlock.local");
    const before = await storedSecret(hookId);
    await page.goto(`${app.airlock.webUrl}/notifications/${hookId}`);
    await page.getByRole("heading", { name: HOOK, level: 1 }).waitFor();
    const secret = page.getByLabel("Signing secret", { exact: true });
    await expect(secret.inputValue()).resolves.toBe("");
    await page.getByText("Leave empty to keep the stored one").waitFor();
    await expect(page.getByLabel("Webhook URL").inputValue()).resolves.toBe(`${receiverBase}/hook`);
    await page.screenshot({ path: screenshotPath("notification-edit"), fullPage: true });

    await page.getByLabel("Webhook URL").fill(`${receiverBase}/hook2`);
    await page.getByLabel("Escalation channel").check();
    await app.captureAction(page, "update", () => page.getByRole("button", { name: "Save changes" }).click());
    await page.waitForURL(/saved=updated$/);
    await page.getByText("Changes saved.").waitFor();
    const kept = await storedSecret(hookId);
    expect(kept.ciphertext.equals(before.ciphertext)).toBe(true);
    expect(kept.plain).toBe(HOOK_SECRET);
    await expect(page.getByLabel("Webhook URL").inputValue()).resolves.toBe(`${receiverBase}/hook2`);

    await page.getByLabel("Signing secret", { exact: true }).fill(NEW_HOOK_SECRET);
    await page.getByLabel("Escalation channel").uncheck();
    await page.getByRole("button", { name: "Save changes" }).click();
    // The same address again (saved=updated): wait for the store instead, then for the form to start afresh.
    const resealed = await waitFor("the new secret", async () => {
      const stored = await storedSecret(hookId);
      return stored.ciphertext.equals(before.ciphertext) ? null : stored;
    });
    expect(resealed.plain).toBe(NEW_HOOK_SECRET);
    await waitFor("the form to start afresh", async () => (await page.getByLabel("Signing secret", { exact: true }).inputValue()) === "");

    const audit = await auditOf(hookId);
    expect(audit.map((row) => row.action)).toEqual(["notification_channel.create", "notification_channel.update", "notification_channel.update", "notification_channel.secret_change"]);
    for (const secret of SECRETS) expect(JSON.stringify(audit)).not.toContain(secret);
    const payload = await app.bothPayloads(context, `/notifications/${hookId}`);
    for (const secret of SECRETS) expect(payload).not.toContain(secret);
  });

  test("an approver is refused the pages and every action", async () => {
    const { context, page } = await app.signIn("approver@airlock.local");
    await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Notifications" }).count()).resolves.toBe(0);
    for (const pathname of ["/notifications", "/notifications/new", `/notifications/${hookId}`]) {
      const response = await page.goto(`${app.airlock.webUrl}${pathname}`);
      expect(response?.status(), pathname).toBe(403);
      await page.getByRole("heading", { name: "You don't have access to this page" }).waitFor();
      expect(await page.content()).not.toContain(HOOK);
    }
    await page.screenshot({ path: screenshotPath("notifications-approver-forbidden"), fullPage: true });

    for (const label of ["create", "update"]) {
      const response = await app.replay(context, label, (body) => body.split(SLACK).join(`${SLACK}-forged`).split(HOOK).join(`${HOOK}-forged`));
      expect(response.status(), `replaying ${label}`).toBe(403);
    }
    const { rows } = await app.withStore((db) => db.query(`SELECT name FROM "NotificationChannel" WHERE name LIKE '%-forged'`));
    expect(rows).toHaveLength(0);
  });

  test("an admin deletes a channel, and its delivery log goes with it; an approver cannot", async () => {
    const { page } = await app.signIn("admin@airlock.local");
    await page.goto(`${app.airlock.webUrl}/notifications/${hookId}`);
    page.once("dialog", (dialog) => void dialog.accept());
    await app.captureAction(page, "delete", () => page.getByRole("button", { name: "Delete channel" }).click());
    await page.waitForURL(/\/notifications\?saved=deleted$/);
    await page.getByText("Channel deleted, with its delivery log.").waitFor();
    await expect(page.locator(`[data-channel="${HOOK}"]`).count()).resolves.toBe(0);
    await page.locator(`[data-channel="${SLACK}"]`).waitFor();
    const { rows } = await app.withStore((db) => db.query(`SELECT id FROM "NotificationDelivery" WHERE "channelId" = $1`, [hookId]));
    expect(rows).toHaveLength(0);
    expect((await auditOf(hookId)).at(-1)?.action).toBe("notification_channel.delete");

    // The approver replaying the deletion for the remaining channel is refused; it stays.
    const approver = await app.signIn("approver@airlock.local");
    expect((await app.replay(approver.context, "delete", (body) => body.split(hookId).join(slackId))).status()).toBe(403);
    const left = await app.withStore((db) => db.query(`SELECT id FROM "NotificationChannel" WHERE id = $1`, [slackId]));
    expect(left.rows).toHaveLength(1);
  });
});
