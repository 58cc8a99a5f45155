import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decideApproval } from "../../../lib/approvals/decide";
import { issueAgentToken } from "../../../lib/crypto/agent-token";
import { sealSecret } from "../../../lib/crypto/secret-box";
import { defaultPolicy, validatePolicy, type Policy } from "../../../lib/policy";
import { createStore, type Store } from "../../../lib/store/client";
import type { Role } from "../../../lib/store/generated/client";
import { deployMigrations } from "../../../lib/store/prisma-cli";
import {
  createScratchMysql,
  createScratchPostgres,
  testMysqlUrl,
  testPostgresUrl,
  withMysql,
  withPostgres,
  type ScratchDatabase,
} from "../../support/databases";
import { MYSQL_SHOP_SQL, POSTGRES_SHOP_SQL } from "./shop";

// Everything a gateway test needs, made for real and thrown away afterwards:
//
//   const fx = await createGatewayFixture("decisions");
//   const gw = await startGateway(fx);                 // a real `tsx gateway/main.ts` process
//   const res = await query(gw.url, fx.tokens.valid, { connection: "shop_pg", sql: "SELECT 1" });
//   afterAll(async () => { await gw.stop(); await fx.cleanup(); });
//
// - a scratch store database, migrated with the project's migrations;
// - a scratch PostgreSQL and a scratch MariaDB target, both loaded with the shop (./shop.ts);
// - people for each role, plus the agent's owner (the policy author);
// - agent "test-agent" (groups ["engineering"]) with valid, expired and revoked tokens, and
//   agent "ungranted-agent" (no grants) with a valid token;
// - connections "shop_pg" and "shop_mysql", secrets sealed with the fixture's master key, granted to "engineering";
// - policies: defaultPolicy() (priority 10) and the shop policy (priority 20) scoped to both connections.

export const PG_CONNECTION = "shop_pg";
export const MYSQL_CONNECTION = "shop_mysql";
export const SHOP_CONNECTIONS = [PG_CONNECTION, MYSQL_CONNECTION] as const;
export type ShopConnection = (typeof SHOP_CONNECTIONS)[number];

export const SHOP_POLICY_ID = "shop-test";

/** Where the gateway processes of a fixture keep their journals (one directory per instance; removed by cleanup). */
export function journalRoot(storeName: string): string {
  return path.join(os.tmpdir(), "airlock-test-journals", storeName);
}
export const AUTH_SECRET = "airlock-gateway-tests-auth-secret-0123456789";

export interface FixtureUser {
  readonly id: string;
  readonly email: string;
  readonly roles: Role[];
}

export interface GatewayFixture {
  readonly label: string;
  /** The Prisma store the gateway uses (this test process's own client on it). */
  readonly store: Store;
  readonly storeDb: ScratchDatabase;
  /** Target databases: URLs with admin credentials, for checking what really happened. */
  readonly pgTarget: ScratchDatabase;
  readonly mysqlTarget: ScratchDatabase;
  /** The MySQL target's URL as the gateway's own user (its password is `targetPasswords.mysql`). */
  readonly mysqlTargetUserUrl: string;
  /** The base64 master key the gateway is started with, and its bytes. */
  readonly masterKeyBase64: string;
  readonly masterKey: Buffer;
  /** Recognisable passwords sealed into the connections: must never appear in any response or log. */
  readonly targetPasswords: { readonly pg: string; readonly mysql: string };
  readonly users: { readonly admin: FixtureUser; readonly approver: FixtureUser; readonly policyAuthor: FixtureUser; readonly auditor: FixtureUser };
  readonly agent: { readonly id: string; readonly name: string; readonly ownerId: string };
  readonly otherAgent: { readonly id: string; readonly name: string };
  /** Clear bearer tokens. `valid` is the test agent's; `other` is the ungranted agent's. */
  readonly tokens: { readonly valid: string; readonly expired: string; readonly revoked: string; readonly other: string };
  readonly connections: Record<ShopConnection, { readonly id: string; readonly name: ShopConnection; readonly engine: "postgres" | "mysql" }>;
  readonly policies: readonly Policy[];
  /** A new token for an agent (the test agent by default); returns the clear token and its row id. */
  issueToken(agentId?: string, data?: { expiresAt?: Date | null; revokedAt?: Date | null }): Promise<{ token: string; id: string }>;
  /** Adds a connection row with a sealed secret; the secret is bound to the row's id like the dashboard does. */
  addConnection(data: {
    name: string;
    engine: "postgres" | "mysql";
    host: string;
    port: number;
    database: string;
    username: string;
    password: string;
    grantGroup?: string | null;
  }): Promise<{ id: string; name: string }>;
  cleanup(): Promise<void>;
}

