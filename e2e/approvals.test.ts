import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// The approvals inbox end to end: an agent's UPDATE pauses at the gateway, shows up in an approver's open inbox
// without a reload, is approved (or rejected with a reason) in the browser, and the agent's poll gets the outcome.
// People without approvals.decide are refused by the page and by the server action itself.

let app: AirlockConsole;

/** The approval the approver's captured rejection ("reject") was about, replaced by another id when replayed. */
let rejectedId = "";

beforeAll(async () => {
  app = await openConsole();
});

afterAll(async () => {
  await app?.close();
});

/** The parts of the gateway's answers these tests read. */
interface GatewayReply {
  readonly approval: { readonly id: string; readonly status: string; readonly url: string };
  readonly rowCount?: number;
  readonly code?: string;
  readonly reason?: string;
}

const agent = {
  query: (sql: string) => app.agentQuery<GatewayReply>(sql),
  poll: (id: string, waitSeconds: number) => app.pollApproval<GatewayReply>(id, waitSeconds),
};

async function pause(sql: string): Promise<{ id: string; url: string }> {
  const { status, body } = await agent.query(sql);
  expect(status, JSON.stringify(body)).toBe(202);
  expect(body.approval.status).toBe("pending");
  expect(body.approval.url).toMatch(new RegExp(`/approvals/${body.approval.id}$`));
  return { id: body.approval.id, url: body.approval.url };
}

