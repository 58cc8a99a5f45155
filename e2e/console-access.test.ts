import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { APIRequestContext } from "playwright-core";
import { ALL_PERMISSIONS, can, type Permission, type Role } from "../lib/auth/permissions";
import { callAction, MADE_UP_ID, serverActions, signedInRequest } from "./support/access";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";

// Who may do what, asked of the server directly: every role × every page, route handler and server action of the
// build, against the one permission table (lib/auth/permissions.ts). A new action, page or route must be listed
// here, or this test fails. Then the audit log end to end: a change made in the browser shows up for an auditor,
// filters and exports; nobody else reads it.

/** Every server action in the build → the permission it must demand. */
const ACTIONS: Record<string, Permission> = {
  decideAction: "approvals.decide",
  createPersonAction: "users.manage",
  createConnectionAction: "connections.edit",
  updateConnectionAction: "connections.edit",
  testConnectionAction: "connections.edit",
  addGrantAction: "connections.edit",
  removeGrantAction: "connections.edit",
  createAgentAction: "agents.edit",
  updateAgentAction: "agents.edit",
  issueTokenAction: "tokens.issue",
  revokeTokenAction: "tokens.issue",
  createPolicyAction: "policies.edit",
  updatePolicyAction: "policies.edit",
  setPolicyEnabledAction: "policies.edit",
  movePolicyAction: "policies.edit",
  importPolicyAction: "policies.edit",
  simulateStatementAction: "policies.simulate",
  whatWouldChangeAction: "policies.simulate",
  updatePersonAction: "users.manage",
  setSlackIdAction: "users.manage",
  createChannelAction: "notifications.edit",
  updateChannelAction: "notifications.edit",
  deleteChannelAction: "notifications.edit",
};

/** Pages (GET) → the permission they demand; null = any signed-in person. */
const PAGES: Record<string, Permission | null> = {
  "/": null,
  "/approvals": "approvals.view",
  "/approvals/history": "approvals.view",
  "/policies": "policies.view",
  "/policies/new": "policies.edit",
  "/policies/import": "policies.edit",
  "/policies/simulate": "policies.simulate",
  "/connections": "connections.view",
  "/connections/new": "connections.edit",
  "/agents": "agents.view",
  "/agents/new": "agents.edit",
  "/notifications": "notifications.view",
  "/notifications/new": "notifications.edit",
  "/sessions": "sessions.view",
  "/audit": "audit.view",
  "/people": "users.manage",
};

/** Route handlers (GET) → the permission they demand. Let through, one about a made-up id answers 404. */
const ROUTES: Record<string, Permission> = {
  "/api/approvals/pending": "approvals.view",
  "/api/audit/export?format=csv": "audit.view",
  "/api/audit/export?format=json": "audit.view",
  [`/api/sessions/${MADE_UP_ID}/export?format=json`]: "sessions.export",
  [`/api/policies/${MADE_UP_ID}/export?format=yaml`]: "policies.view",
  [`/api/sessions/${MADE_UP_ID}/export?format=csv`]: "sessions.export",
};

const PEOPLE: Record<Role, string> = {
  admin: "admin@airlock.local",
  approver: "approver@airlock.local",
  policy_author: "author@airlock.local",
  auditor: "auditor@airlock.local",
};

let app: AirlockConsole;
const as = {} as Record<Role, APIRequestContext>;
let nobody: APIRequestContext;

beforeAll(async () => {
  app = await openConsole({ context: { acceptDownloads: true } });
  for (const [role, email] of Object.entries(PEOPLE) as [Role, string][]) {
    as[role] = await signedInRequest(app.airlock.webUrl, email, app.demo().dashboardPassword);
  }
  nobody = await (await import("playwright-core")).request.newContext({ baseURL: app.airlock.webUrl, maxRedirects: 0 });
});

afterAll(async () => {
  for (const context of [...Object.values(as), nobody]) await context?.dispose().catch(() => undefined);
  await app?.close();
});

