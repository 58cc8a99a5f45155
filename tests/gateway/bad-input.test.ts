import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { issueAgentToken } from "../../lib/crypto/agent-token";
import { closedPort } from "../targets/support";
import {
  createGatewayFixture,
  credentialStrings,
  leakedSecrets,
  request,
  startGateway,
  type GatewayFixture,
  type HttpAnswer,
  type RunningGateway,
} from "./support";

// What a misbehaving or unlucky client gets: a clear 4xx/5xx problem+json with a stable code, and never a
// credential of the target databases in it.

const MAX_SQL_BYTES = 2048;

let fx: GatewayFixture;
let gw: RunningGateway;
/** Every answer this file received, scanned at the end for credentials. */
const answers: HttpAnswer[] = [];
let downPassword: string;

beforeAll(async () => {
  fx = await createGatewayFixture("badinput");
  downPassword = `downSecret-${Date.now().toString(36)}-Qv3`;
  const [pgPort, mysqlPort] = [await closedPort(), await closedPort()];
  await fx.addConnection({ name: "down_pg", engine: "postgres", host: "127.0.0.1", port: pgPort, database: "shop", username: "down_user_pg", password: downPassword });
  await fx.addConnection({ name: "down_mysql", engine: "mysql", host: "127.0.0.1", port: mysqlPort, database: "shop", username: "down_user_my", password: downPassword });
  gw = await startGateway(fx, { AIRLOCK_MAX_SQL_BYTES: String(MAX_SQL_BYTES) });
});

afterAll(async () => {
  await gw?.stop();
  await fx?.cleanup();
});

async function call(init: Parameters<typeof request>[1] & { path?: string }): Promise<HttpAnswer> {
  const answer = await request(`${gw.url}${init.path ?? "/v1/query"}`, init);
  answers.push(answer);
  return answer;
}

async function q(token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return call({ method: "POST", token, body, headers });
}

function expectProblem(answer: HttpAnswer, status: number, code: string): void {
  expect(answer.status, answer.text.slice(0, 500)).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(answer.body.code).toBe(code);
  expect(answer.body.status).toBe(status);
  expect(answer.body.type).toBe(`https://airlock.dev/problems/${code}`);
  expect(typeof answer.body.title).toBe("string");
  expect(answer.body.title.length).toBeGreaterThan(0);
}

const SELECT = { connection: "shop_pg", sql: "SELECT id FROM orders WHERE id = 1" };

