import { randomUUID } from "node:crypto";
import { recordChange, type ChangeAction } from "../audit/changes";
import { sealSecret } from "../crypto/secret-box";
import type { Store } from "../store/client";
import { Prisma, type DeliveryStatus, type NotificationKind } from "../store/generated/client";
import type { ChannelInput } from "./channel-schema";

export { channelInputSchema, channelFromForm, type ChannelInput } from "./channel-schema";

// Writing and reading notification channels. Each change goes with its audit entry in one transaction. Secrets are
// sealed with the master key bound to the channel's id (so the id is made here, before the row) and never reach an
// audit entry, a result, an error or a list. Callers check permissions first.

export type SaveResult =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly fieldErrors?: Record<string, string>; readonly message?: string };

/** Audit actions of this module; target type "notification_channel". */
export type ChannelAuditAction = Extract<ChangeAction, `notification_channel.${string}`>;

const SETTINGS = ["name", "kind", "target", "connectionId", "ruleId", "escalation", "enabled"] as const;
type Settings = Pick<ChannelInput, (typeof SETTINGS)[number]>;

const settingsOf = (input: ChannelInput): Settings => ({
  name: input.name,
  kind: input.kind,
  target: input.target,
  connectionId: input.connectionId,
  ruleId: input.ruleId,
  escalation: input.escalation,
  enabled: input.enabled,
});

const NAME_TAKEN = { ok: false, fieldErrors: { name: "Another channel already has this name" } } as const;
const GONE = { ok: false, message: "This channel does not exist (any more)." } as const;
const NO_CONNECTION = { ok: false, fieldErrors: { connectionId: "That connection does not exist (any more)" } } as const;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

function audit(tx: Pick<Prisma.TransactionClient, "auditLog">, actorId: string, action: ChannelAuditAction, targetId: string, details: Prisma.InputJsonObject) {
  return recordChange(tx, { actorId, action, targetType: "notification_channel", targetId, details });
}

async function connectionExists(tx: Prisma.TransactionClient, connectionId: string | null): Promise<boolean> {
  return connectionId === null || (await tx.connection.count({ where: { id: connectionId } })) > 0;
}

