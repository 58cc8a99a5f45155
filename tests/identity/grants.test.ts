import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore, type Store } from "../../lib/store/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { AgentAuthenticator, authorizeConnection, listGrantedConnections, type AgentIdentity } from "../../gateway/identity";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";
import { makeAgent, makeConnection, makeToken, memoryLog, unique } from "./fixtures";
import { AUDIENCE, makeSigningKey, startIdentityProvider, type RunningProvider } from "./identity-provider";

// Grants: an agent reaches a connection only through a Grant naming it or one of its groups (deny by
// default). Identities come from the real authenticator — agent tokens and a real OIDC provider's JWTs.

let db: ScratchDatabase | undefined;
let store: Store;
let idp: RunningProvider;
const { log } = memoryLog();

beforeAll(async () => {
  db = await createScratchPostgres("identity_grants");
  await deployMigrations(db.url);
  store = createStore(db.url, { maxConnections: 3 });
  idp = await startIdentityProvider({
    clients: [{ clientId: "etl-bot", clientSecret: "etl-bot-secret-0123456789", groups: ["data-eng"] }],
    key: await makeSigningKey("grants-key"),
  });
}, 120_000);

afterAll(async () => {
  try {
    await idp?.stop();
    await store?.$disconnect();
  } finally {
    await db?.drop();
  }
});

async function tokenIdentity(groups: string[] = []): Promise<AgentIdentity> {
  const agent = await makeAgent(store, { groups });
  const { token } = await makeToken(store, agent.id);
  const result = await new AgentAuthenticator(store, { log }).authenticate(`Bearer ${token}`);
  if (!result.ok) throw new Error(result.code);
  return result.agent;
}

describe("authorizeConnection", () => {
  it("a grant to the agent itself opens the connection and returns its row", async () => {
    const agent = await tokenIdentity();
    const connection = await makeConnection(store);
    await store.grant.create({ data: { connectionId: connection.id, agentId: agent.agentId } });
    const access = await authorizeConnection(store, agent, connection.name);
    expect(access).toMatchObject({ ok: true, connection: { id: connection.id, name: connection.name, host: "db.internal.example" } });
  });

  it("a grant to one of the agent's groups opens it; another group's grant does not", async () => {
    const agent = await tokenIdentity(["analysts", "oncall"]);
    const granted = await makeConnection(store);
    const other = await makeConnection(store);
    await store.grant.create({ data: { connectionId: granted.id, agentGroup: "oncall" } });
    await store.grant.create({ data: { connectionId: other.id, agentGroup: "finance" } });
    expect(await authorizeConnection(store, agent, granted.name)).toMatchObject({ ok: true });
    expect(await authorizeConnection(store, agent, other.name)).toMatchObject({ ok: false, code: "no_grant" });
  });

  it("an OIDC agent is granted through a group from its JWT's groups claim", async () => {
    const connection = await makeConnection(store);
    await store.grant.create({ data: { connectionId: connection.id, agentGroup: "data-eng" } });
    const auth = new AgentAuthenticator(store, { oidc: { issuer: idp.issuer, audience: AUDIENCE }, log });
    const result = await auth.authenticate(`Bearer ${await idp.token({ clientId: "etl-bot", clientSecret: "etl-bot-secret-0123456789" })}`);
    if (!result.ok) throw new Error(result.code);
    expect(result.agent.groups).toEqual(["data-eng"]);
    expect(await authorizeConnection(store, result.agent, connection.name)).toMatchObject({ ok: true, connection: { id: connection.id } });
    // The same agent without that group in its token is refused, whatever its row says.
    expect(await authorizeConnection(store, { ...result.agent, groups: [] }, connection.name)).toMatchObject({ ok: false, code: "no_grant" });
  });

  it("no grant at all is no_grant; a grant to another agent does not count", async () => {
    const agent = await tokenIdentity(["analysts"]);
    const someoneElse = await makeAgent(store);
    const connection = await makeConnection(store);
    expect(await authorizeConnection(store, agent, connection.name)).toMatchObject({ ok: false, code: "no_grant" });
    await store.grant.create({ data: { connectionId: connection.id, agentId: someoneElse.id } });
    const refused = await authorizeConnection(store, agent, connection.name);
    expect(refused).toMatchObject({ ok: false, code: "no_grant" });
    if (!refused.ok) expect(refused.message).not.toMatch(/db\.internal|airlock_reader|5432/);
  });

  it("an agent with no groups is not matched by a grant to a blank group", async () => {
    const agent = await tokenIdentity([]);
    const connection = await makeConnection(store);
    await store.grant.create({ data: { connectionId: connection.id, agentGroup: "" } });
    expect(await authorizeConnection(store, agent, connection.name)).toMatchObject({ ok: false, code: "no_grant" });
    expect(await authorizeConnection(store, { ...agent, groups: ["", " "] }, connection.name)).toMatchObject({ ok: false, code: "no_grant" });
  });

  it("an unknown name is unknown_connection, and the message never echoes control characters", async () => {
    const agent = await tokenIdentity();
    expect(await authorizeConnection(store, agent, unique("nope"))).toMatchObject({ ok: false, code: "unknown_connection" });
    const odd = await authorizeConnection(store, agent, "evil\nname\u0000");
    expect(odd).toMatchObject({ ok: false, code: "unknown_connection" });
    if (!odd.ok) expect(odd.message).not.toMatch(/[\n\u0000]/);
    expect(await authorizeConnection(store, agent, "lone\ud800")).toMatchObject({ ok: false, code: "unknown_connection" });
    expect(await authorizeConnection(store, agent, "")).toMatchObject({ ok: false, code: "unknown_connection" });
    expect(await authorizeConnection(store, agent, "x".repeat(10_000))).toMatchObject({ ok: false, code: "unknown_connection" });
  });
});

describe("listGrantedConnections", () => {
  it("lists what the agent may use, by its id or its groups, sorted, without host, user or secret", async () => {
    const agent = await tokenIdentity(["team-x"]);
    const direct = await makeConnection(store, { name: unique("b-direct"), description: "orders replica", readOnly: true });
    const viaGroup = await makeConnection(store, { name: unique("a-group") });
    const both = await makeConnection(store, { name: unique("c-both") });
    await makeConnection(store, { name: unique("d-hidden") });
    await store.grant.createMany({
      data: [
        { connectionId: direct.id, agentId: agent.agentId },
        { connectionId: viaGroup.id, agentGroup: "team-x" },
        { connectionId: both.id, agentId: agent.agentId },
        { connectionId: both.id, agentGroup: "team-x" },
      ],
    });
    const listed = await listGrantedConnections(store, agent);
    expect(listed).toEqual([
      { name: viaGroup.name, engine: "postgres", description: "", readOnly: false },
      { name: direct.name, engine: "postgres", description: "orders replica", readOnly: true },
      { name: both.name, engine: "postgres", description: "", readOnly: false },
    ]);
    expect(await listGrantedConnections(store, await tokenIdentity(["nobody"]))).toEqual([]);
  });
});
