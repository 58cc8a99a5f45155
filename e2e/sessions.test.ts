import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoRoot } from "./support/airlock";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// Sessions and replay end to end: the demo agent reads masked customer columns, is blocked from dropping a table
// and has an UPDATE approved, all through the real gateway on the demo shop. An auditor finds those statements
// in the sessions table through its filters, replays the session (step, play), sees masked values only and the
// chain verified, and exports it as JSON and CSV. An approver may replay but not export; a policy author may do
// neither. An event changed in the store shows the chain broken at that event.

let app: AirlockConsole;
let sessionId = "";

/** The shop's real card numbers, SSNs and e-mail addresses (demo/shop.sql): none may ever reach a page or export. */
const shopSql = fs.readFileSync(path.join(repoRoot, "demo", "shop.sql"), "utf8");
const secrets = [
  ...[...shopSql.matchAll(/'(\d{4} [\d ]{10,})'/g)].flatMap((m) => [m[1]!, m[1]!.replace(/ /g, "")]),
  ...[...shopSql.matchAll(/'(\d{3}-\d{2}-\d{4})'/g)].map((m) => m[1]!),
  ...[...shopSql.matchAll(/'([a-z]+@example\.[a-z.]+)'/g)].map((m) => m[1]!),
];

function expectNoSecrets(text: string, where: string) {
  for (const secret of secrets) expect(text.includes(secret), `${where} shows ${secret}`).toBe(false);
}

beforeAll(async () => {
  app = await openConsole({ context: { viewport: { width: 1400, height: 950 }, acceptDownloads: true } });
});

afterAll(async () => {
  await app?.close();
});

interface Reply {
  readonly sessionId?: string;
  readonly rows?: unknown[][];
  readonly approval?: { readonly id: string; readonly url: string };
}

const agentSession = `e2e-replay-${randomUUID()}`;

function query(sql: string, session = agentSession) {
  return app.agentQuery<Reply>(sql, { session });
}

