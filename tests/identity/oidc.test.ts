import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, base64url, decodeJwt } from "jose";
import { createStore, type Store } from "../../lib/store/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { AgentAuthenticator, type OidcSettings } from "../../gateway/identity";
import { DEFAULT_JWKS_COOLDOWN_MS } from "../../gateway/identity/oidc";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";
import { memoryLog, sleep } from "./fixtures";
import { AUDIENCE, makeSigningKey, startIdentityProvider, type RunningProvider, type TestClient } from "./identity-provider";

// OIDC JWTs from a real OpenID provider (oidc-provider, client_credentials grant, JWT access tokens for
// Airlock's audience) started here on a free loopback port. Tokens are obtained with real HTTP POSTs to its
// token endpoint; the authenticator finds the JWKS through discovery, like it would in production.

let db: ScratchDatabase | undefined;
let store: Store;
let idp: RunningProvider;
const { lines: logLines, log } = memoryLog();

const bot: TestClient = { clientId: "reporting-bot", clientSecret: "reporting-bot-secret-0123456789", groups: ["analysts", "oncall"] };
const loner: TestClient = { clientId: "loner-bot", clientSecret: "loner-bot-secret-0123456789" };
const seen: string[] = []; // every JWT handed to the authenticator, to check none reaches a log line

beforeAll(async () => {
  db = await createScratchPostgres("identity_oidc");
  await deployMigrations(db.url);
  store = createStore(db.url, { maxConnections: 3 });
  idp = await startIdentityProvider({ clients: [bot, loner], key: await makeSigningKey("key-1") });
}, 120_000);

afterAll(async () => {
  try {
    await idp?.stop();
    await store?.$disconnect();
  } finally {
    await db?.drop();
  }
});

const settings = (extra: Partial<OidcSettings> = {}): OidcSettings => ({ issuer: idp.issuer, audience: AUDIENCE, ...extra });
const bearer = (jwt: string) => (seen.push(jwt), `Bearer ${jwt}`);