describe("approvals inbox", () => {
  test("a paused UPDATE appears live in the approver's inbox; approving it lets the agent's statement run once", async () => {
    const { page } = await app.signIn("approver@airlock.local");
    await page.goto(`${app.airlock.webUrl}/approvals`);
    await page.getByRole("heading", { name: "Approvals", level: 1 }).waitFor();
    await page.getByText("Nothing is waiting on a decision").waitFor();
    // A marker that a reload would wipe.
    await page.evaluate(() => ((window as unknown as { airlockMarker: number }).airlockMarker = 42));

    const sql = "UPDATE orders SET status = 'refunded' WHERE id = 1";
    const sent = Date.now();
    const { id, url } = await pause(sql);
    const card = page.locator(`[data-approval-id="${id}"]`);
    await card.waitFor({ timeout: 5000 });
    const appearedMs = Date.now() - sent;
    expect(appearedMs).toBeLessThan(2500); // polls every 1.5 s
    expect(await page.evaluate(() => (window as unknown as { airlockMarker?: number }).airlockMarker)).toBe(42);

    // The card shows the statement (highlighted, as text), who asked, where, why, what it touches and the clock.
    await expect(card.locator("code[data-sql]").textContent()).resolves.toBe(sql);
    await expect(card.locator('[data-token="keyword"]').first().textContent()).resolves.toBe("UPDATE");
    await expect(card.locator('[data-token="string"]').first().textContent()).resolves.toBe("'refunded'");
    const text = (await card.textContent()) ?? "";
    expect(text).toContain("claude-demo");
    expect(text).toContain("Agent owned by Demo Policy Author");
    expect(text).toContain("shop");
    expect(text).toContain("Changes to shop data need a reviewer's approval");
    expect(text).toContain("approve-update-delete");
    expect(text).toMatch(/Writes\s*orders/);
    expect(text).toMatch(/expires in 1[45] min/);
    expect(text).toContain("0 of 1 approval");
    await page.getByText("Nothing is waiting on a decision").waitFor({ state: "detached" });
    await page.screenshot({ path: screenshotPath("approvals-inbox"), fullPage: true });

    // The inbox's feed returns display fields only.
    const feed = await page.request.get(`${app.airlock.webUrl}/api/approvals/pending`);
    expect(feed.status()).toBe(200);
    const feedText = await feed.text();
    expect(feedText).toContain(id);
    expect(feedText).not.toMatch(/sealed|bindingHash|ownerId|passwordHash/i);

    await card.getByRole("link", { name: /review/i }).click();
    await page.waitForURL(`**/approvals/${id}`);
    expect(new URL(url).pathname).toBe(new URL(page.url()).pathname);
    await page.getByRole("heading", { name: "Statement from claude-demo" }).waitFor();
    await page.getByRole("button", { name: "Approve" }).waitFor();
    await page.getByText("Nobody has voted yet.").waitFor();
    await page.screenshot({ path: screenshotPath("approval-detail"), fullPage: true });

    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").filter({ hasText: "Approved by Demo Approver" }).waitFor();
    await expect(page.getByRole("button", { name: "Approve" }).count()).resolves.toBe(0);
    await page.getByText(/Demo Approver\s*approved/).waitFor();
    await page.screenshot({ path: screenshotPath("approval-approved"), fullPage: true });

    const outcome = await agent.poll(id, 10);
    expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);
    expect(outcome.body.rowCount).toBe(1);

    // It left the inbox, live, and is in the history.
    await page.goto(`${app.airlock.webUrl}/approvals`);
    await page.getByText("Nothing is waiting on a decision").waitFor();
    await page.goto(`${app.airlock.webUrl}/approvals/history`);
    const row = page.locator("li", { has: page.locator(`a[href="/approvals/${id}"]`) });
    await row.getByText("Approved · ran").waitFor();
    await row.getByText("Approved by Demo Approver; the agent ran it").waitFor();
    await page.screenshot({ path: screenshotPath("approvals-history"), fullPage: true });
  });

  test("rejecting needs a reason; the agent's poll gets 403 with it", async () => {
    const { page } = await app.signIn("approver@airlock.local");
    const { id, url } = await pause("UPDATE orders SET status = 'refunded' WHERE id = 2");
    await page.goto(url);
    await page.getByRole("heading", { name: "Statement from claude-demo" }).waitFor();

    // No reason: the form says so beside the textarea, and nothing is sent.
    let posts = 0;
    page.on("request", (request) => {
      if (request.method() === "POST" && request.headers()["next-action"]) posts += 1;
    });
    await page.getByRole("button", { name: "Reject" }).click();
    const fieldError = page.locator("#reason-error");
    await fieldError.waitFor();
    await expect(fieldError.textContent()).resolves.toMatch(/say why/i);
    await expect(page.getByLabel("Reason").getAttribute("aria-invalid")).resolves.toBe("true");
    expect(posts).toBe(0);
    await page.screenshot({ path: screenshotPath("approval-reject-reason"), fullPage: true });

    await page.getByLabel("Reason").fill("not during business hours");
    await app.captureAction(page, "reject", () => page.getByRole("button", { name: "Reject" }).click());
    rejectedId = id;
    await page.getByRole("status").filter({ hasText: "not during business hours" }).waitFor();
    await expect(page.getByRole("button", { name: "Reject" }).count()).resolves.toBe(0);

    const outcome = await agent.poll(id, 10);
    expect(outcome.status).toBe(403);
    expect(outcome.body.code).toBe("approval_rejected");
    expect(outcome.body.reason).toBe("not during business hours");
  });

  test("an auditor and the agent's owner (a policy author) cannot see or decide approvals", async () => {
    expect(app.captured("reject"), "the rejection test captures the action request").not.toBeNull();
    const pending = await pause("UPDATE orders SET status = 'refunded' WHERE id = 3");

    for (const email of ["auditor@airlock.local", "author@airlock.local"]) {
      const { context, page } = await app.signIn(email);
      await expect(page.getByRole("link", { name: "Approvals" }).count()).resolves.toBe(0);

      for (const path of ["/approvals", `/approvals/${pending.id}`, "/approvals/history"]) {
        const response = await page.goto(`${app.airlock.webUrl}${path}`);
        expect(response?.status(), `${email} ${path}`).toBe(403);
        await page.getByRole("heading", { name: "You don't have access to this page" }).waitFor();
      }
      if (email.startsWith("auditor")) await page.screenshot({ path: screenshotPath("approvals-forbidden"), fullPage: true });
      const feed = await context.request.get(`${app.airlock.webUrl}/api/approvals/pending`);
      expect(feed.status()).toBe(403);
      expect(await feed.text()).not.toContain(pending.id);

      // The approver's own rejection POST, replayed with this person's session against the pending request.
      const replay = await app.replay(context, "reject", (body) => body.split(rejectedId).join(pending.id));
      expect(replay.status(), `${email} replaying the decide action`).toBe(403);
    }

    // Still pending: nobody without approvals.decide changed it.
    const still = await agent.poll(pending.id, 0);
    expect(still.status).toBe(202);
    expect(still.body.approval.status).toBe("pending");

    // The same replay from an approver does decide it, so the refusal above was the permission check. The
    // request's page, open meanwhile, shows the outcome without a reload.
    const { context, page } = await app.signIn("approver@airlock.local");
    await page.goto(pending.url);
    await page.getByRole("button", { name: "Approve" }).waitFor();
    const replay = await app.replay(context, "reject", (body) => body.split(rejectedId).join(pending.id));
    expect(replay.status()).toBe(200);
    const rejected = await agent.poll(pending.id, 5);
    expect(rejected.status).toBe(403);
    expect(rejected.body.reason).toBe("not during business hours");
    await page.getByRole("status").filter({ hasText: "Rejected by Demo Approver" }).waitFor({ timeout: 8000 });
    await expect(page.getByRole("button", { name: "Approve" }).count()).resolves.toBe(0);
  });

  test("history pages by keyset, 50 a page, and no page or feed shows a request's sealed parameters", async () => {
    const inserted: string[] = [];
    await app.withStore(async (db) => {
      const { rows } = await db.query<{ agent: string; connection: string }>(
        `SELECT (SELECT id FROM "Agent" LIMIT 1) AS agent, (SELECT id FROM "Connection" WHERE name = 'shop') AS connection`,
      );
      const { agent: agentId, connection: connectionId } = rows[0]!;
      const decision = JSON.stringify({ action: "require_approval", matched: [], reasons: [{ code: "rule_approval", message: "seeded" }], hints: [], sealedParams: "SEALED-PARAMS-MUST-NOT-SHOW" });
      for (let i = 0; i < 55; i += 1) {
        // Every fifth pair shares a requestedAt, so the keyset's id tiebreak is exercised.
        const minutesAgo = 120 + i - (i % 5 === 1 ? 1 : 0);
        const result = await db.query<{ id: string }>(
          `INSERT INTO "ApprovalRequest" (id, "agentId", "connectionId", "sqlText", "bindingHash", decision, "approverRoles", "minApprovals", status, "requestedAt", "expiresAt")
           VALUES (gen_random_uuid(), $1, $2, $3, 'seeded', $4::jsonb, '{approver}', 1, 'expired', date_trunc('minute', now()) - make_interval(mins => $5), now() - interval '1 hour')
           RETURNING id::text AS id`,
          [agentId, connectionId, `DELETE FROM orders WHERE id = ${1000 + i}`, decision, minutesAgo],
        );
        inserted.push(result.rows[0]!.id);
      }
      // And one still pending, with parameters sealed in its decision.
      const pendingRow = await db.query<{ id: string }>(
        `INSERT INTO "ApprovalRequest" (id, "agentId", "connectionId", "sqlText", "bindingHash", decision, "approverRoles", "minApprovals", status, "requestedAt", "expiresAt")
         VALUES (gen_random_uuid(), $1, $2, 'UPDATE orders SET status = $1 WHERE id = $2', 'seeded', $3::jsonb, '{approver}', 1, 'pending', now(), now() + interval '10 minutes')
         RETURNING id::text AS id`,
        [agentId, connectionId, decision],
      );
      inserted.push(pendingRow.rows[0]!.id);
    });
    const pendingId = inserted.pop()!;

    const { context, page } = await app.signIn("approver@airlock.local");
    const seen: string[] = [];
    const response = await page.goto(`${app.airlock.webUrl}/approvals/history`);
    expect(await response!.text()).not.toContain("SEALED-PARAMS");
    let ids = await page.locator("li[data-approval-id]").evaluateAll((items) => items.map((item) => item.getAttribute("data-approval-id")!));
    expect(ids).toHaveLength(50);
    seen.push(...ids);
    await page.getByRole("link", { name: "Older →" }).click();
    await page.getByRole("link", { name: "← Newest" }).waitFor();
    ids = await page.locator("li[data-approval-id]").evaluateAll((items) => items.map((item) => item.getAttribute("data-approval-id")!));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThanOrEqual(50);
    seen.push(...ids);
    await expect(page.getByRole("link", { name: "Older →" }).count()).resolves.toBe(0);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of inserted) expect(seen).toContain(id);
    expect(seen).not.toContain(pendingId);

    for (const path of [`/approvals/${inserted[0]}`, `/approvals/${pendingId}`, "/approvals", "/api/approvals/pending"]) {
      const reply = await context.request.get(`${app.airlock.webUrl}${path}`);
      expect(reply.status(), path).toBe(200);
      const body = await reply.text();
      expect(body, path).not.toContain("SEALED-PARAMS");
      if (path !== `/approvals/${inserted[0]}`) expect(body, path).toContain(pendingId);
    }
  });
});