describe("sessions and replay", () => {
  test("the demo agent reads masked columns, is blocked from a DROP and has an UPDATE approved", async () => {
    const cards = await query("SELECT name, email, card_number, ssn FROM customers ORDER BY id");
    expect(cards.status, JSON.stringify(cards.body)).toBe(200);
    sessionId = cards.body.sessionId!;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expectNoSecrets(JSON.stringify(cards.body), "the gateway's answer");
    const emails = await query("SELECT id, email FROM customers WHERE city = 'London'");
    expect(emails.status).toBe(200);
    expect(emails.body.sessionId).toBe(sessionId);
    const drop = await query("DROP TABLE orders");
    expect(drop.status).toBe(403);
    // Another session of the same agent, which the filters must leave out.
    expect((await query("SELECT count(*) FROM orders", `e2e-other-${randomUUID()}`)).status).toBe(200);

    const update = await query("UPDATE orders SET status = 'paid' WHERE id = 5");
    expect(update.status, JSON.stringify(update.body)).toBe(202);
    const { page } = await app.signIn("approver@airlock.local");
    await page.goto(update.body.approval!.url);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").filter({ hasText: "Approved by Demo Approver" }).waitFor();
    const poll = await app.pollApproval(update.body.approval!.id, 10);
    expect(poll.status).toBe(200);

    // Result summaries are written right after the answers: wait until all three are in.
    for (let i = 0; i < 50; i++) {
      const results = await app.withStore((db) => db.query(`SELECT count(*)::int AS n FROM "SessionEvent" WHERE "sessionId" = $1 AND type = 'result'`, [sessionId]));
      if (results.rows[0].n >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test("an auditor finds the statements by filters, replays the session with masked values only and the chain verified, and exports it", async () => {
    expect(sessionId).not.toBe("");
    const { page } = await app.signIn("auditor@airlock.local");
    await page.getByRole("link", { name: "Sessions" }).first().click();
    await page.getByRole("heading", { name: "Sessions", level: 1 }).waitFor();
    await page.locator('[data-testid="statements-table"]').waitFor();
    await page.screenshot({ path: screenshotPath("sessions-table"), fullPage: true });

    // Filters: agent, decision, text. They land in the URL.
    await page.getByLabel("Agent").selectOption({ label: "claude-demo" });
    await page.getByLabel("Decision").selectOption({ label: "Blocked" });
    await page.getByLabel("SQL contains").fill("orders");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/decision=block/);
    const blockedUrl = new URL(page.url());
    expect(blockedUrl.searchParams.get("q")).toBe("orders");
    expect(blockedUrl.searchParams.get("agent")).toMatch(/^[0-9a-f-]{36}$/);
    expect([...blockedUrl.searchParams.keys()].sort()).toEqual(["agent", "decision", "q"]); // blank fields left out
    const blockedRows = page.locator('[data-testid="statements-table"] tbody tr');
    await expect(blockedRows.count()).resolves.toBe(1);
    await expect(blockedRows.first().textContent()).resolves.toMatch(/DROP TABLE orders.*Blocked/);
    await page.screenshot({ path: screenshotPath("sessions-filtered"), fullPage: true });

    await page.getByLabel("Decision").selectOption({ label: "Allowed" });
    await page.getByLabel("SQL contains").fill("CARD_NUMBER");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/decision=allow/);
    const row = page.locator(`[data-testid="statements-table"] tbody tr[data-session-id="${sessionId}"]`);
    await expect(row.count()).resolves.toBe(1);
    await expect(page.locator('[data-testid="statements-table"] tbody tr').count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain("SELECT name, email, card_number, ssn FROM customers");

    // A text nobody sent: the empty state, and the back button returns to the filter before.
    await page.getByLabel("SQL contains").fill("no statement says this");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No statements match these filters").waitFor();
    await page.goBack();
    await page.waitForURL(/q=CARD_NUMBER/);
    await row.waitFor();

    // Open the replay at that statement.
    await row.getByRole("link", { name: /replay/i }).click();
    await page.waitForURL(new RegExp(`/sessions/${sessionId}\\?seq=\\d+`));
    await page.getByRole("heading", { name: "Session of claude-demo" }).waitFor();
    const chain = page.locator('[data-chain="verified"]');
    await chain.waitFor();
    await expect(chain.textContent()).resolves.toContain("Chain verified");
    const panel = page.locator('[data-testid="replay-panel"]');
    await expect(panel.locator("code[data-sql]").first().textContent()).resolves.toBe("SELECT name, email, card_number, ssn FROM customers ORDER BY id");

    // Step: the decision, then the result with its masked sample as a table.
    await page.getByRole("button", { name: "Step forward ▶" }).click();
    await panel.locator('article[data-type="decision"]').waitFor();
    await page.getByRole("button", { name: "Step forward ▶" }).click();
    const sample = panel.locator('[data-testid="result-sample"]');
    await sample.waitFor();
    const headers = await sample.locator("th").allTextContents();
    expect(headers.map((h) => h.trim())).toEqual(["name", "email masked", "card_number masked", "ssn masked"]);
    const firstRow = await sample.locator("tbody tr").first().locator("td").allTextContents();
    expect(firstRow[0]).toBe("Ada Lovelace");
    expect(firstRow[1]).toMatch(/@example\.com$/);
    expect(firstRow[1]).not.toBe("ada@example.com");
    expect(firstRow[2]).toMatch(/4242$/);
    expect(firstRow[2]).not.toContain("4242 4242 4242 4242");
    await page.screenshot({ path: screenshotPath("session-replay-result"), fullPage: true });
    await page.getByRole("button", { name: "◀ Step back" }).click();
    await expect(page.locator('[data-testid="replay-position"]').textContent()).resolves.toMatch(/Decision/);

    // Play from the start at 8×, to the last event: the approval trail comes up on the way.
    await page.getByRole("button", { name: "To start" }).click();
    await page.getByLabel("Speed").selectOption("8");
    await page.getByRole("button", { name: "▶ Play" }).click();
    await page.getByRole("button", { name: "❚❚ Pause" }).waitFor();
    const total = await page.locator('[data-testid="replay-panel"]').evaluate(() => document.querySelectorAll('ol[aria-label="Events"] li').length);
    expect(total).toBeGreaterThanOrEqual(14);
    await page.locator('[data-testid="replay-position"]').filter({ hasText: `Event ${total} of ${total}` }).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "▶ Play" }).waitFor();
    await page.locator('ol[aria-label="Events"] button', { hasText: "Waiting for approval" }).click();
    const trail = panel.locator("[data-approval-trail]");
    await trail.waitFor();
    await expect(trail.textContent()).resolves.toMatch(/Demo Approver\s*approved/);
    await page.screenshot({ path: screenshotPath("session-replay"), fullPage: true });

    // Masked values only, in the DOM and in the HTML (with its flight data) the server sends.
    expectNoSecrets(await page.content(), "the replay page");
    const html = await page.request.get(page.url());
    expect(html.status()).toBe(200);
    expectNoSecrets(await html.text(), "the replay HTML");
    expectNoSecrets(await (await page.request.get(`${app.airlock.webUrl}/sessions?q=customers`)).text(), "the sessions table");

    // Exports: every event, masked values only; each export is in the audit log.
    const eventCount = await app.withStore((db) => db.query(`SELECT "eventCount" FROM "AgentSession" WHERE id = $1`, [sessionId]).then((r) => r.rows[0].eventCount as number));
    const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export JSON" }).click()]);
    expect(jsonDownload.suggestedFilename()).toBe(`airlock-session-${sessionId}.json`);
    const jsonText = fs.readFileSync((await jsonDownload.path())!, "utf8");
    expectNoSecrets(jsonText, "the JSON export");
    const exported = JSON.parse(jsonText) as { session: { id: string }; chain: { verified: boolean }; events: { seq: number; type: string }[] };
    expect(exported.session.id).toBe(sessionId);
    expect(exported.chain.verified).toBe(true);
    expect(exported.events.map((event) => event.seq)).toEqual(Array.from({ length: eventCount }, (_, i) => i + 1));
    expect(new Set(exported.events.map((event) => event.type))).toEqual(new Set(["connect", "statement", "decision", "result", "approval_wait", "approval_outcome"]));
    expect(jsonText).toContain("4242"); // the masked card keeps its last four

    const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    const csvText = fs.readFileSync((await csvDownload.path())!, "utf8");
    expectNoSecrets(csvText, "the CSV export");
    const csvLines = csvText.split("\r\n").filter((line) => line.startsWith(sessionId));
    expect(csvLines).toHaveLength(eventCount);
    expect(csvText.split("\r\n")[0]).toBe("session_id,agent,connection,front_door,seq,type,at,decision,sql,payload,prev_hash,hash,chain");

    const audit = await app.withStore((db) =>
      db.query(`SELECT l.details->>'format' AS format FROM "AuditLog" l JOIN "User" u ON u.id = l."actorId" WHERE l.action = 'session.export' AND l."targetId" = $1 AND u.email = 'auditor@airlock.local' ORDER BY l.at`, [sessionId]),
    );
    expect(audit.rows.map((r) => r.format)).toEqual(["json", "csv"]);
  });

  test("an approver may replay but not export; a policy author may do neither; nobody signed out gets anything", async () => {
    const exportUrl = `${app.airlock.webUrl}/api/sessions/${sessionId}/export?format=json`;
    const approver = (await app.signIn("approver@airlock.local")).page;
    const replay = await approver.goto(`${app.airlock.webUrl}/sessions/${sessionId}`);
    expect(replay?.status()).toBe(200);
    await approver.locator('[data-chain="verified"]').waitFor();
    await expect(approver.getByRole("link", { name: /export/i }).count()).resolves.toBe(0);
    for (const format of ["json", "csv"]) {
      const refused = await approver.request.get(`${app.airlock.webUrl}/api/sessions/${sessionId}/export?format=${format}`);
      expect(refused.status()).toBe(403);
      expect(await refused.text()).not.toContain("statement");
    }

    const author = (await app.signIn("author@airlock.local")).page;
    await expect(author.getByRole("link", { name: "Sessions" }).count()).resolves.toBe(0);
    for (const pathname of ["/sessions", `/sessions/${sessionId}`, "/sessions?decision=block"]) {
      const response = await author.goto(`${app.airlock.webUrl}${pathname}`);
      expect(response?.status(), pathname).toBe(403);
      expectNoSecrets(await author.content(), pathname);
      expect(await author.content()).not.toContain("card_number");
    }
    expect((await author.request.get(exportUrl)).status()).toBe(403);

    const anonymous = await fetch(exportUrl, { redirect: "manual" });
    expect(anonymous.status).toBe(401);
    const anonymousPage = await fetch(`${app.airlock.webUrl}/sessions/${sessionId}`, { redirect: "manual" });
    expect([302, 303, 307]).toContain(anonymousPage.status);

    // A forged or unknown id is a 404, not an error page with details.
    const auditor = (await app.signIn("auditor@airlock.local")).page;
    expect((await auditor.request.get(`${app.airlock.webUrl}/api/sessions/${randomUUID()}/export?format=csv`)).status()).toBe(404);
    expect((await auditor.request.get(`${app.airlock.webUrl}/api/sessions/'%20OR%201=1--/export`)).status()).toBe(404);
    expect((await auditor.request.get(`${app.airlock.webUrl}/api/sessions/${sessionId}/export?format=xml`)).status()).toBe(400);
    expect((await auditor.goto(`${app.airlock.webUrl}/sessions/${randomUUID()}`))?.status()).toBe(404);
  });

  test("an event changed in the store shows the chain broken at that event", async () => {
    const seq = await app.withStore(async (db) => {
      const { rows } = await db.query(`SELECT seq FROM "SessionEvent" WHERE "sessionId" = $1 AND type = 'result' ORDER BY seq LIMIT 1`, [sessionId]);
      const target = rows[0].seq as number;
      await db.query(`UPDATE "SessionEvent" SET payload = jsonb_set(payload, '{statements,0,rowCount}', '0') WHERE "sessionId" = $1 AND seq = $2`, [sessionId, target]);
      return target;
    });
    const { page } = await app.signIn("auditor@airlock.local");
    await page.goto(`${app.airlock.webUrl}/sessions/${sessionId}?seq=${seq}`);
    const broken = page.locator('[data-chain="broken"]');
    await broken.waitFor();
    await expect(broken.getAttribute("data-broken-seq")).resolves.toBe(String(seq));
    await expect(broken.textContent()).resolves.toContain(`Chain broken at event #${seq}`);
    await page.locator(`ol[aria-label="Events"] button[data-seq="${seq}"]`, { hasText: "broken" }).waitFor();
    await page.locator('[data-testid="replay-panel"] article', { hasText: "unverified" }).first().waitFor();
    await page.screenshot({ path: screenshotPath("session-replay-broken"), fullPage: true });

    const csv = await page.request.get(`${app.airlock.webUrl}/api/sessions/${sessionId}/export?format=csv`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain("broken: hash_mismatch");
  });
});
