import fs from "node:fs";
import path from "node:path";
import { request, type APIRequestContext } from "playwright-core";
import { repoRoot } from "./airlock";

// Helpers for asking the web app things as a given person, without a browser: a signed-in request context, and
// the server actions the build contains (from Next's server-reference manifest), each callable directly — exactly
// what an attacker with a session cookie can do whatever the pages show them.

/** A request context signed in through next-auth's credentials endpoint (cookies kept). */
export async function signedInRequest(baseURL: string, email: string, password: string): Promise<APIRequestContext> {
  const context = await request.newContext({ baseURL, maxRedirects: 0 });
  const csrf = await context.get("/api/auth/csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signIn = await context.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" } });
  if (signIn.status() !== 200) throw new Error(`signing in ${email}: HTTP ${signIn.status()}`);
  const session = (await (await context.get("/api/auth/session")).json()) as { user?: { email?: string } };
  if (session.user?.email !== email) throw new Error(`signing in ${email} did not start a session`);
  return context;
}

export interface ServerAction {
  readonly id: string;
  readonly exportedName: string;
  readonly filename: string;
  /** A page path that hosts the action (dynamic segments filled with a made-up id). */
  readonly pagePath: string;
}

/** Every server action of the web build the launcher made (`.next` in the repository). */
export function serverActions(): ServerAction[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, ".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    exportedName: entry.exportedName,
    filename: entry.filename,
    pagePath: pagePath(Object.keys(entry.workers)[0]!),
  }));
}

/** An id that names nothing, for paths with a dynamic segment. */
export const MADE_UP_ID = "00000000-0000-4000-8000-000000000000";

/** "app/(console)/approvals/[id]/page" → "/approvals/00000000-…". */
export function pagePath(worker: string): string {
  const segments = worker
    .replace(/^app\//, "")
    .replace(/\/page$/, "")
    .split("/")
    .filter((segment) => segment !== "page" && !/^\(.*\)$/.test(segment))
    .map((segment) => (/^\[.*\]$/.test(segment) ? MADE_UP_ID : segment));
  return `/${segments.join("/")}`;
}

/**
 * Calls a server action the way React does, with (previous state, FormData of `fields`) as its arguments — the
 * shape of every form action here. Returns the HTTP status (403 when the action refused the permission).
 */
export async function callAction(context: APIRequestContext, origin: string, action: ServerAction, fields: Record<string, string> = {}): Promise<number> {
  const multipart: Record<string, string> = { "0": JSON.stringify([{ status: "idle" }, "$K1"]) };
  for (const [name, value] of Object.entries(fields)) multipart[`1_${name}`] = value;
  const response = await context.post(action.pagePath, {
    headers: { "next-action": action.id, accept: "text/x-component", origin },
    multipart,
  });
  return response.status();
}