/** The shop policy: masks card numbers (card), SSNs (redact) and e-mail (email); UPDATE/DELETE need approval. */
export function shopPolicy(connections: readonly string[] = SHOP_CONNECTIONS): Policy {
  const scope = { connections: [...connections] };
  const parsed = validatePolicy({
    version: 1,
    id: SHOP_POLICY_ID,
    name: "Shop (tests)",
    description: "Masks card numbers, SSNs and e-mail addresses; UPDATE and DELETE wait for an approver.",
    rules: [
      {
        id: "mask-card-numbers",
        name: "Card numbers leave masked",
        scope,
        action: { type: "mask", columns: ["customers.card_number"], strategy: { kind: "card" }, alternative: "`customers.card_last4` is available" },
      },
      { id: "mask-ssn", name: "SSNs never leave", scope, action: { type: "mask", columns: ["customers.ssn"], strategy: { kind: "redact" } } },
      { id: "mask-email", name: "E-mail addresses keep only their domain", scope, action: { type: "mask", columns: ["customers.email"], strategy: { kind: "email" } } },
      {
        id: "block-drop-truncate",
        name: "Nothing is dropped or truncated",
        scope,
        match: { kinds: ["truncate", "ddl"], ddl: ["drop"] },
        action: { type: "block", message: "DROP and TRUNCATE are not allowed on the shop database" },
      },
      {
        id: "approve-update-delete",
        name: "UPDATE and DELETE wait for an approver",
        scope,
        match: { kinds: ["update", "delete"] },
        action: {
          type: "require_approval",
          approverRoles: ["approver", "admin"],
          minApprovals: 1,
          expirySeconds: 900,
          message: "Changes to shop data need a reviewer's approval",
        },
      },
      { id: "allow-reads", name: "Reads are allowed", scope, match: { kinds: ["select"] }, action: { type: "allow" } },
    ],
  });
  if (!parsed.ok) throw new Error(`the test shop policy is invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.policy;
}

export async function createGatewayFixture(label = "gateway"): Promise<GatewayFixture> {
  const undo: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    undo.length = 0;
  };
  try {
    return await build(label, undo, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function build(label: string, undo: (() => Promise<unknown>)[], cleanup: () => Promise<void>): Promise<GatewayFixture> {
  const suffix = randomBytes(4).toString("hex");
  const masterKey = randomBytes(32);
  const targetPasswords = { pg: `pgSecret-${suffix}-Zq9`, mysql: `mySecret-${suffix}-Xk7` };

  // Databases: the store, and the two targets.
  const [storeDb, pgTarget, mysqlTarget] = await Promise.all([
    createScratchPostgres(`${label}_store`),
    createScratchPostgres(`${label}_shop`),
    createScratchMysql(`${label}_shop`),
  ]);
  undo.push(() => storeDb.drop(), () => pgTarget.drop(), () => mysqlTarget.drop());
  undo.push(() => fs.promises.rm(journalRoot(storeDb.name), { recursive: true, force: true }));
  await Promise.all([
    deployMigrations(storeDb.url),
    withPostgres(pgTarget.url, (client) => client.query(POSTGRES_SHOP_SQL)),
    withMysql(mysqlTarget.url, (connection) => connection.query(MYSQL_SHOP_SQL)),
  ]);

  // The MySQL target is reached as a user of its own with a password (root has none to leak).
  const mysqlUser = `alk_${suffix}`;
  await withMysql(testMysqlUrl(), async (connection) => {
    for (const host of ["%", "127.0.0.1", "localhost"]) {
      await connection.query(`CREATE USER '${mysqlUser}'@'${host}' IDENTIFIED BY '${targetPasswords.mysql}'`);
      await connection.query(`GRANT ALL PRIVILEGES ON \`${mysqlTarget.name}\`.* TO '${mysqlUser}'@'${host}'`);
    }
  });
  undo.push(() =>
    withMysql(testMysqlUrl(), async (connection) => {
      for (const host of ["%", "127.0.0.1", "localhost"]) await connection.query(`DROP USER IF EXISTS '${mysqlUser}'@'${host}'`);
    }),
  );
  const mysqlServer = new URL(testMysqlUrl());
  const mysqlUserUrl = new URL(mysqlTarget.url);
  mysqlUserUrl.username = mysqlUser;
  mysqlUserUrl.password = targetPasswords.mysql;

  const store = createStore(storeDb.url, { maxConnections: 8 });
  undo.push(() => store.$disconnect());

  // People.
  const makeUser = async (role: Role, name: string) => {
    const row = await store.user.create({ data: { email: `${role}-${suffix}@airlock.test`, name, roles: [role] } });
    return { id: row.id, email: row.email, roles: row.roles };
  };
  const users = {
    admin: await makeUser("admin", "Test Admin"),
    approver: await makeUser("approver", "Test Approver"),
    policyAuthor: await makeUser("policy_author", "Test Policy Author"),
    auditor: await makeUser("auditor", "Test Auditor"),
  };

  // Agents and tokens.
  const agent = await store.agent.create({
    data: { name: `test-agent-${suffix}`, description: "The gateway tests' agent", groups: ["engineering"], ownerId: users.policyAuthor.id },
  });
  const otherAgent = await store.agent.create({ data: { name: `ungranted-agent-${suffix}`, groups: ["marketing"] } });
  const issueToken = async (agentId: string = agent.id, data: { expiresAt?: Date | null; revokedAt?: Date | null } = {}) => {
    const issued = issueAgentToken();
    const row = await store.agentToken.create({
      data: { agentId, name: "test", prefix: issued.prefix, hash: issued.hash, scramVerifier: issued.scramVerifier, mysqlNativeVerifier: issued.mysqlNativeVerifier, expiresAt: data.expiresAt ?? null, revokedAt: data.revokedAt ?? null },
    });
    return { token: issued.token, id: row.id };
  };
  const hourAgo = new Date(Date.now() - 60 * 60 * 1000);
  const tokens = {
    valid: (await issueToken()).token,
    expired: (await issueToken(agent.id, { expiresAt: hourAgo })).token,
    revoked: (await issueToken(agent.id, { revokedAt: hourAgo })).token,
    other: (await issueToken(otherAgent.id)).token,
  };

  // Connections.
  const addConnection: GatewayFixture["addConnection"] = async (data) => {
    const row = await store.connection.create({
      data: {
        name: data.name,
        description: `gateway tests (${data.engine})`,
        engine: data.engine,
        host: data.host,
        port: data.port,
        database: data.database,
        username: data.username,
        secretCiphertext: new Uint8Array(0),
        tls: "disable",
        rowLimit: 1000,
        statementTimeoutMs: 15_000,
      },
    });
    await store.connection.update({ where: { id: row.id }, data: { secretCiphertext: sealSecret(masterKey, data.password, row.id) } });
    const group = data.grantGroup === undefined ? "engineering" : data.grantGroup;
    if (group) await store.grant.create({ data: { connectionId: row.id, agentGroup: group } });
    return { id: row.id, name: row.name };
  };
  const pgServer = new URL(testPostgresUrl());
  const shopPg = await addConnection({
    name: PG_CONNECTION,
    engine: "postgres",
    host: pgServer.hostname,
    port: Number(pgServer.port || 5432),
    database: pgTarget.name,
    username: decodeURIComponent(pgServer.username) || "postgres",
    password: targetPasswords.pg,
  });
  const shopMysql = await addConnection({
    name: MYSQL_CONNECTION,
    engine: "mysql",
    host: mysqlServer.hostname,
    port: Number(mysqlServer.port || 3306),
    database: mysqlTarget.name,
    username: mysqlUser,
    password: targetPasswords.mysql,
  });

  // Policies, as the seed stores them (document + first revision).
  const policies = [defaultPolicy(), shopPolicy()];
  for (const [index, policy] of policies.entries()) {
    const document = JSON.parse(JSON.stringify(policy)) as object;
    await store.policy.create({
      data: {
        name: policy.name,
        description: policy.description ?? "",
        priority: (index + 1) * 10,
        document,
        revisions: { create: { version: 1, document, authorId: users.policyAuthor.id, comment: "gateway tests" } },
      },
    });
  }

  return {
    label,
    store,
    storeDb,
    pgTarget,
    mysqlTarget,
    mysqlTargetUserUrl: mysqlUserUrl.toString(),
    masterKeyBase64: masterKey.toString("base64"),
    masterKey,
    targetPasswords,
    users,
    agent: { id: agent.id, name: agent.name, ownerId: users.policyAuthor.id },
    otherAgent: { id: otherAgent.id, name: otherAgent.name },
    tokens,
    connections: {
      shop_pg: { id: shopPg.id, name: PG_CONNECTION, engine: "postgres" },
      shop_mysql: { id: shopMysql.id, name: MYSQL_CONNECTION, engine: "mysql" },
    },
    policies,
    issueToken,
    addConnection,
    cleanup,
  };
}

