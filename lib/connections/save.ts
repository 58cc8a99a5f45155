import { randomUUID } from "node:crypto";
import { recordChange } from "../audit/changes";
import { openSecret, sealSecret } from "../crypto/secret-box";
import type { Store } from "../store/client";
import { Prisma } from "../store/generated/client";
import type { ProbeTarget } from "./probe";
import { APPROVER_ROLES, RETYPE_SECRET, storedSecretMayFollow, type ConnectionInput, type EngineName, type GrantInput, type TlsModeName } from "./schema";

// Writing connections and grants, each change with its audit entry in the same transaction. The secret is sealed
// with the master key and bound to the row's id (so the id is made here, before the row); it never goes into the
// audit log, a result or an error. A connection's named approvers must be enabled people holding the approver or
// admin role; the audit log names them by e-mail. Callers check permissions first.

export type SaveResult =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly fieldErrors?: Record<string, string>; readonly message?: string };

const SETTINGS = ["name", "description", "engine", "host", "port", "database", "username", "tls", "rowLimit", "statementTimeoutMs", "readOnly", "previewWrites"] as const;
type Setting = (typeof SETTINGS)[number];
interface Settings {
  name: string;
  description: string;
  engine: EngineName;
  host: string;
  port: number;
  database: string;
  username: string;
  tls: TlsModeName;
  rowLimit: number;
  statementTimeoutMs: number;
  readOnly: boolean;
  previewWrites: boolean;
}

function settingsOf(input: ConnectionInput): Settings {
  return {
    name: input.name,
    description: input.description,
    engine: input.engine,
    host: input.host,
    port: input.port,
    database: input.database,
    username: input.username,
    tls: input.tls,
    rowLimit: input.rowLimit,
    statementTimeoutMs: input.timeoutSeconds * 1000,
    readOnly: input.readOnly,
    previewWrites: input.previewWrites,
  };
}

const NAME_TAKEN = { ok: false, fieldErrors: { name: "Another connection already has this name" } } as const;

type Reader = Pick<Prisma.TransactionClient, "user">;

/**
 * The e-mail addresses of the people named as approvers, in the order given, or a field error when one of them is
 * unknown, disabled, or holds neither the approver nor the admin role (nobody else could decide anyway).
 */
async function checkApprovers(tx: Reader, ids: readonly string[]): Promise<{ ok: true; emails: string[] } | { ok: false; fieldErrors: Record<string, string> }> {
  if (ids.length === 0) return { ok: true, emails: [] };
  const people = await tx.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, email: true, roles: true, disabled: true } });
  const byId = new Map(people.map((person) => [person.id, person]));
  const emails: string[] = [];
  for (const id of ids) {
    const person = byId.get(id);
    if (!person) return { ok: false, fieldErrors: { approverIds: "One of the approvers does not exist (any more): reload the page and choose again" } };
    if (person.disabled) return { ok: false, fieldErrors: { approverIds: `${person.email} is disabled: untick them, or enable their account first` } };
    if (!person.roles.some((role) => (APPROVER_ROLES as readonly string[]).includes(role))) {
      return { ok: false, fieldErrors: { approverIds: `${person.email} holds neither the approver nor the admin role, so could not decide` } };
    }
    emails.push(person.email);
  }
  return { ok: true, emails };
}

/** The audit log's view of an approver list: e-mail addresses, or the id of someone since deleted. */
async function approverLabels(tx: Reader, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const people = await tx.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, email: true } });
  const emails = new Map(people.map((person) => [person.id, person.email]));
  return ids.map((id) => emails.get(id) ?? id);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

