import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { luhnValid } from "../lib/masking";
import { startAirlock, type RunningAirlock } from "./support/airlock";
import { launchChromium, screenshotPath } from "./support/browser";

// The README's first command, as a new user runs it: no database server configured, everything embedded.

let airlock: RunningAirlock;
let browser: Browser;

beforeAll(async () => {
  airlock = await startAirlock();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (airlock) {
    await airlock.stop();
    fs.rmSync(airlock.dataDir, { recursive: true, force: true });
  }
});

describe("npm start on embedded defaults", () => {
  test("prints the dashboard, a demo login and a demo agent token", () => {
    const output = airlock.output();
    expect(airlock.demo).not.toBeNull();
    expect(output).toContain(`sign in as admin@airlock.local with password ${airlock.demo!.dashboardPassword}`);
    expect(output).toContain(`Agent token  ${airlock.demo!.agentToken}`);
    expect(airlock.demo!.agentToken).toMatch(/^alk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(output).toMatch(/generated .*master\.key .*production must set AIRLOCK_MASTER_KEY/);
  });

  test("the gateway worker answers its health and readiness endpoints", async () => {
    const health = await fetch(`${airlock.gatewayUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${airlock.gatewayUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", store: "ok" });
  });

  test("the banner's psql line reaches the demo shop through the PostgreSQL door, over TLS, masked", async () => {
    const output = airlock.output();
    expect(output).toContain(`port=${airlock.pgwirePort} dbname=shop user=${airlock.demo!.agentToken.slice(0, 12)}"`);
    const client = new pg.Client({
      host: "127.0.0.1",
      port: airlock.pgwirePort,
      database: "shop",
      user: "agent",
      password: airlock.demo!.agentToken,
      ssl: { rejectUnauthorized: false }, // the demo's self-signed certificate
    });
    await client.connect();
    try {
      const { rows } = await client.query<{ card_number: string }>("SELECT card_number FROM customers ORDER BY id LIMIT 3");
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row.card_number).toMatch(/^\*{4} \*{4} \*{4} \d{4}$/); // the demo policy keeps the last four
      await expect(client.query("DROP TABLE orders")).rejects.toMatchObject({ code: "42501" });
    } finally {
      await client.end();
    }
  });

  test("the demo shop holds customers whose card numbers pass Luhn, and orders", async () => {
    const client = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${airlock.demoDbPort}/postgres` });
    await client.connect();
    try {
      const customers = await client.query<{ card_number: string; ssn: string; card_last4: string; email: string }>(
        "SELECT card_number, ssn, card_last4, email FROM customers",
      );
      expect(customers.rows.length).toBeGreaterThanOrEqual(10);
      for (const row of customers.rows) {
        expect(luhnValid(row.card_number.replace(/\D/g, ""))).toBe(true);
        expect(row.card_number.replace(/\D/g, "").endsWith(row.card_last4)).toBe(true);
        expect(row.ssn).toMatch(/^\d{3}-\d{2}-\d{4}$/);
        expect(row.email).toContain("@");
      }
      const orders = await client.query<{ n: string }>("SELECT count(*) AS n FROM orders");
      expect(Number(orders.rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  });

  test("the store holds the seeded demo with the connection secret encrypted, never in clear", async () => {
    const client = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${airlock.storePort}/postgres` });
    await client.connect();
    try {
      const connection = await client.query<{ name: string; secret: Buffer }>(
        `SELECT name, "secretCiphertext" AS secret FROM "Connection"`,
      );
      expect(connection.rows.map((row) => row.name)).toEqual(["shop"]);
      expect(connection.rows[0]!.secret.length).toBeGreaterThan(28);
      expect(connection.rows[0]!.secret.toString("latin1")).not.toContain("postgres");
      const tokens = await client.query<{ hash: string; prefix: string }>(`SELECT hash, prefix FROM "AgentToken"`);
      expect(tokens.rows).toHaveLength(1);
      expect(tokens.rows[0]!.hash).not.toBe(airlock.demo!.agentToken);
      expect(airlock.demo!.agentToken.startsWith(tokens.rows[0]!.prefix)).toBe(true);
      const policies = await client.query<{ name: string }>(`SELECT name FROM "Policy" ORDER BY priority`);
      expect(policies.rows.map((row) => row.name)).toEqual(["Airlock defaults", "Shop demo"]);
    } finally {
      await client.end();
    }
  });

  test("in Chromium, the app asks a visitor to sign in, refuses a wrong password, and lets the demo admin in", async () => {
    const page = await browser.newPage();
    await page.goto(airlock.webUrl);
    await page.waitForURL(/\/signin/);
    await expect(page.getByRole("heading", { name: "Sign in to Airlock" }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath("signin"), fullPage: true });

    await page.getByLabel(/email/i).fill("admin@airlock.local");
    await page.getByLabel(/password/i).fill("not the password");
    await page.getByRole("button", { name: /sign in/i }).click();
    await page.locator("form [role=alert]").waitFor();
    expect(page.url()).toContain("/signin");

    await page.getByLabel(/password/i).fill(airlock.demo!.dashboardPassword);
    await page.getByRole("button", { name: /sign in/i }).click();
    await page.getByRole("heading", { name: /what needs attention/i }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await page.screenshot({ path: screenshotPath("home"), fullPage: true });
    await page.close();
  });
});