// ── Deciding approvals as a person would (the dashboard calls the same function) ─────────────────────

/** Approves a request as the fixture's approver (or `userId`); throws when the decision is refused. */
export async function approve(fixture: GatewayFixture, requestId: string, userId: string = fixture.users.approver.id): Promise<void> {
  const result = await decideApproval(fixture.store, { requestId, userId, verdict: "approve" });
  if (!result.ok) throw new Error(`approve ${requestId} refused: ${result.code} (${result.message})`);
}

/** Rejects a request with a reason as the fixture's approver (or `userId`); throws when refused. */
export async function reject(fixture: GatewayFixture, requestId: string, reason: string, userId: string = fixture.users.approver.id): Promise<void> {
  const result = await decideApproval(fixture.store, { requestId, userId, verdict: "reject", reason });
  if (!result.ok) throw new Error(`reject ${requestId} refused: ${result.code} (${result.message})`);
}

// ── Reading the targets directly ──────────────────────────────────────────────────────────────────────

/** Runs SQL on a shop target directly (admin credentials), bypassing the gateway. */
export async function targetQuery<T = Record<string, unknown>>(fixture: GatewayFixture, connection: ShopConnection, sql: string, params: unknown[] = []): Promise<T[]> {
  if (connection === PG_CONNECTION) {
    return withPostgres(fixture.pgTarget.url, async (client) => (await client.query(sql, params)).rows as T[]);
  }
  return withMysql(fixture.mysqlTarget.url, async (conn) => {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  });
}
