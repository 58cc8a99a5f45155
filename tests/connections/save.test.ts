import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAgent, issueToken, revokeToken } from "../../lib/agents/save";
import { agentSchema } from "../../lib/agents/schema";
import { hashAgentToken } from "../../lib/crypto/agent-token";
import { openSecret } from "../../lib/crypto/secret-box";
import { addGrant, createConnection, probeSettings, removeGrant, updateConnection } from "../../lib/connections/save";
import { connectionSchema } from "../../lib/connections/schema";
import { makeUser, migratedScratch, unique, type ApprovalTestDb } from "../approvals/fixtures";

// Writing connections, grants, agents and tokens against a migrated scratch store: the secret is sealed to the
// row, kept when left empty, re-sealed when typed, never in the audit log; a changed server needs the secret
// again; forged ids (another connection's grant, another agent's token) are refused.

let t: ApprovalTestDb;
let actorId: string;
const key = randomBytes(32);
const SECRET = "Sup3r-Secret-Value-91";

beforeAll(async () => {
  t = await migratedScratch("conn_save");
  actorId = (await makeUser(t.store, ["admin"])).id;
});
afterAll(() => t?.close());

function form(overrides: Record<string, unknown> = {}) {
  return connectionSchema.parse({
    name: unique("c"),
    engine: "postgres",
    host: "db.internal",
    port: "5432",
    database: "shop",
    username: "airlock",
    secret: SECRET,
    tls: "prefer",
    rowLimit: "500",
    timeoutSeconds: "20",
    ...overrides,
  });
}

async function sealed(id: string): Promise<string> {
  const row = await t.store.connection.findUniqueOrThrow({ where: { id }, select: { secretCiphertext: true } });
  return openSecret(key, row.secretCiphertext, id);
}

async function auditText(): Promise<string> {
  return JSON.stringify(await t.store.auditLog.findMany({ select: { action: true, details: true } }));
}

