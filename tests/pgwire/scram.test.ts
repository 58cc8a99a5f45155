import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  agentTokenPrefix,
  computeScramVerifier,
  encodeScramVerifier,
  hashAgentToken,
  issueAgentToken,
  parseScramVerifier,
} from "../../lib/crypto/agent-token";
import { ScramClient } from "../../gateway/protocols/postgres/scram";
import { query, saslInitialResponse, saslResponse } from "../../gateway/protocols/postgres/serializer";
import { createGatewayFixture, CUSTOMERS, type GatewayFixture } from "../gateway/support";
import { testPostgresUrl } from "../support/databases";
import { RawClient } from "./raw";
import { failure, startWireGateway, type WireGateway } from "./support";

// SCRAM-SHA-256 for agent tokens on the PostgreSQL door without TLS: the user name is the token's public prefix,
// the password the token. psql and node-postgres log in; every kind of wrong credential ends in the same FATAL
// 28P01 after a full exchange (mock salt for unknown names), revocation holds at once, TLS + cleartext still works.

let fx: GatewayFixture;
let wire: WireGateway;

beforeAll(async () => {
  fx = await createGatewayFixture("pgwire_scram");
  wire = await startWireGateway(fx);
});

afterAll(async () => {
  await wire?.stop();
  await fx?.cleanup();
});

const prefixOf = (token: string) => agentTokenPrefix(token)!;

/** This process's environment without PG* settings that would change what psql does (PGSSLMODE, PGCHANNELBINDING…). */
function withoutLibpqSettings(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("PG")) delete env[key];
  return env;
}

