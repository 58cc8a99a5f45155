import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore, type Store } from "../../lib/store/client";
import { Prisma } from "../../lib/store/generated/client";
import { deployMigrations } from "../../lib/store/prisma-cli";
import { issueAgentToken } from "../../lib/crypto/agent-token";
import { openSecret, sealSecret } from "../../lib/crypto/secret-box";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";

// Every model of schema.prisma goes through the generated client on a freshly migrated database: create,
// read back (with a relation), delete. A model added to the schema without a round trip here fails the
// coverage test. Then the constraints the security model leans on.

let db: ScratchDatabase | undefined;
let store: Store;

beforeAll(async () => {
  db = await createScratchPostgres("models");
  await deployMigrations(db.url);
  store = createStore(db.url, { maxConnections: 2 });
}, 120_000);

afterAll(async () => {
  try {
    await store?.$disconnect();
  } finally {
    await db?.drop();
  }
});

// ── Fixtures ──────────────────────────────────────────────────────────────────────────────────────

let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${randomUUID().slice(0, 8)}`;

/** Fixed instants with milliseconds, to see DateTime survive the trip to timestamp(3) and back. */
const T1 = new Date("2026-01-02T03:04:05.678Z");
const T2 = new Date("2026-06-30T23:59:59.999Z");

const masterKey = new Uint8Array(32).fill(7);

function makeUser() {
  return store.user.create({ data: { email: `${unique("user")}@example.test`, name: "Ada", roles: ["approver"] } });
}

function makeAgent(data: Partial<Prisma.AgentUncheckedCreateInput> = {}) {
  return store.agent.create({ data: { name: unique("agent"), groups: ["analysts"], ...data } });
}

function makeConnection() {
  const id = randomUUID();
  return store.connection.create({
    data: {
      id,
      name: unique("conn"),
      engine: "postgres",
      host: "db.internal",
      port: 5432,
      database: "shop",
      username: "airlock_reader",
      secretCiphertext: sealSecret(masterKey, "s3cret", id),
    },
  });
}

function makeSession(agentId: string, connectionId: string | null = null) {
  return store.agentSession.create({ data: { agentId, connectionId, frontDoor: "pgwire" } });
}

function makePolicy() {
  return store.policy.create({ data: { name: unique("policy"), document: { rules: [] } } });
}

function makeApprovalRequest(agentId: string, connectionId: string, sessionId: string | null = null) {
  return store.approvalRequest.create({
    data: {
      agentId,
      connectionId,
      sessionId,
      sqlText: "DELETE FROM orders WHERE id = $1",
      bindingHash: "ab".repeat(32),
      decision: { rule: "approve-deletes" },
      approverRoles: ["approver"],
      expiresAt: T2,
    },
  });
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** The Prisma error code of a rejected promise (P2002 unique, P2003 foreign key …). */
async function prismaErrorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code;
    throw error;
  }
  throw new Error("expected the store to reject the write, but it succeeded");
}

// ── Round trips, one per model ────────────────────────────────────────────────────────────────────

const roundTrips: Record<Prisma.ModelName, () => Promise<void>> = {
  async User() {
    const created = await store.user.create({
      data: {
        email: `${unique("ada")}@example.test`,
        name: "Ada Lovelace",
        passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        oidcSubject: unique("sub"),
        roles: ["auditor", "admin", "policy_author"],
        lastLoginAt: T1,
      },
    });
    const agent = await makeAgent({ ownerId: created.id });

    const read = await store.user.findUniqueOrThrow({ where: { id: created.id }, include: { ownedAgents: true } });
    expect(read).toMatchObject({ email: created.email, name: "Ada Lovelace", oidcSubject: created.oidcSubject, disabled: false });
    expect(read.passwordHash).toBe("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
    expect(read.roles).toEqual(["auditor", "admin", "policy_author"]);
    expect(read.lastLoginAt).toEqual(T1);
    expect(read.createdAt).toBeInstanceOf(Date);
    expect(read.ownedAgents.map((a) => a.id)).toEqual([agent.id]);

    // Stored as UTC, whatever the process time zone.
    const [raw] = await store.$queryRaw<{ at: string }[]>`SELECT "lastLoginAt"::text AS at FROM "User" WHERE id = ${created.id}::uuid`;
    expect(raw.at).toBe("2026-01-02 03:04:05.678");

    await store.user.delete({ where: { id: created.id } });
    expect(await store.user.findUnique({ where: { id: created.id } })).toBeNull();
    // The agent survives its owner (SetNull).
    expect((await store.agent.findUniqueOrThrow({ where: { id: agent.id } })).ownerId).toBeNull();
    await store.agent.delete({ where: { id: agent.id } });
  },

  async Connection() {
    const id = randomUUID();
    const envelope = sealSecret(masterKey, "pa55word!", id);
    const created = await store.connection.create({
      data: {
        id,
        name: unique("orders"),
        description: "orders replica",
        engine: "mysql",
        host: "mysql.internal",
        port: 3306,
        database: "orders",
        username: "reader",
        secretCiphertext: envelope,
        tls: "verify_full",
        readOnly: true,
      },
    });
    const agent = await makeAgent();
    await store.grant.create({ data: { connectionId: id, agentId: agent.id } });

    const read = await store.connection.findUniqueOrThrow({ where: { id }, include: { grants: true } });
    expect(read).toMatchObject({
      id: created.id,
      name: created.name,
      description: "orders replica",
      engine: "mysql",
      host: "mysql.internal",
      port: 3306,
      database: "orders",
      username: "reader",
      tls: "verify_full",
      readOnly: true,
      rowLimit: 1000,
      statementTimeoutMs: 30000,
    });
    expect(read.secretCiphertext).toBeInstanceOf(Uint8Array);
    expect(hex(read.secretCiphertext)).toBe(hex(envelope));
    expect(openSecret(masterKey, read.secretCiphertext, id)).toBe("pa55word!");
    expect(read.updatedAt).toBeInstanceOf(Date);
    expect(read.grants.map((g) => g.agentId)).toEqual([agent.id]);

    await store.connection.delete({ where: { id } });
    expect(await store.connection.findUnique({ where: { id } })).toBeNull();
    expect(await store.grant.count({ where: { connectionId: id } })).toBe(0); // grants cascade
    await store.agent.delete({ where: { id: agent.id } });
  },

  async Agent() {
    const owner = await makeUser();
    const created = await store.agent.create({
      data: { name: unique("claude"), description: "coding agent", groups: ["analysts", "on-call"], ownerId: owner.id, lastSeenAt: T1 },
    });

    const read = await store.agent.findUniqueOrThrow({ where: { id: created.id }, include: { owner: true, tokens: true } });
    expect(read).toMatchObject({ name: created.name, description: "coding agent", disabled: false });
    expect(read.groups).toEqual(["analysts", "on-call"]);
    expect(read.lastSeenAt).toEqual(T1);
    expect(read.owner?.email).toBe(owner.email);
    expect(read.tokens).toEqual([]);

    await store.agent.delete({ where: { id: created.id } });
    expect(await store.agent.findUnique({ where: { id: created.id } })).toBeNull();
    await store.user.delete({ where: { id: owner.id } });
  },

  async AgentToken() {
    const agent = await makeAgent();
    const issued = issueAgentToken();
    const created = await store.agentToken.create({
      data: { agentId: agent.id, name: "laptop", prefix: issued.prefix, hash: issued.hash, scramVerifier: issued.scramVerifier, expiresAt: T2 },
    });

    const read = await store.agentToken.findUniqueOrThrow({ where: { hash: issued.hash }, include: { agent: true } });
    expect(read).toMatchObject({ id: created.id, name: "laptop", prefix: issued.prefix, hash: issued.hash, scramVerifier: issued.scramVerifier, revokedAt: null, lastUsedAt: null });
    expect(read.expiresAt).toEqual(T2);
    expect(read.agent.name).toBe(agent.name);
    // Only the hash is kept: nothing in the row contains the token's secret.
    expect(JSON.stringify(read)).not.toContain(issued.token.slice(issued.prefix.length + 1));

    await store.agentToken.delete({ where: { id: created.id } });
    expect(await store.agentToken.findUnique({ where: { id: created.id } })).toBeNull();

    // Tokens do not outlive their agent.
    const orphan = await store.agentToken.create({ data: { agentId: agent.id, prefix: "alk_x", hash: issueAgentToken().hash } });
    await store.agent.delete({ where: { id: agent.id } });
    expect(await store.agentToken.findUnique({ where: { id: orphan.id } })).toBeNull();
  },

  async Grant() {
    const [agent, connection] = await Promise.all([makeAgent(), makeConnection()]);
    const forAgent = await store.grant.create({ data: { connectionId: connection.id, agentId: agent.id } });
    const forGroup = await store.grant.create({ data: { connectionId: connection.id, agentGroup: "analysts" } });

    const read = await store.grant.findUniqueOrThrow({ where: { id: forAgent.id }, include: { agent: true, connection: true } });
    expect(read).toMatchObject({ connectionId: connection.id, agentId: agent.id, agentGroup: null });
    expect(read.agent?.name).toBe(agent.name);
    expect(read.connection.name).toBe(connection.name);
    const byGroup = await store.grant.findUniqueOrThrow({
      where: { connectionId_agentGroup: { connectionId: connection.id, agentGroup: "analysts" } },
    });
    expect(byGroup).toMatchObject({ id: forGroup.id, agentId: null });

    await store.grant.delete({ where: { id: forAgent.id } });
    expect(await store.grant.findUnique({ where: { id: forAgent.id } })).toBeNull();
    await store.connection.delete({ where: { id: connection.id } });
    expect(await store.grant.findUnique({ where: { id: forGroup.id } })).toBeNull();
    await store.agent.delete({ where: { id: agent.id } });
  },

  async Policy() {
    const document = {
      rules: [
        { kind: "block", match: { statement: ["delete", "update"], withoutWhere: true }, hint: "add a WHERE clause" },
        { kind: "mask", columns: ["customers.card_number"], strategy: "partial", keep: 4 },
      ],
      nested: { flag: false, nothing: null, ratio: 0.25, big: 9007199254740991, text: "ünïcødé ✓ \"quoted\"" },
    };
    const created = await store.policy.create({ data: { name: unique("pii"), description: "cards", priority: 10, document } });
    await store.policyRevision.create({ data: { policyId: created.id, version: 1, document } });

    const read = await store.policy.findUniqueOrThrow({ where: { id: created.id }, include: { revisions: true } });
    expect(read).toMatchObject({ name: created.name, description: "cards", enabled: true, priority: 10, version: 1 });
    expect(read.document).toEqual(document);
    expect(read.revisions.map((r) => r.version)).toEqual([1]);
    expect(read.updatedAt).toBeInstanceOf(Date);

    await store.policy.delete({ where: { id: created.id } });
    expect(await store.policy.findUnique({ where: { id: created.id } })).toBeNull();
    expect(await store.policyRevision.count({ where: { policyId: created.id } })).toBe(0); // revisions cascade
  },

  async PolicyRevision() {
    const [policy, author] = await Promise.all([makePolicy(), makeUser()]);
    const document = { rules: [{ kind: "approve", match: { tables: ["payments"] }, approvers: 2 }] };
    const created = await store.policyRevision.create({
      data: { policyId: policy.id, version: 2, document, authorId: author.id, comment: "payments need two approvers" },
    });

    const read = await store.policyRevision.findUniqueOrThrow({
      where: { policyId_version: { policyId: policy.id, version: 2 } },
      include: { policy: true, author: true },
    });
    expect(read).toMatchObject({ id: created.id, comment: "payments need two approvers" });
    expect(read.document).toEqual(document);
    expect(read.policy.name).toBe(policy.name);
    expect(read.author?.email).toBe(author.email);

    await store.policyRevision.delete({ where: { id: created.id } });
    expect(await store.policyRevision.findUnique({ where: { id: created.id } })).toBeNull();
    await store.policy.delete({ where: { id: policy.id } });
    await store.user.delete({ where: { id: author.id } });
  },

  async AgentSession() {
    const [agent, connection] = await Promise.all([makeAgent(), makeConnection()]);
    const created = await store.agentSession.create({
      data: {
        agentId: agent.id,
        connectionId: connection.id,
        frontDoor: "mcp",
        clientKey: "mcp-session-1",
        clientAddr: "10.0.0.7",
        startedAt: T1,
        endedAt: T2,
        headHash: "cd".repeat(32),
        eventCount: 3,
      },
    });

    const read = await store.agentSession.findUniqueOrThrow({ where: { id: created.id }, include: { agent: true, connection: true, events: true } });
    expect(read).toMatchObject({ frontDoor: "mcp", clientKey: "mcp-session-1", clientAddr: "10.0.0.7", headHash: "cd".repeat(32), eventCount: 3 });
    expect(read.startedAt).toEqual(T1);
    expect(read.endedAt).toEqual(T2);
    expect(read.agent.name).toBe(agent.name);
    expect(read.connection?.name).toBe(connection.name);
    expect(read.events).toEqual([]);

    await store.agentSession.delete({ where: { id: created.id } });
    expect(await store.agentSession.findUnique({ where: { id: created.id } })).toBeNull();
    await store.connection.delete({ where: { id: connection.id } });
    await store.agent.delete({ where: { id: agent.id } });
  },

  async SessionEvent() {
    const agent = await makeAgent();
    const session = await makeSession(agent.id);
    const payload = { statement: "SELECT email FROM customers", sample: [{ email: "a***@example.com" }], rows: 1, ms: 3.5 };
    const first = await store.sessionEvent.create({
      data: { sessionId: session.id, seq: 1, type: "connect", payload: {}, prevHash: "0".repeat(64), hash: "1".repeat(64) },
    });
    const created = await store.sessionEvent.create({
      data: {
        sessionId: session.id,
        seq: 2,
        type: "result",
        at: T1,
        decision: "allow",
        sqlText: "SELECT email FROM customers",
        payload,
        prevHash: first.hash,
        hash: "2".repeat(64),
      },
    });
    expect(typeof created.id).toBe("bigint");
    expect(created.id).toBeGreaterThan(first.id);

    const read = await store.sessionEvent.findUniqueOrThrow({
      where: { sessionId_seq: { sessionId: session.id, seq: 2 } },
      include: { session: true },
    });
    expect(read).toMatchObject({ id: created.id, type: "result", decision: "allow", sqlText: "SELECT email FROM customers", prevHash: "1".repeat(64) });
    expect(read.at).toEqual(T1);
    expect(read.payload).toEqual(payload);
    expect(read.session.agentId).toBe(agent.id);
    expect(await store.sessionEvent.findUnique({ where: { id: created.id } })).not.toBeNull(); // BigInt key lookup

    await store.sessionEvent.deleteMany({ where: { id: { in: [first.id, created.id] } } });
    expect(await store.sessionEvent.findUnique({ where: { id: created.id } })).toBeNull();
    await store.agentSession.delete({ where: { id: session.id } });
    await store.agent.delete({ where: { id: agent.id } });
  },

  async ApprovalRequest() {
    const [agent, connection] = await Promise.all([makeAgent(), makeConnection()]);
    const session = await makeSession(agent.id, connection.id);
    const decision = { rules: ["approve-deletes"], tables: ["orders"], columns: { orders: ["id"] } };
    const created = await store.approvalRequest.create({
      data: {
        agentId: agent.id,
        connectionId: connection.id,
        sessionId: session.id,
        sqlText: "DELETE FROM orders WHERE id = $1",
        bindingHash: "ef".repeat(32),
        decision,
        approverRoles: ["approver", "admin"],
        minApprovals: 2,
        expiresAt: T2,
      },
    });

    const read = await store.approvalRequest.findUniqueOrThrow({
      where: { id: created.id },
      include: { agent: true, connection: true, session: true, decisions: true },
    });
    expect(read).toMatchObject({ sqlText: "DELETE FROM orders WHERE id = $1", bindingHash: "ef".repeat(32), minApprovals: 2, status: "pending" });
    expect(read.decision).toEqual(decision);
    expect(read.approverRoles).toEqual(["approver", "admin"]);
    expect(read.expiresAt).toEqual(T2);
    expect(read.decidedAt).toBeNull();
    expect(read.agent.id).toBe(agent.id);
    expect(read.connection.id).toBe(connection.id);
    expect(read.session?.id).toBe(session.id);
    expect(read.decisions).toEqual([]);

    await store.approvalRequest.delete({ where: { id: created.id } });
    expect(await store.approvalRequest.findUnique({ where: { id: created.id } })).toBeNull();
    await store.agentSession.delete({ where: { id: session.id } });
    await store.connection.delete({ where: { id: connection.id } });
    await store.agent.delete({ where: { id: agent.id } });
  },

  async ApprovalDecision() {
    const [agent, connection, approver] = await Promise.all([makeAgent(), makeConnection(), makeUser()]);
    const request = await makeApprovalRequest(agent.id, connection.id);
    const created = await store.approvalDecision.create({
      data: { requestId: request.id, userId: approver.id, verdict: "reject", reason: "no WHERE on a 10M-row table" },
    });

    const read = await store.approvalDecision.findUniqueOrThrow({
      where: { requestId_userId: { requestId: request.id, userId: approver.id } },
      include: { request: true, user: true },
    });
    expect(read).toMatchObject({ id: created.id, verdict: "reject", reason: "no WHERE on a 10M-row table" });
    expect(read.request.bindingHash).toBe(request.bindingHash);
    expect(read.user.email).toBe(approver.email);

    // One vote per approver per request.
    expect(await prismaErrorCode(store.approvalDecision.create({ data: { requestId: request.id, userId: approver.id, verdict: "approve" } }))).toBe("P2002");

    await store.approvalDecision.delete({ where: { id: created.id } });
    expect(await store.approvalDecision.findUnique({ where: { id: created.id } })).toBeNull();
    await store.approvalRequest.delete({ where: { id: request.id } });
    await store.connection.delete({ where: { id: connection.id } });
    await store.agent.delete({ where: { id: agent.id } });
    await store.user.delete({ where: { id: approver.id } });
  },

  async AuditLog() {
    const actor = await makeUser();
    const details = { field: "rowLimit", from: 1000, to: 500 };
    const created = await store.auditLog.create({
      data: { actorId: actor.id, action: "connection.update", targetType: "connection", targetId: randomUUID(), details, at: T1 },
    });
    const bare = await store.auditLog.create({ data: { action: "system.start", targetType: "system" } });
    expect(typeof created.id).toBe("bigint");
    expect(bare.id).toBeGreaterThan(created.id);
    expect(bare.details).toEqual({});

    const read = await store.auditLog.findUniqueOrThrow({ where: { id: created.id }, include: { actor: true } });
    expect(read).toMatchObject({ action: "connection.update", targetType: "connection", targetId: created.targetId });
    expect(read.details).toEqual(details);
    expect(read.at).toEqual(T1);
    expect(read.actor?.email).toBe(actor.email);

    // Removing a person keeps their audit trail (actor set null).
    await store.user.delete({ where: { id: actor.id } });
    expect((await store.auditLog.findUniqueOrThrow({ where: { id: created.id } })).actorId).toBeNull();

    await store.auditLog.deleteMany({ where: { id: { in: [created.id, bare.id] } } });
    expect(await store.auditLog.findUnique({ where: { id: created.id } })).toBeNull();
  },

  async NotificationChannel() {
    const connection = await makeConnection();
    const id = randomUUID();
    const created = await store.notificationChannel.create({
      data: { id, name: unique("ops-slack"), kind: "slack", target: "C0123", secretCiphertext: sealSecret(masterKey, "xoxb-1", id), signingSecretCiphertext: sealSecret(masterKey, "sign", id), connectionId: connection.id, ruleId: "approve-writes" },
    });
    const read = await store.notificationChannel.findUniqueOrThrow({ where: { id }, include: { connection: true } });
    expect(read).toMatchObject({ kind: "slack", target: "C0123", ruleId: "approve-writes", escalation: false, enabled: true });
    expect(openSecret(masterKey, read.secretCiphertext, id)).toBe("xoxb-1");
    expect(openSecret(masterKey, read.signingSecretCiphertext!, id)).toBe("sign");
    expect(read.connection?.id).toBe(connection.id);
    // A channel limited to a connection goes with it.
    await store.connection.delete({ where: { id: connection.id } });
    expect(await store.notificationChannel.findUnique({ where: { id: created.id } })).toBeNull();
  },

  async NotificationDelivery() {
    const agent = await makeAgent();
    const connection = await makeConnection();
    const request = await makeApprovalRequest(agent.id, connection.id);
    const channel = await store.notificationChannel.create({ data: { name: unique("hook"), kind: "webhook", target: "https://hooks.example.test/a", secretCiphertext: new Uint8Array([1]) } });
    const created = await store.notificationDelivery.create({ data: { channelId: channel.id, requestId: request.id, event: "requested" } });
    expect(created).toMatchObject({ status: "pending", attempts: 0 });
    // One delivery per channel, request and event.
    expect(await prismaErrorCode(store.notificationDelivery.create({ data: { channelId: channel.id, requestId: request.id, event: "requested" } }))).toBe("P2002");
    // Deliveries go with their request.
    await store.approvalRequest.delete({ where: { id: request.id } });
    expect(await store.notificationDelivery.findUnique({ where: { id: created.id } })).toBeNull();
    await store.notificationChannel.delete({ where: { id: channel.id } });
    await store.connection.delete({ where: { id: connection.id } });
    await store.agent.delete({ where: { id: agent.id } });
  },

  async SeenSignature() {
    const signature = unique("v0=abc");
    await store.seenSignature.create({ data: { signature } });
    expect(await prismaErrorCode(store.seenSignature.create({ data: { signature } }))).toBe("P2002");
    await store.seenSignature.delete({ where: { signature } });
  },
};

describe("every model round-trips through the generated client", () => {
  it("covers every model in schema.prisma", () => {
    const models = Object.values(Prisma.ModelName).sort();
    expect(models.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(roundTrips).sort()).toEqual(models);
  });

  it.each(Object.entries(roundTrips))("%s", async (_model, roundTrip) => {
    await roundTrip();
  });
});

// ── Constraints the security model leans on ───────────────────────────────────────────────────────

describe("constraints", () => {
  it("a token hash belongs to one token only, even across agents", async () => {
    const [a, b] = await Promise.all([makeAgent(), makeAgent()]);
    const { hash, prefix } = issueAgentToken();
    await store.agentToken.create({ data: { agentId: a.id, prefix, hash } });
    expect(await prismaErrorCode(store.agentToken.create({ data: { agentId: b.id, prefix, hash } }))).toBe("P2002");
    expect(await store.agentToken.count({ where: { hash } })).toBe(1);
    expect((await store.agentToken.findUniqueOrThrow({ where: { hash } })).agentId).toBe(a.id);
    await store.agent.deleteMany({ where: { id: { in: [a.id, b.id] } } });
  });

  it("one grant per (connection, agent) and per (connection, group)", async () => {
    const [agent, connection, other] = await Promise.all([makeAgent(), makeConnection(), makeConnection()]);
    await store.grant.create({ data: { connectionId: connection.id, agentId: agent.id } });
    expect(await prismaErrorCode(store.grant.create({ data: { connectionId: connection.id, agentId: agent.id } }))).toBe("P2002");
    await store.grant.create({ data: { connectionId: connection.id, agentGroup: "analysts" } });
    expect(await prismaErrorCode(store.grant.create({ data: { connectionId: connection.id, agentGroup: "analysts" } }))).toBe("P2002");
    // The same agent may be granted another connection.
    await store.grant.create({ data: { connectionId: other.id, agentId: agent.id } });
    expect(await store.grant.count({ where: { agentId: agent.id } })).toBe(2);
    await store.connection.deleteMany({ where: { id: { in: [connection.id, other.id] } } });
    await store.agent.delete({ where: { id: agent.id } });
  });

  it("a session's events have unique sequence numbers", async () => {
    const agent = await makeAgent();
    const [session, otherSession] = await Promise.all([makeSession(agent.id), makeSession(agent.id)]);
    const event = (sessionId: string, seq: number) => ({
      sessionId,
      seq,
      type: "statement" as const,
      payload: { seq },
      prevHash: "0".repeat(64),
      hash: String(seq).repeat(64),
    });
    await store.sessionEvent.create({ data: event(session.id, 1) });
    expect(await prismaErrorCode(store.sessionEvent.create({ data: event(session.id, 1) }))).toBe("P2002");
    await store.sessionEvent.create({ data: event(otherSession.id, 1) }); // seq is per session
    expect(await store.sessionEvent.count({ where: { sessionId: session.id } })).toBe(1);
    await store.sessionEvent.deleteMany({ where: { sessionId: { in: [session.id, otherSession.id] } } });
    await store.agentSession.deleteMany({ where: { agentId: agent.id } });
    await store.agent.delete({ where: { id: agent.id } });
  });

  it("an agent with recorded sessions cannot be deleted, nor a session with events", async () => {
    const agent = await makeAgent();
    const session = await makeSession(agent.id);
    await store.sessionEvent.create({
      data: { sessionId: session.id, seq: 1, type: "connect", payload: {}, prevHash: "0".repeat(64), hash: "1".repeat(64) },
    });

    expect(await prismaErrorCode(store.agent.delete({ where: { id: agent.id } }))).toBe("P2003");
    expect(await store.agent.findUnique({ where: { id: agent.id } })).not.toBeNull();
    expect(await prismaErrorCode(store.agentSession.delete({ where: { id: session.id } }))).toBe("P2003");
    expect(await store.sessionEvent.count({ where: { sessionId: session.id } })).toBe(1);

    await store.sessionEvent.deleteMany({ where: { sessionId: session.id } });
    await store.agentSession.delete({ where: { id: session.id } });
    await store.agent.delete({ where: { id: agent.id } });
  });

  it("an agent or connection with approval requests cannot be deleted", async () => {
    const [agent, connection] = await Promise.all([makeAgent(), makeConnection()]);
    const request = await makeApprovalRequest(agent.id, connection.id);
    expect(await prismaErrorCode(store.agent.delete({ where: { id: agent.id } }))).toBe("P2003");
    expect(await prismaErrorCode(store.connection.delete({ where: { id: connection.id } }))).toBe("P2003");
    await store.approvalRequest.delete({ where: { id: request.id } });
    await store.connection.delete({ where: { id: connection.id } });
    await store.agent.delete({ where: { id: agent.id } });
  });
});