export async function createConnection(db: Store, key: Uint8Array, actorId: string, input: ConnectionInput): Promise<SaveResult> {
  const id = randomUUID();
  const settings = settingsOf(input);
  try {
    return await db.$transaction(async (tx) => {
      const approvers = await checkApprovers(tx, input.approverIds);
      if (!approvers.ok) return approvers;
      await tx.connection.create({ data: { id, ...settings, approverIds: input.approverIds, secretCiphertext: sealSecret(key, input.noSecret ? "" : input.secret, id) } });
      await recordChange(tx, {
        actorId,
        action: "connection.create",
        targetType: "connection",
        targetId: id,
        details: { ...settings, approvers: approvers.emails, secret: input.noSecret ? "none" : "set" },
      });
      return { ok: true, id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return NAME_TAKEN;
    throw error;
  }
}

export async function updateConnection(db: Store, key: Uint8Array, actorId: string, id: string, input: ConnectionInput): Promise<SaveResult> {
  const settings = settingsOf(input);
  const newSecret = input.noSecret ? "" : input.secret === "" ? null : input.secret;
  try {
    return await db.$transaction(async (tx) => {
      const select = { ...(Object.fromEntries(SETTINGS.map((name) => [name, true])) as Record<Setting, true>), approverIds: true } as const;
      const before = await tx.connection.findUnique({ where: { id }, select });
      if (!before) return { ok: false, message: "This connection does not exist (any more)." };
      if (newSecret === null && !storedSecretMayFollow(before, settings)) {
        return { ok: false, fieldErrors: { secret: RETYPE_SECRET } };
      }
      const approvers = await checkApprovers(tx, input.approverIds);
      if (!approvers.ok) return approvers;
      const changed: Record<string, { from: Prisma.InputJsonValue; to: Prisma.InputJsonValue }> = {};
      for (const name of SETTINGS) if (before[name] !== settings[name]) changed[name] = { from: before[name], to: settings[name] };
      if (!sameIds(before.approverIds, input.approverIds)) changed.approvers = { from: await approverLabels(tx, before.approverIds), to: approvers.emails };
      if (Object.keys(changed).length === 0 && newSecret === null) return { ok: true, id };
      await tx.connection.update({
        where: { id },
        data: { ...settings, approverIds: input.approverIds, ...(newSecret !== null ? { secretCiphertext: sealSecret(key, newSecret, id) } : {}) },
      });
      if (Object.keys(changed).length > 0) {
        await recordChange(tx, { actorId, action: "connection.update", targetType: "connection", targetId: id, details: { name: settings.name, changed } });
      }
      if (newSecret !== null) {
        await recordChange(tx, { actorId, action: "connection.secret_change", targetType: "connection", targetId: id, details: { name: settings.name, secret: input.noSecret ? "none" : "replaced" } });
      }
      return { ok: true, id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return NAME_TAKEN;
    throw error;
  }
}

export type ProbeSettings =
  | { readonly ok: true; readonly target: ProbeTarget }
  | { readonly ok: false; readonly fieldErrors?: Record<string, string>; readonly message?: string };

/** What "test connection" connects to: the form's values, with the stored secret when none was typed (only for
 *  the server it was saved for), or the saved connection as it is (`input` null). */
export async function probeSettings(db: Store, key: Uint8Array, id: string | undefined, input: ConnectionInput | null): Promise<ProbeSettings> {
  const stored = id
    ? await db.connection.findUnique({ where: { id }, select: { id: true, engine: true, host: true, port: true, database: true, username: true, tls: true, secretCiphertext: true } })
    : null;
  if (id && !stored) return { ok: false, message: "This connection does not exist (any more)." };
  const open = () => {
    try {
      return openSecret(key, stored!.secretCiphertext, stored!.id);
    } catch {
      return null;
    }
  };
  if (input === null) {
    if (!stored) return { ok: false, message: "Choose a connection to test." };
    const password = open();
    if (password === null) return { ok: false, message: "The stored password does not open with this server's master key; enter it again." };
    return { ok: true, target: { engine: stored.engine, host: stored.host, port: stored.port, database: stored.database, username: stored.username, tls: stored.tls, password } };
  }
  let password: string | null = input.noSecret ? "" : input.secret === "" ? null : input.secret;
  if (password === null) {
    if (!stored) return { ok: false, fieldErrors: { secret: "Enter the password to test the connection" } };
    if (!storedSecretMayFollow(stored, input)) return { ok: false, fieldErrors: { secret: RETYPE_SECRET } };
    password = open();
    if (password === null) return { ok: false, fieldErrors: { secret: "The stored password does not open with this server's master key; enter it again." } };
  }
  return { ok: true, target: { engine: input.engine, host: input.host, port: input.port, database: input.database, username: input.username, tls: input.tls, password } };
}

// ── Grants ──────────────────────────────────────────────────────────────────────────────────────────

export async function addGrant(db: Store, actorId: string, grant: GrantInput): Promise<SaveResult> {
  try {
    return await db.$transaction(async (tx) => {
      const connection = await tx.connection.findUnique({ where: { id: grant.connectionId }, select: { name: true } });
      if (!connection) return { ok: false, message: "This connection does not exist (any more)." };
      let agentName: string | null = null;
      if (grant.agentId) {
        const agent = await tx.agent.findUnique({ where: { id: grant.agentId }, select: { name: true } });
        if (!agent) return { ok: false, fieldErrors: { agentId: "That agent does not exist (any more)" } };
        agentName = agent.name;
      }
      const row = await tx.grant.create({ data: { connectionId: grant.connectionId, agentId: grant.agentId, agentGroup: grant.agentGroup }, select: { id: true } });
      await recordChange(tx, {
        actorId,
        action: "grant.create",
        targetType: "grant",
        targetId: row.id,
        details: { connection: connection.name, ...(agentName ? { agent: agentName } : { group: grant.agentGroup }) },
      });
      return { ok: true, id: row.id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, message: grant.agentId ? "That agent already has this connection." : "That group already has this connection." };
    throw error;
  }
}

/** Removes a grant of this connection; a grant id of another connection is refused like an unknown one. */
export async function removeGrant(db: Store, actorId: string, connectionId: string, grantId: string): Promise<SaveResult> {
  return db.$transaction(async (tx) => {
    const grant = await tx.grant.findFirst({
      where: { id: grantId, connectionId },
      select: { id: true, agentGroup: true, agent: { select: { name: true } }, connection: { select: { name: true } } },
    });
    if (!grant) return { ok: false, message: "This grant does not exist on this connection (any more)." };
    await tx.grant.delete({ where: { id: grant.id } });
    await recordChange(tx, {
      actorId,
      action: "grant.delete",
      targetType: "grant",
      targetId: grant.id,
      details: { connection: grant.connection.name, ...(grant.agent ? { agent: grant.agent.name } : { group: grant.agentGroup }) },
    });
    return { ok: true, id: grant.id } as const;
  });
}