function psql(token: string, user: string, sql: string, sslmode = "disable"): { out: string; code: number } {
  try {
    const out = execFileSync("psql", ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, `host=127.0.0.1 port=${wire.port} dbname=shop_pg user=${user} sslmode=${sslmode}`], {
      encoding: "utf8",
      env: { ...withoutLibpqSettings(), PGPASSWORD: token },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    return { out, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; status?: number };
    return { out: `${failed.stdout ?? ""}${failed.stderr ?? ""}`, code: failed.status ?? 1 };
  }
}

async function plainClient(token: string, user = prefixOf(token)): Promise<pg.Client> {
  const client = new pg.Client({ host: "127.0.0.1", port: wire.port, database: "shop_pg", user, password: token, ssl: false });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** A token row written straight to the store (the agent's own id unless told), with or without a verifier. */
async function storeToken(token: string, data: { scramVerifier?: string | null; createdAt?: Date; revokedAt?: Date | null; agentId?: string } = {}) {
  const row = await fx.store.agentToken.create({
    data: {
      agentId: data.agentId ?? fx.agent.id,
      name: "scram test",
      prefix: prefixOf(token),
      hash: hashAgentToken(token),
      scramVerifier: data.scramVerifier === undefined ? encodeScramVerifier(computeScramVerifier(token)) : data.scramVerifier,
      revokedAt: data.revokedAt ?? null,
      ...(data.createdAt ? { createdAt: data.createdAt } : {}),
    },
  });
  return row.id;
}

async function stillServing(): Promise<void> {
  const client = await plainClient(fx.tokens.valid);
  expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  await client.end();
}

/** Runs the exchange up to the server-first-message; answers it and the client. */
async function serverFirst(user: string, password: string): Promise<{ raw: RawClient; scram: ScramClient; message: string }> {
  const raw = new RawClient(wire.port);
  raw.startup(user);
  expect(await raw.auth(10)).toContain("SCRAM-SHA-256");
  const scram = new ScramClient(password);
  raw.write(saslInitialResponse("SCRAM-SHA-256", scram.first()));
  return { raw, scram, message: await raw.auth(11) };
}

const saltOf = (serverFirstMessage: string) => /(?:^|,)s=([^,]+)/.exec(serverFirstMessage)?.[1];

// ── Tests ─────────────────────────────────────────────────────────────────────────────────────────────────

describe("logging in with SCRAM-SHA-256 (no TLS)", () => {
  test("psql with sslmode=disable, user = the token's prefix, PGPASSWORD = the token: connected, queries run", () => {
    const result = psql(fx.tokens.valid, prefixOf(fx.tokens.valid), "SELECT count(*) FROM customers");
    expect(result).toEqual({ out: `${CUSTOMERS.length}\n`, code: 0 });
  });

  test("psql with sslmode=prefer against a door with TLS: TLS and the cleartext token (user = prefix is fine there too)", () => {
    const result = psql(fx.tokens.valid, prefixOf(fx.tokens.valid), "SELECT 1", "prefer");
    expect(result).toEqual({ out: "1\n", code: 0 });
  });

  test("node-postgres without ssl: connected, extended protocol too; the session is recorded as this agent's", async () => {
    const since = new Date();
    const client = await plainClient(fx.tokens.valid);
    const { rows } = await client.query("SELECT count(*)::int AS n FROM customers WHERE id > $1", [0]);
    expect(rows).toEqual([{ n: CUSTOMERS.length }]);
    await client.end();
    await wire.gateway.recorded();
    expect(await fx.store.agentSession.count({ where: { agentId: fx.agent.id, frontDoor: "pgwire", startedAt: { gte: since } } })).toBe(1);
  });

  test("the token never reaches the gateway's log", async () => {
    const client = await plainClient(fx.tokens.valid);
    await client.end();
    expect(wire.gateway.output()).not.toContain(fx.tokens.valid);
    expect(wire.gateway.output()).not.toContain(fx.tokens.valid.slice(13));
  });

  test("a verifier PostgreSQL computed itself is accepted (same format and derivation)", async () => {
    const issued = issueAgentToken();
    const admin = new pg.Client({ connectionString: testPostgresUrl() });
    await admin.connect();
    const role = `airlock_scram_${randomBytes(4).toString("hex")}`;
    let fromPostgres: string;
    try {
      await admin.query("SET password_encryption = 'scram-sha-256'");
      await admin.query(`CREATE ROLE ${role} PASSWORD '${issued.token}'`);
      fromPostgres = (await admin.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role])).rows[0]!.rolpassword;
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
      await admin.end();
    }
    const parsed = parseScramVerifier(fromPostgres)!;
    expect(encodeScramVerifier(computeScramVerifier(issued.token, parsed.salt, parsed.iterations))).toBe(fromPostgres);
    await storeToken(issued.token, { scramVerifier: fromPostgres });
    expect(psql(issued.token, issued.prefix, "SELECT 42")).toEqual({ out: "42\n", code: 0 });
  });
});

describe("refusals: the same FATAL 28P01 whatever was wrong", () => {
  test("a wrong token under a real prefix, and an unknown prefix: 28P01, same message shape, same hint", async () => {
    const prefix = prefixOf(fx.tokens.valid);
    const wrong = `${prefix}_${randomBytes(32).toString("base64url")}`;
    const wrongError = await failure(plainClient(wrong, prefix));
    const unknownToken = issueAgentToken();
    const unknownError = await failure(plainClient(unknownToken.token));
    for (const error of [wrongError, unknownError]) {
      expect(error.code).toBe("28P01");
      expect(error.message).toMatch(/^password authentication failed for user "alk_[A-Za-z0-9]{8}"$/);
    }
    expect(wrongError.hint).toBe(unknownError.hint);
    expect(wrongError.message.replace(prefix, "P")).toBe(unknownError.message.replace(unknownToken.prefix, "P"));
    const psqlWrong = psql(wrong, prefix, "SELECT 1");
    expect(psqlWrong.code).not.toBe(0);
    expect(psqlWrong.out).toMatch(/password authentication failed/);
  });

  test("an unknown name gets a full exchange with a stable salt (like a real one), so prefixes cannot be told apart", async () => {
    const unknown = issueAgentToken();
    const a = await serverFirst(unknown.prefix, unknown.token);
    const b = await serverFirst(unknown.prefix, unknown.token);
    const known = await serverFirst(prefixOf(fx.tokens.valid), fx.tokens.valid);
    for (const step of [a, b, known]) {
      expect(step.message).toMatch(/^r=[^,]+,s=[A-Za-z0-9+/]{22}==,i=4096$/);
      step.raw.destroy();
    }
    expect(saltOf(a.message)).toBe(saltOf(b.message));
    expect(saltOf(a.message)).not.toBe(saltOf(known.message));
    const stored = await fx.store.agentToken.findUniqueOrThrow({ where: { hash: hashAgentToken(fx.tokens.valid) } });
    expect(saltOf(known.message)).toBe(parseScramVerifier(stored.scramVerifier!)!.salt.toString("base64"));

    // the unknown name's exchange ends after the proof, exactly like a wrong token's
    const c = await serverFirst(unknown.prefix, unknown.token);
    c.raw.write(saslResponse(c.scram.final(c.message)));
    expect(await c.raw.error()).toMatchObject({ code: "28P01" });
    await expect.poll(() => wire.gateway.output()).toMatch(/"pgwire.auth_failed".*"reason":"unknown_prefix"/);
  });

  test("a token issued before SCRAM (no verifier): 28P01 like any other failure; the log says why; over TLS it still works", async () => {
    const old = issueAgentToken();
    await storeToken(old.token, { scramVerifier: null });
    const error = await failure(plainClient(old.token));
    expect(error.code).toBe("28P01");
    expect(error.message).toBe(`password authentication failed for user "${old.prefix}"`);
    expect(error.hint).toMatch(/need TLS|reissue/);
    await expect.poll(() => wire.gateway.output()).toMatch(new RegExp(`"pgwire.auth_failed".*"prefix":"${old.prefix}".*"reason":"no_verifier"`));
    const overTls = await wire.client(old.token);
    expect((await overTls.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  test("a revoked token is refused after its proof; revoking a working token bites on the very next connection", async () => {
    const revoked = await failure(plainClient(fx.tokens.revoked));
    expect(revoked.code).toBe("28P01");
    expect(revoked.message).toMatch(/revoked/);
    const expired = await failure(plainClient(fx.tokens.expired));
    expect(expired.code).toBe("28P01");
    expect(expired.message).toMatch(/expired/);

    const fresh = issueAgentToken();
    const id = await storeToken(fresh.token);
    const before = await plainClient(fresh.token);
    await before.end();
    await fx.store.agentToken.update({ where: { id }, data: { revokedAt: new Date() } });
    const after = await failure(plainClient(fresh.token));
    expect(after.code).toBe("28P01");
    expect(after.message).toMatch(/revoked/);
  });

  test("a disabled agent is refused after the proof; a JWT or a free-text user name never gets in", async () => {
    const agent = await fx.store.agent.create({ data: { name: `scram-disabled-${randomBytes(3).toString("hex")}`, groups: ["engineering"], disabled: true } });
    const token = issueAgentToken();
    await storeToken(token.token, { agentId: agent.id });
    const disabled = await failure(plainClient(token.token));
    expect(disabled.code).toBe("28000");
    expect(disabled.message).toMatch(/disabled/);

    const jwt = `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from('{"sub":"x"}').toString("base64url")}.sig`;
    expect((await failure(plainClient(jwt, "agent"))).code).toBe("28P01");
    expect((await failure(plainClient(fx.tokens.valid, "agent"))).code).toBe("28P01");
    // another agent's prefix with this agent's token
    expect((await failure(plainClient(fx.tokens.valid, prefixOf(fx.tokens.other)))).code).toBe("28P01");
    // a very long user name
    const long = await failure(plainClient(fx.tokens.valid, "a".repeat(5_000)));
    expect(["28P01", "08P01"]).toContain(long.code);
    await stillServing();
  });

  test("two tokens sharing a prefix: the newest usable one is the one checked; the other still works over TLS", async () => {
    const prefix = issueAgentToken().prefix;
    const older = `${prefix}_${randomBytes(32).toString("base64url")}`;
    const newer = `${prefix}_${randomBytes(32).toString("base64url")}`;
    await storeToken(older, { createdAt: new Date(Date.now() - 60_000) });
    await storeToken(newer);
    const client = await plainClient(newer);
    await client.end();
    expect((await failure(plainClient(older))).code).toBe("28P01");
    const overTls = await wire.client(older);
    await overTls.end();

    // a revoked newer one does not shadow a usable older one
    const prefix2 = issueAgentToken().prefix;
    const usable = `${prefix2}_${randomBytes(32).toString("base64url")}`;
    const revoked = `${prefix2}_${randomBytes(32).toString("base64url")}`;
    await storeToken(usable, { createdAt: new Date(Date.now() - 60_000) });
    await storeToken(revoked, { revokedAt: new Date() });
    const ok = await plainClient(usable);
    await ok.end();
    expect((await failure(plainClient(revoked))).code).toBe("28P01");
  });
});

describe("hostile or broken SCRAM conversations", () => {
  test("a replayed client-final-message fails (the server nonce is new each time)", async () => {
    const first = await serverFirst(prefixOf(fx.tokens.valid), fx.tokens.valid);
    const final = first.scram.final(first.message);
    first.raw.write(saslResponse(final));
    expect(await first.raw.auth(12)).toMatch(/^v=/);
    expect(await first.raw.auth(0)).toBe("");
    first.raw.destroy();

    const replay = await serverFirst(prefixOf(fx.tokens.valid), fx.tokens.valid);
    replay.raw.write(saslResponse(final));
    const error = await replay.raw.error();
    expect(error.code).toBe("08P01");
    expect(await replay.raw.next()).toBeNull();
  });

  test("channel binding claimed, a wrong mechanism, a Query instead of the SASL answer, a tampered c=: FATAL 08P01", async () => {
    const prefix = prefixOf(fx.tokens.valid);
    const plus = new RawClient(wire.port);
    plus.startup(prefix);
    await plus.auth(10);
    plus.write(saslInitialResponse("SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc"));
    expect((await plus.error()).code).toBe("08P01");

    const bound = new RawClient(wire.port);
    bound.startup(prefix);
    await bound.auth(10);
    bound.write(saslInitialResponse("SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abc"));
    expect((await bound.error()).code).toBe("08P01");

    const outOfOrder = new RawClient(wire.port);
    outOfOrder.startup(prefix);
    await outOfOrder.auth(10);
    outOfOrder.write(query("SELECT 1"));
    expect((await outOfOrder.error()).code).toBe("08P01");

    const tampered = await serverFirst(prefix, fx.tokens.valid);
    tampered.raw.write(saslResponse(tampered.scram.final(tampered.message).replace("c=biws", "c=eSws")));
    expect((await tampered.raw.error()).code).toBe("08P01");

    const garbage = await serverFirst(prefix, fx.tokens.valid);
    garbage.raw.write(saslResponse("\u0000\u0001 not scram at all"));
    expect((await garbage.raw.error()).code).toBe("08P01");
    await stillServing();
  });

  test("clients that go away mid-exchange, or never answer, do not hurt the gateway", async () => {
    const prefix = prefixOf(fx.tokens.valid);
    const quiet = Array.from({ length: 5 }, () => {
      const raw = new RawClient(wire.port);
      raw.startup(prefix);
      return raw;
    });
    for (const raw of quiet) await raw.auth(10);
    const halfway = await Promise.all(Array.from({ length: 5 }, () => serverFirst(prefix, fx.tokens.valid)));
    for (const raw of quiet) raw.destroy();
    for (const step of halfway) step.raw.destroy();
    // half a SASLResponse frame, then gone
    const partial = await serverFirst(prefix, fx.tokens.valid);
    partial.raw.write(saslResponse(partial.scram.final(partial.message)).subarray(0, 10));
    partial.raw.destroy();
    await stillServing();
    expect(wire.gateway.process.exitCode).toBeNull();
  });
});
