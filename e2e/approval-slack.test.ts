import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sealSecret } from "../lib/crypto/secret-box";
import { FakeSlack, slackInteraction } from "../tests/support/fake-slack";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// The whole story of a write decided in seconds, on Airlock as `npm start` runs it, in Chromium: the agent's UPDATE
// comes with its reason and waits; Slack (a local fake of its Web API) gets the message with the dry run; the
// approval page shows the reason and the masked before/after preview; a click on Slack's Approve button (signed as
// Slack signs it) approves; the agent gets its result with the approver's comment; the Slack message shows the
// outcome; and the session replay shows the reason, the dry run and the Slack vote.

const MASTER_KEY = randomBytes(32).toString("base64");
const BOT_TOKEN = "xoxb-e2e-token";
const SIGNING_SECRET = "e2e-signing-secret-0123456789";
const SLACK_CHANNEL = "C0E2EAPPROVALS";
const APPROVER_SLACK_ID = "U0E2EAPPROVER";

let slack: FakeSlack;
let app: AirlockConsole;
const channelId = randomUUID();

beforeAll(async () => {
  slack = await FakeSlack.start({ token: BOT_TOKEN });
  app = await openConsole({ airlock: { env: { AIRLOCK_SLACK_API_URL: slack.url, AIRLOCK_MASTER_KEY: MASTER_KEY } } });
  // An admin's Slack channel (its form is tested in notifications.test.ts) and the approver's Slack member id.
  const key = Buffer.from(MASTER_KEY, "base64");
  await app.withStore(async (db) => {
    await db.query(
      `INSERT INTO "NotificationChannel" (id, name, kind, target, "secretCiphertext", "signingSecretCiphertext", "updatedAt") VALUES ($1, 'approvals-slack', 'slack', $2, $3, $4, now())`,
      [channelId, SLACK_CHANNEL, Buffer.from(sealSecret(key, BOT_TOKEN, channelId)), Buffer.from(sealSecret(key, SIGNING_SECRET, channelId))],
    );
    await db.query(`UPDATE "User" SET "slackUserId" = $1 WHERE email = 'approver@airlock.local'`, [APPROVER_SLACK_ID]);
  });
});

afterAll(async () => {
  await app?.close();
  await slack?.close();
});

async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Reply {
  readonly approval: { readonly id: string; readonly url: string };
  readonly sessionId: string;
  readonly rowCount?: number;
}

describe("an UPDATE decided from Slack", () => {
  test("waits with its reason and dry run, is approved by a Slack click, runs once, and the replay tells it all", async () => {
    const sql = "UPDATE customers SET city = 'Paris' WHERE id <= 3";
    const reason = "OPS-1234: the first three customers moved to the Paris office";
    const asked = await fetch(`${app.airlock.gatewayUrl}/v1/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${app.demo().agentToken}`, "content-type": "application/json" },
      body: JSON.stringify({ connection: "shop", sql, reason }),
    });
    const pending = (await asked.json()) as Reply;
    expect(asked.status, JSON.stringify(pending)).toBe(202);
    const id = pending.approval.id;

    // Slack: one message with the statement, the reason, the dry run's line and the buttons carrying the id.
    const post = await waitFor("the Slack message", () => slack.callsTo("chat.postMessage", id).find((call) => call.answer.ok));
    const posted = JSON.stringify(post.body.blocks);
    expect(post.body.channel).toBe(SLACK_CHANNEL);
    expect(posted).toContain(reason);
    expect(posted).toContain("UPDATE would change 3 rows");
    expect(posted).toContain(`"value":"${id}"`);
    expect(posted).not.toContain("4242 4242 4242 4242");

    // The approval page: reason and the masked before/after sample, nothing raw.
    const { page } = await app.signIn("approver@airlock.local");
    await page.goto(pending.approval.url.replace(/^https?:\/\/[^/]+/, app.airlock.webUrl));
    await page.getByText(reason).first().waitFor();
    const dryRun = page.getByRole("region", { name: /dry run/i });
    await dryRun.waitFor();
    const previewText = (await dryRun.textContent()) ?? "";
    expect(previewText).toMatch(/3 rows/);
    expect(previewText).toContain("London");
    expect(previewText).toContain("Paris");
    const html = await page.content();
    for (const raw of ["4242 4242 4242 4242", "512-44-1234", "ada@example.com"]) expect(html).not.toContain(raw);
    await page.screenshot({ path: screenshotPath("approval-slack-preview"), fullPage: true });

    // The approver clicks Approve in Slack: Slack posts the signed interaction to Airlock.
    const click = {
      type: "block_actions",
      user: { id: APPROVER_SLACK_ID, username: "approver" },
      trigger_id: "trigger-e2e",
      channel: { id: SLACK_CHANNEL },
      actions: [{ action_id: "approve", block_id: "airlock_decision", value: id, type: "button" }],
    };
    const { rawBody, headers } = slackInteraction(SIGNING_SECRET, click);
    const interaction = await fetch(`${app.airlock.webUrl}/api/slack/${channelId}/interactions`, { method: "POST", headers, body: rawBody });
    expect(interaction.status, await interaction.clone().text()).toBe(200);
    // The same signed request again is a replay.
    expect((await fetch(`${app.airlock.webUrl}/api/slack/${channelId}/interactions`, { method: "POST", headers, body: rawBody })).status).toBe(403);

    // The agent collects its result, once.
    const collected = await app.pollApproval<Reply>(id, 10);
    expect(collected.status, JSON.stringify(collected.body)).toBe(200);
    expect(collected.body.rowCount).toBe(3);
    expect((await app.pollApproval<Reply>(id, 0)).status).toBe(409);
    const read = await app.agentQuery<{ rows: unknown[][] }>("SELECT city FROM customers WHERE id <= 4 ORDER BY id");
    expect(read.body.rows).toEqual([["Paris"], ["Paris"], ["Paris"], ["Hampton"]]);

    // The Slack message now shows the outcome, without buttons.
    const update = await waitFor("the Slack update", () => slack.callsTo("chat.update", id).find((call) => call.answer.ok));
    const updated = JSON.stringify(update.body.blocks);
    expect(updated).not.toContain('"actions"');
    expect(updated).toContain("Demo Approver");

    // The approval page says who approved, and where.
    await page.reload();
    await page.getByText(/in Slack/).first().waitFor();
    await page.screenshot({ path: screenshotPath("approval-slack-approved"), fullPage: true });

    // The replay: the statement, the wait with the reason and dry run, the Slack vote, the result.
    await page.goto(`${app.airlock.webUrl}/sessions/${pending.sessionId}`);
    await page.getByRole("heading", { name: /Session of/ }).waitFor();
    await page.locator('ol[aria-label="Events"] button', { hasText: "Waiting for approval" }).last().click();
    const trail = page.locator(`[data-approval-trail="${id}"]`);
    await trail.waitFor();
    const story = (await trail.textContent()) ?? "";
    expect(story).toContain(reason);
    expect(story).toContain("UPDATE would change 3 rows");
    expect(story).toMatch(/Demo Approver approved\s+in Slack/);
    await page.locator('ol[aria-label="Events"] button', { hasText: "Approval outcome" }).last().click();
    await page.locator('[data-testid="replay-panel"] article[data-type="approval_outcome"]').waitFor();
    await page.screenshot({ path: screenshotPath("approval-slack-replay"), fullPage: true });
  });
});