/** An unsigned or HMAC-signed compact JWT, built by hand (jose refuses to build `none`). */
function handMade(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ""): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.${signature}`;
}

describe("OIDC JWTs", () => {
  it("a provider-issued token yields an `oidc:` agent with the groups claim, created on first use", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings(), log });
    const jwt = await idp.token(bot);
    const result = await auth.authenticate(bearer(jwt));
    expect(result).toMatchObject({ ok: true, agent: { agentName: "oidc:reporting-bot", groups: ["analysts", "oncall"], via: "oidc", subject: "reporting-bot" } });
    if (!result.ok) return;
    const row = await store.agent.findUniqueOrThrow({ where: { name: "oidc:reporting-bot" } });
    expect(row.id).toBe(result.agent.agentId);
    expect(row.groups).toEqual(["analysts", "oncall"]);
    expect(result.agent.tokenId).toBeUndefined();
  });

  it("groups come from each token: a change at the provider shows on the next token and on the row", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings(), log });
    idp.setGroups(loner.clientId, ["readers"]);
    const first = await auth.authenticate(bearer(await idp.token(loner)));
    expect(first).toMatchObject({ ok: true, agent: { groups: ["readers"] } });
    idp.setGroups(loner.clientId, ["readers", "writers"]);
    const second = await auth.authenticate(bearer(await idp.token(loner)));
    expect(second).toMatchObject({ ok: true, agent: { groups: ["readers", "writers"] } });
    expect((await store.agent.findUniqueOrThrow({ where: { name: "oidc:loner-bot" } })).groups).toEqual(["readers", "writers"]);
    idp.setGroups(loner.clientId, undefined);
    expect(await auth.authenticate(bearer(await idp.token(loner)))).toMatchObject({ ok: true, agent: { groups: [] } });
    expect((await store.agent.findUniqueOrThrow({ where: { name: "oidc:loner-bot" } })).groups).toEqual([]);
  });

  it("a dotted groups claim (realm_access.roles) and another agent claim (client_id) work", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings({ groupsClaim: "realm_access.roles", agentClaim: "client_id" }), log });
    expect(await auth.authenticate(bearer(await idp.token(bot)))).toMatchObject({ ok: true, agent: { agentName: "oidc:reporting-bot", groups: ["analysts", "oncall"] } });
    const noSuchClaim = new AgentAuthenticator(store, { oidc: settings({ agentClaim: "email" }), log });
    expect(await noSuchClaim.authenticate(bearer(await idp.token(bot)))).toMatchObject({ ok: false, code: "invalid_jwt" });
  });

  it("a token for another audience is refused", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings(), log });
    const jwt = await idp.token(bot, "https://other-service.test/api");
    expect(decodeJwt(jwt).aud).toBe("https://other-service.test/api");
    expect(await auth.authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "invalid_jwt", message: expect.stringMatching(/audience/) });
  });

  it("a token from another issuer is refused (keys from the real JWKS, issuer configured differently)", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings({ issuer: `${idp.issuer}/other`, jwksUrl: `${idp.issuer}/jwks` }), log });
    expect(await auth.authenticate(bearer(await idp.token(bot)))).toMatchObject({ ok: false, code: "invalid_jwt", message: expect.stringMatching(/issuer/) });
  });

  it("an expired token is refused; clock tolerance is honoured", async () => {
    const jwt = await idp.token(bot);
    const exp = decodeJwt(jwt).exp!;
    const after = (seconds: number) => () => new Date((exp + seconds) * 1000);
    expect(await new AgentAuthenticator(store, { oidc: settings(), log, now: after(1) }).authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "invalid_jwt", message: expect.stringMatching(/expired/) });
    expect(await new AgentAuthenticator(store, { oidc: settings({ clockToleranceSec: 30 }), log, now: after(1) }).authenticate(bearer(jwt))).toMatchObject({ ok: true });
  });

  it("a token that really expires at the provider is refused after its lifetime", async () => {
    // exp is whole seconds after a floored iat, so a 1 s lifetime can be nearly 0 s: on a loaded machine the first
    // check (which also fetches the provider's keys) could already be late. Give it 4 s, then wait until it is over.
    const shortLived = await startIdentityProvider({ clients: [bot], key: await makeSigningKey("short-key"), accessTokenTtlSec: 4 });
    try {
      const auth = new AgentAuthenticator(store, { oidc: { issuer: shortLived.issuer, audience: AUDIENCE }, log });
      const jwt = await shortLived.token(bot);
      const exp = decodeJwt(jwt).exp!;
      expect(exp - decodeJwt(jwt).iat!).toBe(4);
      expect(await auth.authenticate(bearer(jwt))).toMatchObject({ ok: true });
      await sleep(Math.max(0, exp * 1000 - Date.now()) + 1_100);
      expect(await auth.authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "invalid_jwt" });
    } finally {
      await shortLived.stop();
    }
  });

  it("a token signed by another key under the provider's kid is refused", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings(), log });
    const genuine = decodeJwt(await idp.token(bot));
    const impostor = await makeSigningKey(idp.key.kid);
    const { importJWK } = await import("jose");
    const forged = await new SignJWT({ ...genuine, groups: ["admins"] })
      .setProtectedHeader({ alg: "RS256", typ: "at+jwt", kid: idp.key.kid })
      .sign(await importJWK(impostor.privateJwk, "RS256"));
    expect(await auth.authenticate(bearer(forged))).toMatchObject({ ok: false, code: "invalid_jwt", message: expect.stringMatching(/signature/) });
  });

  it("`alg: none` is refused, with or without a signature part", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings(), log });
    const claims = decodeJwt(await idp.token(bot));
    for (const alg of ["none", "None", "NONE"]) {
      const refused = { ok: false, code: "invalid_jwt", message: expect.stringMatching(/algorithm/) };
      expect(await auth.authenticate(bearer(handMade({ alg, typ: "at+jwt", kid: idp.key.kid }, claims)))).toMatchObject(refused);
      expect(await auth.authenticate(bearer(handMade({ alg }, claims, "c2ln")))).toMatchObject(refused);
    }
  });

  it("HS256 signed with the provider's public key (PEM or JWK text) is refused — no key confusion", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings(), log });
    const claims = decodeJwt(await idp.token(bot));
    const jwks = await (await fetch(`${idp.issuer}/jwks`)).text();
    for (const secret of [idp.key.publicPem, jwks]) {
      for (const alg of ["HS256", "HS384", "HS512"] as const) {
        const forged = await new SignJWT(claims).setProtectedHeader({ alg, typ: "at+jwt", kid: idp.key.kid }).sign(new TextEncoder().encode(secret));
        expect(await auth.authenticate(bearer(forged)), alg).toMatchObject({ ok: false, code: "invalid_jwt", message: expect.stringMatching(/algorithm/) });
      }
    }
  });

  it("a token without exp is refused even when correctly signed", async () => {
    // oidc-provider always sets exp; sign one ourselves with a key the authenticator trusts via jwksUrl.
    const own = await startIdentityProvider({ clients: [bot], key: await makeSigningKey("own-key") });
    try {
      const { importJWK } = await import("jose");
      const jwt = await new SignJWT({ sub: "no-exp-bot" })
        .setProtectedHeader({ alg: "RS256", kid: own.key.kid })
        .setIssuer(own.issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .sign(await importJWK(own.key.privateJwk, "RS256"));
      const auth = new AgentAuthenticator(store, { oidc: { issuer: own.issuer, audience: AUDIENCE }, log });
      expect(await auth.authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "invalid_jwt", message: expect.stringMatching(/expiry/) });
    } finally {
      await own.stop();
    }
  });

  it("key rotation: the provider restarts with a new key; new tokens verify once the JWKS cooldown allows a refetch, old-key tokens stop", async () => {
    const rotating = await startIdentityProvider({ clients: [bot], key: await makeSigningKey("rot-1") });
    const auth = new AgentAuthenticator(store, { oidc: { issuer: rotating.issuer, audience: AUDIENCE }, log }); // default cooldown
    const before = await rotating.token(bot);
    expect(await auth.authenticate(bearer(before))).toMatchObject({ ok: true }); // JWKS fetched and cached now
    const fetchedAt = performance.now();
    await rotating.stop();

    const rotated = await startIdentityProvider({ clients: [bot], key: await makeSigningKey("rot-2"), port: rotating.port });
    try {
      expect(rotated.issuer).toBe(rotating.issuer);
      const after = await rotated.token(bot);
      let result = await auth.authenticate(bearer(after));
      while (!result.ok && performance.now() - fetchedAt < DEFAULT_JWKS_COOLDOWN_MS + 1_000) {
        expect(result).toMatchObject({ code: "invalid_jwt", message: expect.stringMatching(/does not publish/) });
        await sleep(250);
        result = await auth.authenticate(bearer(after));
      }
      expect(result).toMatchObject({ ok: true, agent: { agentName: "oidc:reporting-bot" } });
      expect(performance.now() - fetchedAt).toBeLessThan(DEFAULT_JWKS_COOLDOWN_MS + 1_000);
      expect(await auth.authenticate(bearer(before))).toMatchObject({ ok: false, code: "invalid_jwt", message: expect.stringMatching(/does not publish/) });

      // With no cooldown the new key is picked up at once.
      const eager = new AgentAuthenticator(store, { oidc: { issuer: rotated.issuer, audience: AUDIENCE, jwksCooldownMs: 0 }, log });
      expect(await eager.authenticate(bearer(after))).toMatchObject({ ok: true });
    } finally {
      await rotated.stop();
    }
  });

  it("a disabled OIDC agent is refused within a second, even with its row cached", async () => {
    const auth = new AgentAuthenticator(store, { oidc: settings(), log });
    const jwt = await idp.token(bot);
    expect(await auth.authenticate(bearer(jwt))).toMatchObject({ ok: true });
    await store.agent.update({ where: { name: "oidc:reporting-bot" }, data: { disabled: true } });
    try {
      await sleep(1_000);
      expect(await auth.authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "agent_disabled" });
    } finally {
      await store.agent.update({ where: { name: "oidc:reporting-bot" }, data: { disabled: false } });
    }
  });

  it("first sign-ins racing in two processes make one agent row", async () => {
    const racer: TestClient = { clientId: "racer-bot", clientSecret: "racer-bot-secret-0123456789", groups: ["g"] };
    const racing = await startIdentityProvider({ clients: [racer], key: await makeSigningKey("race-key") });
    const otherStore = createStore(db!.url, { maxConnections: 3 });
    try {
      const oidc = { issuer: racing.issuer, audience: AUDIENCE };
      const a = new AgentAuthenticator(store, { oidc, log });
      const b = new AgentAuthenticator(otherStore, { oidc, log });
      const jwt = await racing.token(racer);
      const results = await Promise.all([a, b, a, b, a, b].map((auth) => auth.authenticate(bearer(jwt))));
      const ids = new Set(results.map((result) => (result.ok ? result.agent.agentId : result.code)));
      expect(ids.size).toBe(1);
      expect(await store.agent.count({ where: { name: "oidc:racer-bot" } })).toBe(1);
    } finally {
      await otherStore.$disconnect();
      await racing.stop();
    }
  });

  it("an unreachable provider, or discovery naming another issuer, is oidc_unavailable (not invalid_jwt)", async () => {
    const jwt = await idp.token(bot);
    const gone = await startIdentityProvider({ clients: [bot], key: await makeSigningKey("gone") });
    await gone.stop();
    const unreachable = new AgentAuthenticator(store, { oidc: { issuer: gone.issuer, audience: AUDIENCE, httpTimeoutMs: 1_000 }, log });
    expect(await unreachable.authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "oidc_unavailable" });
    const jwksGone = new AgentAuthenticator(store, { oidc: settings({ jwksUrl: `${gone.issuer}/jwks` }), log });
    expect(await jwksGone.authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "oidc_unavailable" });
    // The provider answers discovery for 127.0.0.1; configured as "localhost" the issuers differ.
    const misnamed = new AgentAuthenticator(store, { oidc: { issuer: idp.issuer.replace("127.0.0.1", "localhost"), audience: AUDIENCE }, log });
    expect(await misnamed.authenticate(bearer(jwt))).toMatchObject({ ok: false, code: "oidc_unavailable" });
  });

  it("refuses bad settings at construction", () => {
    expect(() => new AgentAuthenticator(store, { oidc: { issuer: "login.example.com", audience: AUDIENCE } })).toThrow(RangeError);
    expect(() => new AgentAuthenticator(store, { oidc: { issuer: "https://login.example.com", audience: " " } })).toThrow(RangeError);
  });

  it("no JWT reaches a log line or a message", () => {
    const all = logLines.join("\n");
    for (const jwt of seen) expect(all).not.toContain(jwt.split(".")[2] || jwt);
  });
});
