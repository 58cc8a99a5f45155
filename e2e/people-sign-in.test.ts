import { afterAll, beforeAll, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { screenshotPath } from "./support/browser";
import { openConsole, type AirlockConsole } from "./support/console";
import { startPeopleIdp, type PeopleIdp } from "./support/people-idp";

// People sign in through a real OpenID provider (authorization code + PKCE, the provider's own login and consent
// pages) and get the roles their groups map to; the bootstrap admin from configuration signs in with a password.

const ADMIN = { email: "root@corp.test", password: "bootstrap admin password" };

let idp: PeopleIdp;
let app: AirlockConsole;

beforeAll(async () => {
  idp = await startPeopleIdp({
    ada: { email: "ada@corp.test", name: "Ada Lovelace", groups: ["oncall", "staff"] },
    bob: { email: "bob@corp.test", name: "Bob", groups: ["staff"] },
    mallory: { email: "approver@airlock.local", name: "Mallory", groups: ["db-admins"] },
  });
  app = await openConsole({
    airlock: {
      env: {
        AIRLOCK_OIDC_ISSUER: idp.issuer,
        AIRLOCK_OIDC_CLIENT_ID: idp.clientId,
        AIRLOCK_OIDC_CLIENT_SECRET: idp.clientSecret,
        AIRLOCK_OIDC_ROLES: "oncall=approver,db-admins=admin",
        AIRLOCK_OIDC_LABEL: "Corp SSO",
        AIRLOCK_ADMIN_EMAIL: ADMIN.email,
        AIRLOCK_ADMIN_PASSWORD: ADMIN.password,
      },
    },
  });
  idp.register(app.airlock.webUrl);
});

afterAll(async () => {
  await app?.close();
  await idp?.stop();
});

/** Through the provider's own login and consent pages, as the given login. */
async function signInAtProvider(login: string): Promise<Page> {
  const page = await (await app.newContext()).newPage();
  await page.goto(`${app.airlock.webUrl}/signin`);
  await page.screenshot({ path: screenshotPath("signin-with-provider"), fullPage: true });
  await page.getByRole("button", { name: "Sign in with Corp SSO" }).click();
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]', { hasText: /continue/i }).click();
  await page.waitForURL((url) => url.href.startsWith(app.airlock.webUrl));
  return page;
}

test("someone whose groups map to a role signs in through the provider and gets exactly that role", async () => {
  const page = await signInAtProvider("ada");
  await page.getByRole("heading", { name: /what needs attention/i }).waitFor();
  const nav = page.getByRole("navigation", { name: "Sections" });
  await expect(nav.getByRole("link", { name: "Approvals" }).isVisible()).resolves.toBe(true);
  expect(await nav.getByRole("link", { name: "Policies" }).count()).toBe(0);
  expect(await page.getByText("Ada Lovelace").count()).toBeGreaterThan(0);

  const response = await page.goto(`${app.airlock.webUrl}/policies`);
  expect(response?.status()).toBe(403);
  expect((await page.goto(`${app.airlock.webUrl}/approvals`))?.status()).toBe(200);
});

test("someone whose groups map to no role is refused with a reason", async () => {
  const page = await signInAtProvider("bob");
  await page.waitForURL(/\/signin/);
  await page.getByRole("alert").filter({ hasText: "give you no role in Airlock" }).waitFor();
  expect((await page.goto(`${app.airlock.webUrl}/approvals`))?.url()).toMatch(/\/signin/);
});

test("an account is never taken over through the provider by its e-mail address", async () => {
  const page = await signInAtProvider("mallory");
  await page.waitForURL(/\/signin/);
  await page.getByRole("alert").filter({ hasText: "already uses your e-mail address" }).waitFor();
  expect((await page.goto(`${app.airlock.webUrl}/`))?.url()).toMatch(/\/signin/);
});

test("the bootstrap admin from configuration signs in with a password", async () => {
  const { page } = await app.signIn(ADMIN.email, { password: ADMIN.password });
  await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" }).isVisible()).resolves.toBe(true);
  expect(app.airlock.output()).toContain(`created the admin ${ADMIN.email}`);
  expect(app.airlock.demo, "the demo is seeded beside the bootstrap admin").not.toBeNull();
});