describe("connections", () => {
  test("create seals the secret to the new row and audits without it", async () => {
    const input = form();
    const created = await createConnection(t.store, key, actorId, input);
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(await sealed(created.id)).toBe(SECRET);
    const row = await t.store.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ rowLimit: 500, statementTimeoutMs: 20_000, tls: "prefer" });
    const entry = await t.store.auditLog.findFirstOrThrow({ where: { action: "connection.create", targetId: created.id } });
    expect(entry.actorId).toBe(actorId);
    expect(await auditText()).not.toContain(SECRET);
  });

  test("a taken name is a field error", async () => {
    const input = form();
    await createConnection(t.store, key, actorId, input);
    expect(await createConnection(t.store, key, actorId, form({ name: input.name }))).toEqual({ ok: false, fieldErrors: { name: "Another connection already has this name" } });
  });

  test("editing without a secret keeps it; a typed secret is re-sealed; a changed server needs it again", async () => {
    const input = form();
    const created = await createConnection(t.store, key, actorId, input);
    if (!created.ok) throw new Error("create failed");
    const before = await t.store.connection.findUniqueOrThrow({ where: { id: created.id }, select: { secretCiphertext: true, updatedAt: true } });

    const kept = await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "", rowLimit: "900" }));
    expect(kept.ok).toBe(true);
    const after = await t.store.connection.findUniqueOrThrow({ where: { id: created.id }, select: { secretCiphertext: true, rowLimit: true, updatedAt: true } });
    expect(Buffer.from(after.secretCiphertext).equals(Buffer.from(before.secretCiphertext))).toBe(true);
    expect(after.rowLimit).toBe(900);
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());

    const moved = await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "", host: "evil.example" }));
    expect(moved.ok).toBe(false);
    expect(moved.ok ? null : moved.fieldErrors?.secret).toMatch(/Enter the password again/);
    expect((await t.store.connection.findUniqueOrThrow({ where: { id: created.id } })).host).toBe("db.internal");
    // Nor may "test connection" send the stored secret to another server.
    const probe = await probeSettings(t.store, key, created.id, form({ id: created.id, secret: "", host: "evil.example" }));
    expect(probe.ok).toBe(false);
    // Nor over weaker TLS than it was saved with (prefer → disable), for a save or a test.
    const downgraded = await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "", tls: "disable" }));
    expect(downgraded.ok ? null : downgraded.fieldErrors?.secret).toMatch(/over TLS at least as strict/);
    expect((await t.store.connection.findUniqueOrThrow({ where: { id: created.id } })).tls).toBe("prefer");
    expect((await probeSettings(t.store, key, created.id, form({ id: created.id, secret: "", tls: "disable" }))).ok).toBe(false);
    expect((await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "", tls: "require" }))).ok).toBe(true);

    const replaced = await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "N3w-Secret-Value-22", tls: "require" }));
    expect(replaced.ok).toBe(true);
    expect(await sealed(created.id)).toBe("N3w-Secret-Value-22");
    await t.store.auditLog.findFirstOrThrow({ where: { action: "connection.secret_change", targetId: created.id } });
    const text = await auditText();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("N3w-Secret-Value-22");

    const saved = await probeSettings(t.store, key, created.id, null);
    expect(saved.ok && saved.target.password).toBe("N3w-Secret-Value-22");
  });

  test("write previews and named approvers are saved and audited (approvers by e-mail)", async () => {
    const [ada, root] = [await makeUser(t.store, ["approver"]), await makeUser(t.store, ["admin", "auditor"])];
    const input = form({ previewWrites: "on", approverIds: [ada.id, root.id] });
    const created = await createConnection(t.store, key, actorId, input);
    if (!created.ok) throw new Error(`create failed: ${JSON.stringify(created)}`);
    expect(await t.store.connection.findUniqueOrThrow({ where: { id: created.id }, select: { previewWrites: true, approverIds: true } })).toEqual({
      previewWrites: true,
      approverIds: [ada.id, root.id],
    });
    const createdEntry = await t.store.auditLog.findFirstOrThrow({ where: { action: "connection.create", targetId: created.id } });
    expect(createdEntry.details).toMatchObject({ previewWrites: true, approvers: [ada.email, root.email] });

    // The same people in another order, and the same preview setting, change nothing.
    const same = await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "", previewWrites: "on", approverIds: [root.id, ada.id] }));
    expect(same.ok).toBe(true);
    expect(await t.store.auditLog.count({ where: { action: "connection.update", targetId: created.id } })).toBe(0);

    // Previews off, one approver fewer: both recorded with what they were.
    const changed = await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "", approverIds: [root.id] }));
    expect(changed.ok).toBe(true);
    expect(await t.store.connection.findUniqueOrThrow({ where: { id: created.id }, select: { previewWrites: true, approverIds: true } })).toEqual({ previewWrites: false, approverIds: [root.id] });
    const entry = await t.store.auditLog.findFirstOrThrow({ where: { action: "connection.update", targetId: created.id } });
    expect(entry.details).toEqual({
      name: input.name,
      changed: { previewWrites: { from: true, to: false }, approvers: { from: [ada.email, root.email], to: [root.email] } },
    });

    // No approvers: anyone the rule's roles allow.
    expect((await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "" }))).ok).toBe(true);
    expect((await t.store.connection.findUniqueOrThrow({ where: { id: created.id } })).approverIds).toEqual([]);
  });

  test("an approver must be an enabled person holding the approver or admin role", async () => {
    const [disabled, auditor, ok] = [await makeUser(t.store, ["approver"], { disabled: true }), await makeUser(t.store, ["auditor"]), await makeUser(t.store, ["approver"])];
    const ghost = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";
    const cases: [string, RegExp][] = [
      [disabled.id, /is disabled/],
      [auditor.id, /neither the approver nor the admin role/],
      [ghost, /does not exist/],
    ];
    for (const [id, message] of cases) {
      const input = form({ approverIds: [ok.id, id] });
      const result = await createConnection(t.store, key, actorId, input);
      expect(result.ok).toBe(false);
      expect(result.ok ? null : result.fieldErrors?.approverIds).toMatch(message);
      expect(await t.store.connection.count({ where: { name: input.name } })).toBe(0);
    }
    const input = form();
    const created = await createConnection(t.store, key, actorId, input);
    if (!created.ok) throw new Error("create failed");
    const refused = await updateConnection(t.store, key, actorId, created.id, form({ id: created.id, name: input.name, secret: "", approverIds: [auditor.id] }));
    expect(refused.ok ? null : refused.fieldErrors?.approverIds).toMatch(/neither the approver nor the admin role/);
    expect((await t.store.connection.findUniqueOrThrow({ where: { id: created.id } })).approverIds).toEqual([]);
  });

  test("a grant id of another connection is refused", async () => {
    const a = await createConnection(t.store, key, actorId, form());
    const b = await createConnection(t.store, key, actorId, form());
    if (!a.ok || !b.ok) throw new Error("create failed");
    const grant = await addGrant(t.store, actorId, { connectionId: a.id, agentId: null, agentGroup: "engineering" });
    if (!grant.ok) throw new Error("grant failed");
    expect((await removeGrant(t.store, actorId, b.id, grant.id)).ok).toBe(false);
    expect(await t.store.grant.count({ where: { id: grant.id } })).toBe(1);
    expect((await removeGrant(t.store, actorId, a.id, grant.id)).ok).toBe(true);
    expect(await t.store.grant.count({ where: { id: grant.id } })).toBe(0);
    expect(await t.store.auditLog.count({ where: { targetId: grant.id } })).toBe(2);
  });
});

describe("agents and tokens", () => {
  test("the token is returned once, stored only as its hash, and a token id of another agent is refused", async () => {
    const a = await createAgent(t.store, actorId, agentSchema.parse({ name: unique("a"), groups: "data", ownerId: actorId }));
    const b = await createAgent(t.store, actorId, agentSchema.parse({ name: unique("b") }));
    if (!a.ok || !b.ok) throw new Error("create failed");
    const issued = await issueToken(t.store, actorId, { agentId: a.id, name: "ci", expiresInDays: "30" });
    if (!issued.ok) throw new Error("issue failed");
    const row = await t.store.agentToken.findUniqueOrThrow({ where: { id: issued.tokenId } });
    expect(row.hash).toBe(hashAgentToken(issued.token));
    expect(issued.token.startsWith(row.prefix)).toBe(true);
    expect(await auditText()).not.toContain(issued.token);

    expect((await revokeToken(t.store, actorId, b.id, issued.tokenId)).ok).toBe(false);
    expect((await t.store.agentToken.findUniqueOrThrow({ where: { id: issued.tokenId } })).revokedAt).toBeNull();
    expect((await revokeToken(t.store, actorId, a.id, issued.tokenId)).ok).toBe(true);
    expect((await t.store.agentToken.findUniqueOrThrow({ where: { id: issued.tokenId } })).revokedAt).not.toBeNull();
    expect((await revokeToken(t.store, actorId, a.id, issued.tokenId)).ok).toBe(false);
  });

  test("an owner that is not a person in the store is refused", async () => {
    const result = await createAgent(t.store, actorId, agentSchema.parse({ name: unique("a"), ownerId: "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5" }));
    expect(result).toEqual({ ok: false, fieldErrors: { ownerId: "Choose an owner from the list" } });
  });
});