export async function createChannel(db: Store, key: Uint8Array, actorId: string, input: ChannelInput): Promise<SaveResult> {
  const id = randomUUID();
  const settings = settingsOf(input);
  if (input.secret === "") return { ok: false, fieldErrors: { secret: "Enter the secret" } };
  if (input.kind === "slack" && input.signingSecret === "") return { ok: false, fieldErrors: { signingSecret: "Enter the Slack app's signing secret" } };
  try {
    return await db.$transaction(async (tx) => {
      if (!(await connectionExists(tx, settings.connectionId))) return NO_CONNECTION;
      await tx.notificationChannel.create({
        data: {
          id,
          ...settings,
          secretCiphertext: sealSecret(key, input.secret, id),
          signingSecretCiphertext: input.kind === "slack" ? sealSecret(key, input.signingSecret, id) : null,
        },
      });
      await audit(tx, actorId, "notification_channel.create", id, { ...settings, secret: "set", ...(input.kind === "slack" ? { signingSecret: "set" } : {}) });
      return { ok: true, id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return NAME_TAKEN;
    throw error;
  }
}

/** Saves the settings; a blank secret keeps the stored one, except when the kind changes (a bot token is not a
 *  webhook key: both are typed again). */
export async function updateChannel(db: Store, key: Uint8Array, actorId: string, id: string, input: ChannelInput): Promise<SaveResult> {
  const settings = settingsOf(input);
  try {
    return await db.$transaction(async (tx) => {
      const before = await tx.notificationChannel.findUnique({
        where: { id },
        select: { name: true, kind: true, target: true, connectionId: true, ruleId: true, escalation: true, enabled: true, signingSecretCiphertext: true },
      });
      if (!before) return GONE;
      const kindChanged = before.kind !== settings.kind;
      const fieldErrors: Record<string, string> = {};
      if (kindChanged && input.secret === "") fieldErrors.secret = "The kind changed: enter the secret again";
      if (settings.kind === "slack" && input.signingSecret === "" && (kindChanged || before.signingSecretCiphertext === null)) {
        fieldErrors.signingSecret = "Enter the Slack app's signing secret";
      }
      if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
      if (!(await connectionExists(tx, settings.connectionId))) return NO_CONNECTION;

      const changed: Record<string, { from: string | boolean | null; to: string | boolean | null }> = {};
      for (const name of SETTINGS) if (before[name] !== settings[name]) changed[name] = { from: before[name], to: settings[name] };
      const newSecret = input.secret !== "";
      const newSigning = settings.kind === "slack" && input.signingSecret !== "";
      if (Object.keys(changed).length === 0 && !newSecret && !newSigning) return { ok: true, id } as const;

      await tx.notificationChannel.update({
        where: { id },
        data: {
          ...settings,
          ...(newSecret ? { secretCiphertext: sealSecret(key, input.secret, id) } : {}),
          ...(newSigning ? { signingSecretCiphertext: sealSecret(key, input.signingSecret, id) } : settings.kind === "webhook" ? { signingSecretCiphertext: null } : {}),
        },
      });
      if (Object.keys(changed).length > 0) await audit(tx, actorId, "notification_channel.update", id, { name: settings.name, changed });
      if (newSecret || newSigning) {
        await audit(tx, actorId, "notification_channel.secret_change", id, {
          name: settings.name,
          secret: newSecret ? "replaced" : "kept",
          ...(settings.kind === "slack" ? { signingSecret: newSigning ? "replaced" : "kept" } : {}),
        });
      }
      return { ok: true, id } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error)) return NAME_TAKEN;
    throw error;
  }
}

/** Deletes the channel and its delivery log. */
export async function deleteChannel(db: Store, actorId: string, id: string): Promise<SaveResult> {
  return db.$transaction(async (tx) => {
    const channel = await tx.notificationChannel.findUnique({ where: { id }, select: { name: true, kind: true, target: true } });
    if (!channel) return GONE;
    await tx.notificationChannel.delete({ where: { id } });
    await audit(tx, actorId, "notification_channel.delete", id, channel);
    return { ok: true, id } as const;
  });
}

// ── Reading ─────────────────────────────────────────────────────────────────────────────────────────

export interface ChannelRow {
  readonly id: string;
  readonly name: string;
  readonly kind: NotificationKind;
  readonly target: string;
  readonly connection: { readonly id: string; readonly name: string } | null;
  readonly ruleId: string | null;
  readonly escalation: boolean;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const channelSelect = {
  id: true,
  name: true,
  kind: true,
  target: true,
  connection: { select: { id: true, name: true } },
  ruleId: true,
  escalation: true,
  enabled: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.NotificationChannelSelect;

/** Every channel by name, without its secrets. */
export function listChannels(db: Store): Promise<ChannelRow[]> {
  return db.notificationChannel.findMany({ orderBy: { name: "asc" }, select: channelSelect });
}

export function getChannel(db: Store, id: string): Promise<ChannelRow | null> {
  return db.notificationChannel.findUnique({ where: { id }, select: channelSelect });
}

export interface DeliveryRow {
  readonly id: string;
  readonly event: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly responseStatus: number | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  readonly channel: { readonly id: string; readonly name: string; readonly kind: NotificationKind };
  readonly request: { readonly id: string; readonly status: string };
}

/** The delivery log, newest first (at most 500 rows). */
export function listDeliveries(db: Store, options: { take?: number; channelId?: string; requestId?: string } = {}): Promise<DeliveryRow[]> {
  return db.notificationDelivery.findMany({
    where: { ...(options.channelId ? { channelId: options.channelId } : {}), ...(options.requestId ? { requestId: options.requestId } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.max(1, Math.min(options.take ?? 100, 500)),
    select: {
      id: true,
      event: true,
      status: true,
      attempts: true,
      nextAttemptAt: true,
      lastError: true,
      responseStatus: true,
      createdAt: true,
      deliveredAt: true,
      channel: { select: { id: true, name: true, kind: true } },
      request: { select: { id: true, status: true } },
    },
  });
}
