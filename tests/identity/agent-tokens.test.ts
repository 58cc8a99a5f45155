import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAgentToken } from "../../lib/crypto/agent-token";
import { createStore, type Store } from "../../lib/store/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { AgentAuthenticator } from "../../gateway/identity";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";
import { makeAgent, makeToken, memoryLog, sleep } from "./fixtures";

// Agent tokens against a real, migrated PostgreSQL store: every refusal code, the one-second bound on
// revocation and disabling (one process, two processes, with the cache warm), and the last-used stamps.

let db: ScratchDatabase | undefined;
let store: Store;
let otherProcessStore: Store;
const { lines: logLines, log } = memoryLog();

beforeAll(async () => {
  db = await createScratchPostgres("identity_tokens");
  await deployMigrations(db.url);
  store = createStore(db.url, { maxConnections: 3 });
  otherProcessStore = createStore(db.url, { maxConnections: 2 });
}, 120_000);

afterAll(async () => {
  try {
    await store?.$disconnect();
    await otherProcessStore?.$disconnect();
  } finally {
    await db?.drop();
  }
});

const bearer = (token: string) => `Bearer ${token}`;

describe("agent tokens", () => {
  it("a valid token yields the agent's identity", async () => {
    const agent = await makeAgent(store, { groups: ["analysts", "oncall"] });
    const { token, row } = await makeToken(store, agent.id, { expiresAt: new Date(Date.now() + 3_600_000) });
    const auth = new AgentAuthenticator(store, { log });
    expect(await auth.authenticate(bearer(token))).toEqual({
      ok: true,
      agent: { agentId: agent.id, agentName: agent.name, groups: ["analysts", "oncall"], via: "token", tokenId: row.id, tokenPrefix: row.prefix },
    });
  });

  it("a forged token of the right shape is unknown; a wrong shape is malformed; neither is echoed", async () => {
    const auth = new AgentAuthenticator(store, { log });
    const forged = issueAgentToken().token;
    const result = await auth.authenticate(bearer(forged));
    expect(result).toMatchObject({ ok: false, code: "unknown_token" });
    for (const bad of ["alk_abc_def", `${forged}!`, forged.slice(0, -1), "alk_", "hunter2"]) {
      const refused = await auth.authenticate(bearer(bad));
      expect(refused, bad).toMatchObject({ ok: false, code: "malformed_credentials" });
      if (!refused.ok) expect(refused.message).not.toContain(bad);
    }
    if (!result.ok) expect(result.message).not.toContain(forged.slice(4));
  });

  it("no header, blank header, Basic, or a JWT when OIDC is off", async () => {
    const auth = new AgentAuthenticator(store, { log });
    expect(await auth.authenticate(undefined)).toMatchObject({ ok: false, code: "missing_credentials" });
    expect(await auth.authenticate("")).toMatchObject({ ok: false, code: "missing_credentials" });
    expect(await auth.authenticate("Basic YWdlbnQ6c2VjcmV0")).toMatchObject({ ok: false, code: "malformed_credentials" });
    expect(await auth.authenticate("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")).toMatchObject({ ok: false, code: "malformed_credentials" });
  });

  it("an expired token is refused, and expiry bites even while the row is cached", async () => {
    const agent = await makeAgent(store);
    const past = await makeToken(store, agent.id, { expiresAt: new Date(Date.now() - 1_000) });
    const auth = new AgentAuthenticator(store, { log });
    expect(await auth.authenticate(bearer(past.token))).toMatchObject({ ok: false, code: "expired_token" });

    let clock = new Date("2030-01-01T00:00:00Z");
    const clocked = new AgentAuthenticator(store, { log, now: () => clock });
    const soon = await makeToken(store, agent.id, { expiresAt: new Date("2030-01-01T00:00:10Z") });
    expect(await clocked.authenticate(bearer(soon.token))).toMatchObject({ ok: true });
    clock = new Date("2030-01-01T00:00:10Z");
    expect(await clocked.authenticate(bearer(soon.token))).toMatchObject({ ok: false, code: "expired_token" });
  });

  it("a token revoked before use is refused", async () => {
    const agent = await makeAgent(store);
    const { token } = await makeToken(store, agent.id, { revokedAt: new Date() });
    expect(await new AgentAuthenticator(store, { log }).authenticate(bearer(token))).toMatchObject({ ok: false, code: "revoked_token" });
  });

  it("a token of a disabled agent is refused", async () => {
    const agent = await makeAgent(store, { disabled: true });
    const { token } = await makeToken(store, agent.id);
    expect(await new AgentAuthenticator(store, { log }).authenticate(bearer(token))).toMatchObject({ ok: false, code: "agent_disabled" });
  });

  it("revocation reaches the next request after 1 s even though the previous one was cached", async () => {
    const agent = await makeAgent(store);
    const { token, row } = await makeToken(store, agent.id);
    const auth = new AgentAuthenticator(store, { log }); // default cacheMs (500)
    expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: true });
    expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: true }); // served from the cache
    await store.agentToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await sleep(1_000);
    expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: false, code: "revoked_token" });
  });

  it("two gateway processes (two stores, two authenticators) both see a revocation within a second", async () => {
    const agent = await makeAgent(store);
    const { token, row } = await makeToken(store, agent.id);
    const first = new AgentAuthenticator(store, { log });
    const second = new AgentAuthenticator(otherProcessStore, { log });
    expect(await first.authenticate(bearer(token))).toMatchObject({ ok: true });
    expect(await second.authenticate(bearer(token))).toMatchObject({ ok: true });

    await store.agentToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    const revokedAt = performance.now();
    const refusedAfter = async (auth: AgentAuthenticator) => {
      // Keep the cache hot: ask every 50 ms until refused, and time it.
      for (;;) {
        const result = await auth.authenticate(bearer(token));
        if (!result.ok) return { code: result.code, ms: performance.now() - revokedAt };
        await sleep(50);
      }
    };
    const [a, b] = await Promise.all([refusedAfter(first), refusedAfter(second)]);
    expect(a.code).toBe("revoked_token");
    expect(b.code).toBe("revoked_token");
    expect(a.ms).toBeLessThan(1_000);
    expect(b.ms).toBeLessThan(1_000);
  });

  it("disabling the agent reaches both processes within a second, and re-enabling lets it back", async () => {
    const agent = await makeAgent(store);
    const { token } = await makeToken(store, agent.id);
    const first = new AgentAuthenticator(store, { log });
    const second = new AgentAuthenticator(otherProcessStore, { log });
    expect(await first.authenticate(bearer(token))).toMatchObject({ ok: true });
    expect(await second.authenticate(bearer(token))).toMatchObject({ ok: true });
    await store.agent.update({ where: { id: agent.id }, data: { disabled: true } });
    await sleep(1_000);
    expect(await first.authenticate(bearer(token))).toMatchObject({ ok: false, code: "agent_disabled" });
    expect(await second.authenticate(bearer(token))).toMatchObject({ ok: false, code: "agent_disabled" });
    await store.agent.update({ where: { id: agent.id }, data: { disabled: false } });
    await sleep(1_000);
    expect(await first.authenticate(bearer(token))).toMatchObject({ ok: true });
  });

  it("with cacheMs 0 every request reads the store; above 500 ms is refused at construction", async () => {
    const agent = await makeAgent(store);
    const { token, row } = await makeToken(store, agent.id);
    const auth = new AgentAuthenticator(store, { log, cacheMs: 0 });
    expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: true });
    await store.agentToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: false, code: "revoked_token" });
    expect(() => new AgentAuthenticator(store, { cacheMs: 5_000 })).toThrow(RangeError);
  });

  it("stamps lastUsedAt and lastSeenAt at most once a minute, across processes", async () => {
    const agent = await makeAgent(store);
    const { token, row } = await makeToken(store, agent.id);
    let clock = new Date("2031-05-05T10:00:00.000Z");
    const now = () => clock;
    const first = new AgentAuthenticator(store, { log, now, cacheMs: 0 });
    const second = new AgentAuthenticator(otherProcessStore, { log, now, cacheMs: 0 });
    const stamps = async () => {
      await Promise.all([first.settled(), second.settled()]);
      const t = await store.agentToken.findUniqueOrThrow({ where: { id: row.id }, include: { agent: true } });
      return { used: t.lastUsedAt?.toISOString(), seen: t.agent.lastSeenAt?.toISOString() };
    };

    await first.authenticate(bearer(token));
    expect(await stamps()).toEqual({ used: "2031-05-05T10:00:00.000Z", seen: "2031-05-05T10:00:00.000Z" });

    clock = new Date("2031-05-05T10:00:30.000Z");
    await first.authenticate(bearer(token));
    await second.authenticate(bearer(token)); // the other process reads the fresh stamp and leaves it
    expect(await stamps()).toEqual({ used: "2031-05-05T10:00:00.000Z", seen: "2031-05-05T10:00:00.000Z" });

    clock = new Date("2031-05-05T10:01:01.000Z");
    await second.authenticate(bearer(token));
    expect(await stamps()).toEqual({ used: "2031-05-05T10:01:01.000Z", seen: "2031-05-05T10:01:01.000Z" });
  });

  it("disconnecting the store right after a request (its last-used write in flight) does not hang", async () => {
    const agent = await makeAgent(store);
    const { token } = await makeToken(store, agent.id);
    const shortLived = createStore(db!.url, { maxConnections: 2 });
    await shortLived.$queryRaw`SELECT 1`;
    const auth = new AgentAuthenticator(shortLived, { log });
    expect(await auth.authenticate(bearer(token))).toMatchObject({ ok: true });
    await sleep(1); // the UPDATE is on the wire now
    const started = performance.now();
    const outcome = await Promise.race([shortLived.$disconnect().then(() => "closed"), sleep(5_000).then(() => "hung")]);
    expect(outcome).toBe("closed");
    expect(performance.now() - started).toBeLessThan(2_000);
    await auth.settled(); // a write cut off by the disconnect is logged, not thrown
  });

  it("logs never contain a token or its hash", () => {
    const all = logLines.join("\n");
    expect(all).not.toMatch(/alk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}/);
    expect(all).not.toMatch(/[0-9a-f]{64}/);
  });
});