describe("role × action matrix", () => {
  test("the tables above cover every permission and every server action in the build", () => {
    const listed = new Set<Permission>([...Object.values(ACTIONS), ...Object.values(ROUTES), ...Object.values(PAGES).filter((p): p is Permission => p !== null)]);
    expect(ALL_PERMISSIONS.filter((permission) => !listed.has(permission)), "permissions no page, route or action demands").toEqual([]);
    const built = serverActions().map((action) => action.exportedName);
    expect(built.filter((name) => !(name in ACTIONS)), "server actions missing from ACTIONS").toEqual([]);
    expect(Object.keys(ACTIONS).filter((name) => !built.includes(name)), "ACTIONS that are not in the build").toEqual([]);
  });

  test("every page answers each role by the table, and sends the signed-out to sign in", async () => {
    for (const [path, permission] of Object.entries(PAGES)) {
      for (const role of Object.keys(PEOPLE) as Role[]) {
        const status = (await as[role].get(path)).status();
        const allowed = permission === null || can([role], permission);
        expect(status, `${role} GET ${path}`).toBe(allowed ? 200 : 403);
      }
      const anonymous = await nobody.get(path);
      expect([303, 307, 308], `signed out GET ${path}`).toContain(anonymous.status());
      expect(anonymous.headers().location, `signed out GET ${path}`).toMatch(/\/signin/);
    }
  });

  test("every route handler answers each role by the table, and 401 to the signed-out", async () => {
    for (const [path, permission] of Object.entries(ROUTES)) {
      for (const role of Object.keys(PEOPLE) as Role[]) {
        const status = (await as[role].get(path)).status();
        if (can([role], permission)) expect([200, 404], `${role} GET ${path}`).toContain(status);
        else expect(status, `${role} GET ${path}`).toBe(403);
      }
      expect((await nobody.get(path)).status(), `signed out GET ${path}`).toBe(401);
    }
  });

  test("every server action refuses, on the server, each role its permission does not grant", async () => {
    for (const action of serverActions()) {
      const permission = ACTIONS[action.exportedName]!;
      for (const role of Object.keys(PEOPLE) as Role[]) {
        const status = await callAction(as[role], app.airlock.webUrl, action);
        // Let through, the action meets an empty form and answers with its validation errors.
        if (can([role], permission)) expect(status, `${role} → ${action.exportedName} is let through`).toBe(200);
        else expect(status, `${role} → ${action.exportedName} (${permission})`).toBe(403);
      }
      const anonymous = await callAction(nobody, app.airlock.webUrl, action);
      expect([200, 303, 307, 401, 403], `signed out → ${action.exportedName}`).toContain(anonymous);
    }
  });
});