describe("credentials", () => {
  test("no token → 401 missing_credentials with a Bearer challenge", async () => {
    const answer = await q(null, SELECT);
    expectProblem(answer, 401, "missing_credentials");
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    for (const path of ["/v1/connections", "/v1/connections/shop_pg/schema", "/v1/approvals/00000000-0000-4000-8000-000000000000"]) {
      expectProblem(await call({ path, token: null }), 401, "missing_credentials");
    }
  });

  test("a forged token (well-formed, never issued) → 401 unknown_token", async () => {
    expectProblem(await q(issueAgentToken().token, SELECT), 401, "unknown_token");
    // The real token with its secret part changed is just as unknown.
    const valid = fx.tokens.valid;
    const tampered = valid.slice(0, -1) + (valid.endsWith("A") ? "B" : "A");
    expectProblem(await q(tampered, SELECT), 401, "unknown_token");
  });

  test.each([
    ["Basic dXNlcjpwYXNz", "another scheme"],
    ["Bearer alk_short", "a truncated agent token"],
    ["Bearer not-a-token", "garbage"],
    ["Bearer ", "an empty bearer value"],
    [`Bearer ${"x".repeat(10_000)}`, "an oversized header"],
  ])("a malformed Authorization header (%s: %s) → 401", async (header) => {
    const answer = await q(null, SELECT, { authorization: header });
    expect(answer.status, answer.text).toBe(401);
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(["malformed_credentials", "missing_credentials"]).toContain(answer.body.code);
  });

  test("an expired token → 401 expired_token", async () => {
    expectProblem(await q(fx.tokens.expired, SELECT), 401, "expired_token");
  });

  test("a revoked token → 401 revoked_token", async () => {
    expectProblem(await q(fx.tokens.revoked, SELECT), 401, "revoked_token");
  });

  test("revoking a token in use takes effect within a few seconds", async () => {
    const { token, id } = await fx.issueToken();
    const before = await q(token, SELECT);
    expect(before.status, before.text).toBe(200);
    await fx.store.agentToken.update({ where: { id }, data: { revokedAt: new Date() } });
    const deadline = Date.now() + 3_000;
    let last: HttpAnswer = before;
    while (Date.now() < deadline) {
      last = await q(token, SELECT);
      if (last.status !== 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expectProblem(last, 401, "revoked_token");
  });
});

describe("request bodies", () => {
  test("malformed JSON → 400 malformed_json", async () => {
    expectProblem(await q(fx.tokens.valid, '{"connection": "shop_pg", "sql": '), 400, "malformed_json");
    expectProblem(await q(fx.tokens.valid, ""), 400, "malformed_json");
  });

  test("missing sql → 400 invalid_request naming the field", async () => {
    const answer = await q(fx.tokens.valid, { connection: "shop_pg" });
    expectProblem(answer, 400, "invalid_request");
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain("sql");
  });

  test.each([
    [{ connection: "shop_pg", sql: "" }, "sql"],
    [{ sql: "SELECT 1" }, "connection"],
    [{ connection: "shop_pg", sql: "SELECT 1", params: "nope" }, "params"],
    [{ connection: "shop_pg", sql: "SELECT 1", params: [{ nested: true }] }, "params.0"],
    [{ connection: "shop_pg", sql: "SELECT 1", wait: -1 }, "wait"],
    [{ connection: "shop_pg", sql: "SELECT 1", wait: 10_000 }, "wait"],
    [{ connection: "shop_pg", sql: 42 }, "sql"],
  ])("invalid body %j → 400 invalid_request at %s", async (body, path) => {
    const answer = await q(fx.tokens.valid, body);
    expectProblem(answer, 400, "invalid_request");
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  test("a JSON array or a bare value is not a query → 400", async () => {
    expectProblem(await q(fx.tokens.valid, "[]"), 400, "invalid_request");
    expectProblem(await q(fx.tokens.valid, "null"), 400, "invalid_request");
  });

  test("a body that is not application/json → 415", async () => {
    const answer = await q(fx.tokens.valid, JSON.stringify(SELECT), { "content-type": "text/plain" });
    expectProblem(answer, 415, "unsupported_media_type");
    const form = await q(fx.tokens.valid, "connection=shop_pg&sql=SELECT+1", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
  });

  test("an unknown endpoint or method → 404 problem+json", async () => {
    expectProblem(await call({ path: "/v1/nothing", token: fx.tokens.valid }), 404, "not_found");
    expectProblem(await call({ path: "/v1/query", token: fx.tokens.valid, method: "GET" }), 404, "not_found");
    expectProblem(await call({ path: "/elsewhere", token: null }), 404, "not_found");
  });

  test("an invalid wait on an approval → 400", async () => {
    const answer = await call({ path: "/v1/approvals/00000000-0000-4000-8000-000000000000?wait=abc", token: fx.tokens.valid });
    expectProblem(answer, 400, "invalid_request");
  });
});

describe("connections and grants", () => {
  test("an unknown connection → 404 unknown_connection", async () => {
    expectProblem(await q(fx.tokens.valid, { connection: "no_such_db", sql: "SELECT 1" }), 404, "unknown_connection");
    expectProblem(await call({ path: "/v1/connections/no_such_db/schema", token: fx.tokens.valid }), 404, "unknown_connection");
  });

  test("a connection without a grant → 403 no_grant, and the agent's list is empty", async () => {
    expectProblem(await q(fx.tokens.other, SELECT), 403, "no_grant");
    expectProblem(await q(fx.tokens.other, { connection: "shop_mysql", sql: "SELECT 1" }), 403, "no_grant");
    expectProblem(await call({ path: "/v1/connections/shop_pg/schema", token: fx.tokens.other }), 403, "no_grant");
    const list = await call({ path: "/v1/connections", token: fx.tokens.other });
    expect(list.status).toBe(200);
    expect(list.body.connections).toEqual([]);
    // The granted agent sees both shop connections (and the two down ones).
    const mine = await call({ path: "/v1/connections", token: fx.tokens.valid });
    expect(mine.status).toBe(200);
    const names = (mine.body.connections as { name: string }[]).map((connection) => connection.name).sort();
    expect(names).toEqual(["down_mysql", "down_pg", "shop_mysql", "shop_pg"]);
  });
});

describe("limits", () => {
  test("SQL over AIRLOCK_MAX_SQL_BYTES → 413 sql_too_large, recorded as an error event", async () => {
    const marker = `toolarge_${Date.now().toString(36)}`;
    const sql = `SELECT '${marker}' AS m, '${"y".repeat(MAX_SQL_BYTES)}' AS pad`;
    const answer = await q(fx.tokens.valid, { connection: "shop_pg", sql });
    expectProblem(answer, 413, "sql_too_large");
    await gw.recorded();
    const events = await fx.store.sessionEvent.findMany({ where: { type: "error", sqlText: { contains: marker } } });
    expect(events).toHaveLength(1);
    expect((events[0]!.payload as { code?: string }).code).toBe("sql_too_large");
    // The recording keeps a prefix, not the whole oversized text.
    expect(events[0]!.sqlText!.length).toBeLessThan(MAX_SQL_BYTES);
  });

  test("a body far over the limit → 413 without reading it all", async () => {
    const answer = await q(fx.tokens.valid, { connection: "shop_pg", sql: `SELECT '${"z".repeat(MAX_SQL_BYTES + 200 * 1024)}'` });
    expect(answer.status).toBe(413);
  });

  test("SQL exactly at the limit is accepted", async () => {
    const head = "SELECT '";
    const tail = "' AS pad";
    const sql = head + "a".repeat(MAX_SQL_BYTES - head.length - tail.length) + tail;
    expect(Buffer.byteLength(sql)).toBe(MAX_SQL_BYTES);
    const answer = await q(fx.tokens.valid, { connection: "shop_pg", sql });
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
  });
});

describe("targets that are down", () => {
  test.each(["down_pg", "down_mysql"])("%s → 502 target_unavailable, without its credentials", async (connection) => {
    const answer = await q(fx.tokens.valid, { connection, sql: "SELECT 1" });
    expectProblem(answer, 502, "target_unavailable");
    expect(answer.text).not.toContain(downPassword);
    expect(answer.text).not.toContain("down_user");
    const schema = await call({ path: `/v1/connections/${connection}/schema`, token: fx.tokens.valid });
    expectProblem(schema, 502, "target_unavailable");
  });

  test("a target that refuses the statement → 422 target_error with the database's reason", async () => {
    const answer = await q(fx.tokens.valid, { connection: "shop_pg", sql: "SELECT no_such_column FROM orders" });
    expectProblem(answer, 422, "target_error");
    expect(answer.body.sqlState).toBe("42703");
  });
});

describe("nothing secret in any answer", () => {
  test("no response body or header carried a target password, the master key, or a raw card number", () => {
    expect(answers.length).toBeGreaterThan(30);
    const secrets = [...credentialStrings(fx), downPassword];
    for (const answer of answers) {
      const everything = `${answer.text}\n${JSON.stringify([...answer.headers.entries()])}`;
      for (const secret of secrets) expect(everything, `an answer (${answer.status}) carried a credential`).not.toContain(secret);
      const leaks = leakedSecrets(answer.text);
      // Names the answer and where in it, so that a leak (or a Luhn-valid run by chance) can be traced.
      const where = leaks.map((leak) => {
        const at = answer.text.replace(/[ -]/g, "").indexOf(leak.replace(/^luhn:/, ""));
        return answer.text.replace(/[ -]/g, "").slice(Math.max(0, at - 80), at + 40);
      });
      expect(leaks, `an answer (${answer.status}) carried ${JSON.stringify(where)}`).toEqual([]);
    }
    const log = gw.output();
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
