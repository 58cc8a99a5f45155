import fs from "node:fs";
import pg from "pg";
import { expect } from "vitest";
import type { APIResponse, Browser, BrowserContext, BrowserContextOptions, Page, Request } from "playwright-core";
import type { DemoCredentials } from "../../demo/seed";
import { startAirlock, type RunningAirlock, type StartOptions } from "./airlock";
import { launchChromium } from "./browser";

// The dashboards as the browser tests use them: one Airlock started as `npm start` does it, Debian's Chromium,
// people signed in through /signin, server-action POSTs captured from the browser and re-sent with someone
// else's cookies, the demo agent asking the gateway, and the store read directly. Open it in `beforeAll`,
// close it in `afterAll`: closing ends every browser context, the browser and Airlock, and deletes its data.

export interface ConsoleOptions {
  /** How Airlock is started (its environment, data directory). */
  readonly airlock?: StartOptions;
  /** For every browser context the console opens; the viewport is 1280×900 unless given. */
  readonly context?: BrowserContextOptions;
}

export interface SignInOptions {
  /** The demo people's password unless given. */
  readonly password?: string;
}

export interface SignedIn {
  readonly context: BrowserContext;
  readonly page: Page;
}

/** A server-action POST as the browser sent it. */
export interface CapturedAction {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly url: string;
}

export interface AgentQueryOptions {
  /** The demo agent's token unless given. */
  readonly token?: string;
  /** The demo connection ("shop") unless given. */
  readonly connection?: string;
  /** Sent as `x-airlock-session`: the agent's own name for its session. */
  readonly session?: string;
}

/** The gateway's status and JSON body; `Body` names the fields a test reads. */
export interface GatewayAnswer<Body> {
  readonly status: number;
  readonly body: Body;
}

export interface AirlockConsole {
  readonly airlock: RunningAirlock;
  readonly browser: Browser;
  /** The demo's credentials (people's password, agent token); throws if Airlock started without the demo. */
  demo(): DemoCredentials;
  /** A new browser context, closed with the console. */
  newContext(): Promise<BrowserContext>;
  /** A new context signed in through /signin, on the home page. */
  signIn(email: string, options?: SignInOptions): Promise<SignedIn>;
  /** Clicks, and keeps the server-action POST the click sends under `label`. */
  captureAction(page: Page, label: string, click: () => Promise<unknown>): Promise<void>;
  /** The POST kept under `label`, or null. */
  captured(label: string): CapturedAction | null;
  /** Re-sends the POST kept under `label` with `context`'s cookies, its body (read as latin1) changed by `edit`. */
  replay(context: BrowserContext, label: string, edit?: (body: string) => string): Promise<APIResponse>;
  /** POST /v1/query on the gateway, as the demo agent unless told otherwise; never waits for an approval. */
  agentQuery<Body>(sql: string, options?: AgentQueryOptions): Promise<GatewayAnswer<Body>>;
  /** GET /v1/approvals/:id as the demo agent, waiting up to `waitSeconds` for the outcome. */
  pollApproval<Body>(id: string, waitSeconds: number): Promise<GatewayAnswer<Body>>;
  /** Runs `work` with a client of Airlock's store, ended afterwards. */
  withStore<T>(work: (db: pg.Client) => Promise<T>): Promise<T>;
  /** The page's HTML and its RSC payload, as `context` gets them, one after the other. */
  bothPayloads(context: BrowserContext, pathname: string): Promise<string>;
  close(): Promise<void>;
}

export async function openConsole(options: ConsoleOptions = {}): Promise<AirlockConsole> {
  const airlock = await startAirlock(options.airlock);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await stopAirlock(airlock);
    throw error;
  }
  const contexts: BrowserContext[] = [];
  const captures = new Map<string, CapturedAction>();

  const demo = (): DemoCredentials => {
    if (!airlock.demo) throw new Error("Airlock started without the demo");
    return airlock.demo;
  };

  const newContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options.context });
    contexts.push(context);
    return context;
  };

  const gateway = async <Body>(pathname: string, init: RequestInit = {}): Promise<GatewayAnswer<Body>> => {
    const response = await fetch(`${airlock.gatewayUrl}${pathname}`, init);
    return { status: response.status, body: (await response.json()) as Body };
  };

  return {
    airlock,
    browser,
    demo,
    newContext,

    async signIn(email, { password } = {}) {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${airlock.webUrl}/signin`);
      await page.getByLabel(/email/i).fill(email);
      await page.getByLabel(/password/i).fill(password ?? demo().dashboardPassword);
      await page.getByRole("button", { name: /^sign in$/i }).click();
      await page.getByRole("heading", { name: /what needs attention/i }).waitFor();
      return { context, page };
    },

    async captureAction(page, label, click) {
      const request = page.waitForRequest((candidate: Request) => candidate.method() === "POST" && Boolean(candidate.headers()["next-action"]));
      await click();
      const sent = await request;
      captures.set(label, { headers: await sent.allHeaders(), body: sent.postDataBuffer() ?? Buffer.alloc(0), url: sent.url() });
    },

    captured: (label) => captures.get(label) ?? null,

    async replay(context, label, edit = (body) => body) {
      const action = captures.get(label);
      expect(action, `the ${label} action was captured`).toBeDefined();
      const { headers, body, url } = action!;
      return context.request.post(url, {
        headers: {
          "next-action": headers["next-action"]!,
          "content-type": headers["content-type"] ?? "text/plain;charset=UTF-8",
          accept: "text/x-component",
          origin: airlock.webUrl,
        },
        data: Buffer.from(edit(body.toString("latin1")), "latin1"),
        maxRedirects: 0,
      });
    },

    agentQuery: <Body>(sql: string, { token, connection = "shop", session }: AgentQueryOptions = {}) =>
      gateway<Body>("/v1/query", {
        method: "POST",
        headers: {
          authorization: `Bearer ${token ?? demo().agentToken}`,
          "content-type": "application/json",
          ...(session === undefined ? {} : { "x-airlock-session": session }),
        },
        body: JSON.stringify({ connection, sql, wait: 0 }),
      }),

    pollApproval: <Body>(id: string, waitSeconds: number) =>
      gateway<Body>(`/v1/approvals/${id}?wait=${waitSeconds}`, { headers: { authorization: `Bearer ${demo().agentToken}` } }),

    async withStore(work) {
      const db = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${airlock.storePort}/postgres` });
      await db.connect();
      try {
        return await work(db);
      } finally {
        await db.end();
      }
    },

    async bothPayloads(context, pathname) {
      const html = await context.request.get(`${airlock.webUrl}${pathname}`);
      const rsc = await context.request.get(`${airlock.webUrl}${pathname}`, { headers: { rsc: "1" } });
      return `${await html.text()}\n${await rsc.text()}`;
    },

    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await stopAirlock(airlock);
    },
  };
}

async function stopAirlock(airlock: RunningAirlock): Promise<void> {
  await airlock.stop();
  fs.rmSync(airlock.dataDir, { recursive: true, force: true });
}