describe("audit log", () => {
  test("an approval decided in the browser is listed for the auditor, filters, and exports as CSV and JSON", async () => {
    const paused = await app.agentQuery<{ approval: { id: string; url: string } }>("UPDATE orders SET status = 'shipped' WHERE id = 2");
    expect(paused.status).toBe(202);
    const { approval } = paused.body;

    const { page: approver } = await app.signIn(PEOPLE.approver);
    await approver.screenshot({ path: screenshotPath("home-approver"), fullPage: true });
    await approver.goto(approval.url);
    await approver.getByLabel("Reason").fill("checked with the shop team");
    await approver.getByRole("button", { name: "Approve" }).click();
    await approver.getByRole("status").filter({ hasText: /approved/i }).first().waitFor();

    const { page: auditor } = await app.signIn(PEOPLE.auditor);
    await auditor.goto(`${app.airlock.webUrl}/audit`);
    const row = auditor.getByRole("row").filter({ hasText: "approval.approve" }).filter({ hasText: PEOPLE.approver });
    await row.waitFor();
    await row.getByText("checked with the shop team").waitFor();
    await auditor.screenshot({ path: screenshotPath("audit"), fullPage: true });

    // Filter by action through the form; the URL carries it.
    await auditor.getByLabel("Action").selectOption("approval.reject");
    await auditor.getByRole("button", { name: "Filter" }).click();
    await auditor.waitForURL(/action=approval.reject/);
    await auditor.getByText("No changes match").waitFor();
    await auditor.getByLabel("Action").selectOption("approval.approve");
    await auditor.getByRole("button", { name: "Filter" }).click();
    await auditor.waitForURL(/action=approval.approve/);
    await row.waitFor();

    const [csvDownload] = await Promise.all([auditor.waitForEvent("download"), auditor.getByRole("link", { name: "Export CSV" }).click()]);
    const csv = fs.readFileSync((await csvDownload.path())!, "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("id,at,actor_email,action,target_type,target_id,details");
    expect(lines).toHaveLength(2); // filtered: just the one approval
    expect(lines[1]).toContain(`approver@airlock.local,approval.approve,approval,${approval.id}`);

    const [jsonDownload] = await Promise.all([auditor.waitForEvent("download"), auditor.getByRole("link", { name: "Export JSON" }).click()]);
    const entries = JSON.parse(fs.readFileSync((await jsonDownload.path())!, "utf8")) as { action: string; targetId: string; actor: string; details: { reason: string } }[];
    expect(entries).toEqual([expect.objectContaining({ action: "approval.approve", targetId: approval.id, actor: PEOPLE.approver, details: expect.objectContaining({ reason: "checked with the shop team" }) })]);

    // A bad filter is named, not silently dropped.
    const bad = await as.auditor.get("/api/audit/export?format=csv&action=drop.everything");
    expect(bad.status()).toBe(400);
    expect(await bad.text()).toContain("action");
    expect((await as.auditor.get("/api/audit/export?format=xml")).status()).toBe(400);
  });
});

describe("people", () => {
  test("an admin adds a person who then signs in with their role; disabling them ends their access at once", async () => {
    const { page: admin } = await app.signIn(PEOPLE.admin);
    await admin.goto(`${app.airlock.webUrl}/people`);
    const add = admin.getByRole("form", { name: "Add a person" });
    await add.getByRole("button", { name: "Add person" }).click();
    await add.getByText("Enter an e-mail address").waitFor();
    await add.getByText("Pick at least one role").waitFor();
    await add.getByLabel("E-mail").fill("new.approver@corp.test");
    await add.getByLabel("Name").fill("New Approver");
    await add.getByLabel("Approver").check();
    await add.getByLabel("First password").fill("short");
    await add.getByRole("button", { name: "Add person" }).click();
    await add.locator("#person-password-error").filter({ hasText: "At least 12 characters" }).waitFor();
    await add.getByLabel("First password").fill("a long first password");
    await add.getByRole("button", { name: "Add person" }).click();
    await add.getByRole("status").filter({ hasText: "Added new.approver@corp.test" }).waitFor();
    await admin.screenshot({ path: screenshotPath("people"), fullPage: true });

    const newcomer = await signedInRequest(app.airlock.webUrl, "new.approver@corp.test", "a long first password");
    expect((await newcomer.get("/approvals")).status()).toBe(200);
    expect((await newcomer.get("/people")).status()).toBe(403);

    await admin.reload();
    const row = admin.getByRole("form", { name: "Roles and access of new.approver@corp.test" });
    await row.getByLabel("Disabled").check();
    await row.getByRole("button", { name: "Save" }).click();
    await row.getByRole("status").waitFor();
    const after = await newcomer.get("/approvals");
    expect(after.status()).toBe(307);
    expect(after.headers().location).toMatch(/\/signin/);
    await newcomer.dispose();

    // Nobody locks themselves out.
    const own = admin.getByRole("form", { name: `Roles and access of ${PEOPLE.admin}` });
    await own.getByLabel("Auditor").check();
    await own.getByLabel("Admin").uncheck();
    await own.getByRole("button", { name: "Save" }).click();
    await own.getByRole("alert").filter({ hasText: "cannot take away your own admin role" }).waitFor();

    await admin.goto(`${app.airlock.webUrl}/audit?action=user.create`);
    await admin.getByRole("row").filter({ hasText: "new.approver@corp.test" }).waitFor();
  });
});
