"use server";

import { revalidatePath } from "next/cache";
import { forbidden, redirect } from "next/navigation";
import { z } from "zod";
import { checkSave, fieldErrors, importFieldsSchema, type SaveState } from "@/components/policies/schemas";
import { recordChange } from "@/lib/audit/changes";
import { can, type Permission } from "@/lib/auth/permissions";
import { currentUser, type CurrentUser } from "@/lib/auth/session";
import { parsePolicyDocument } from "@/lib/policy/document";
import type { Policy } from "@/lib/policy/model";
import { diffPolicies } from "@/lib/policy/revision-diff";
import { store } from "@/lib/store/client";
import type { Prisma } from "@/lib/store/generated/client";

// Every change to policies. Each action checks policies.edit itself, first thing (anyone can post to a server
// action: a hidden button is no protection), then the shared schema, then writes the change, its revision and
// its audit entry in one transaction. The gateway picks a saved change up within about a second.

const SIGNED_OUT: SaveState = { status: "error", message: "Your session has ended. Sign in again, then save." };

async function editor(permission: Permission = "policies.edit"): Promise<CurrentUser | null> {
  const user = await currentUser();
  if (!user) return null;
  if (!can(user.roles, permission)) forbidden();
  return user;
}

/** A refusal found inside a transaction, shown to the author as it is. */
class Refusal extends Error {}

function asJson(policy: Policy): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(policy)) as Prisma.InputJsonObject;
}

async function assertUnique(tx: Prisma.TransactionClient, policy: Policy, exceptId?: string): Promise<void> {
  const others = { ...(exceptId ? { NOT: { id: exceptId } } : {}) };
  const sameName = await tx.policy.findFirst({ where: { ...others, name: policy.name }, select: { id: true } });
  if (sameName) throw new Refusal(`Another policy is already called "${policy.name}".`);
  const sameId = await tx.policy.findFirst({ where: { ...others, document: { path: ["id"], equals: policy.id } }, select: { name: true } });
  if (sameId) throw new Refusal(`The policy "${sameId.name}" already has the id "${policy.id}".`);
}

async function createPolicy(tx: Prisma.TransactionClient, user: CurrentUser, policy: Policy, comment: string): Promise<string> {
  await assertUnique(tx, policy);
  const last = await tx.policy.aggregate({ _max: { priority: true } });
  const document = asJson(policy);
  const row = await tx.policy.create({
    data: {
      name: policy.name,
      description: policy.description ?? "",
      priority: (last._max.priority ?? 0) + 10,
      document,
      version: 1,
      revisions: { create: { version: 1, document, authorId: user.id, comment } },
    },
    select: { id: true },
  });
  return row.id;
}

async function revisePolicy(tx: Prisma.TransactionClient, user: CurrentUser, id: string, expectedVersion: number | undefined, policy: Policy, comment: string): Promise<number> {
  const current = await tx.policy.findUnique({ where: { id }, select: { version: true, document: true } });
  if (!current) throw new Refusal("This policy no longer exists.");
  if (expectedVersion !== undefined && current.version !== expectedVersion)
    throw new Refusal(`Someone saved version ${current.version} since you opened version ${expectedVersion}. Reload to edit the latest.`);
  if (diffPolicies(current.document, asJson(policy)).identical) throw new Refusal(`Nothing changed: this is version ${current.version} already.`);
  await assertUnique(tx, policy, id);
  const version = current.version + 1;
  const document = asJson(policy);
  const updated = await tx.policy.updateMany({
    where: { id, version: current.version },
    data: { name: policy.name, description: policy.description ?? "", document, version },
  });
  if (updated.count !== 1) throw new Refusal("Someone saved this policy at the same moment. Reload to edit the latest.");
  await tx.policyRevision.create({ data: { policyId: id, version, document, authorId: user.id, comment } });
  return version;
}

function refusal(error: unknown): SaveState {
  if (error instanceof Refusal) return { status: "error", message: error.message };
  if ((error as { code?: string } | null)?.code === "P2002") return { status: "error", message: "Another policy already has that name." };
  throw error;
}

export async function createPolicyAction(_previous: SaveState, form: FormData): Promise<SaveState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const checked = checkSave(form);
  if (!checked.ok) return checked.state;
  const { policy, fields } = checked;
  let id: string;
  try {
    id = await store().$transaction(async (tx) => {
      const created = await createPolicy(tx, user, policy, fields.comment);
      await recordChange(tx, { actorId: user.id, action: "policy.create", targetType: "policy", targetId: created, details: { name: policy.name, policyId: policy.id, version: 1, rules: policy.rules.length, comment: fields.comment } });
      return created;
    });
  } catch (error) {
    return refusal(error);
  }
  revalidatePath("/policies", "layout");
  redirect(`/policies/${id}?saved=1`);
}

export async function updatePolicyAction(_previous: SaveState, form: FormData): Promise<SaveState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const checked = checkSave(form);
  if (!checked.ok) return checked.state;
  const { policy, fields } = checked;
  const id = fields.policyId;
  if (!id) return { status: "error", message: "Unknown policy" };
  try {
    await store().$transaction(async (tx) => {
      const version = await revisePolicy(tx, user, id, fields.expectedVersion, policy, fields.comment);
      await recordChange(tx, { actorId: user.id, action: "policy.update", targetType: "policy", targetId: id, details: { name: policy.name, policyId: policy.id, version, rules: policy.rules.length, comment: fields.comment } });
    });
  } catch (error) {
    return refusal(error);
  }
  revalidatePath("/policies", "layout");
  redirect(`/policies/${id}?saved=1`);
}

const toggleSchema = z.object({ policyId: z.uuid("Unknown policy"), enabled: z.enum(["true", "false"]) });

export async function setPolicyEnabledAction(_previous: SaveState, form: FormData): Promise<SaveState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = toggleSchema.safeParse({ policyId: form.get("policyId"), enabled: form.get("enabled") });
  if (!parsed.success) return { status: "error", message: Object.values(fieldErrors(parsed.error))[0] };
  const enabled = parsed.data.enabled === "true";
  try {
    await store().$transaction(async (tx) => {
      const row = await tx.policy.findUnique({ where: { id: parsed.data.policyId }, select: { name: true, enabled: true } });
      if (!row) throw new Refusal("This policy no longer exists.");
      if (row.enabled === enabled) return;
      await tx.policy.update({ where: { id: parsed.data.policyId }, data: { enabled } });
      await recordChange(tx, { actorId: user.id, action: enabled ? "policy.enable" : "policy.disable", targetType: "policy", targetId: parsed.data.policyId, details: { name: row.name } });
    });
  } catch (error) {
    return refusal(error);
  }
  revalidatePath("/policies", "layout");
  return { status: "done", message: enabled ? "Enabled." : "Disabled." };
}

const moveSchema = z.object({ policyId: z.uuid("Unknown policy"), direction: z.enum(["up", "down"]) });

export async function movePolicyAction(_previous: SaveState, form: FormData): Promise<SaveState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = moveSchema.safeParse({ policyId: form.get("policyId"), direction: form.get("direction") });
  if (!parsed.success) return { status: "error", message: Object.values(fieldErrors(parsed.error))[0] };
  const { policyId, direction } = parsed.data;
  try {
    await store().$transaction(async (tx) => {
      const rows = await tx.policy.findMany({ orderBy: [{ priority: "asc" }, { name: "asc" }], select: { id: true, name: true, priority: true } });
      const at = rows.findIndex((row) => row.id === policyId);
      if (at < 0) throw new Refusal("This policy no longer exists.");
      const to = direction === "up" ? at - 1 : at + 1;
      if (to < 0 || to >= rows.length) return;
      [rows[at], rows[to]] = [rows[to]!, rows[at]!];
      for (const [i, row] of rows.entries()) {
        const priority = (i + 1) * 10;
        if (row.priority !== priority) await tx.policy.update({ where: { id: row.id }, data: { priority } });
      }
      await recordChange(tx, { actorId: user.id, action: "policy.reorder", targetType: "policy", targetId: policyId, details: { name: rows[to]!.name, direction, order: rows.map((row) => row.name) } });
    });
  } catch (error) {
    return refusal(error);
  }
  revalidatePath("/policies", "layout");
  return { status: "done", message: "Order saved." };
}

export async function importPolicyAction(_previous: SaveState, form: FormData): Promise<SaveState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = importFieldsSchema.safeParse({ text: form.get("text") ?? "", format: form.get("format") ?? undefined, comment: form.get("comment") ?? "" });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    return { status: "error", ...(errors.comment ? { commentError: errors.comment } : {}), ...(errors.text || errors.format ? { errors: [{ path: "", message: errors.text ?? errors.format! }] } : {}) };
  }
  const { text, format, comment } = parsed.data;
  const result = parsePolicyDocument(text, format === "auto" ? undefined : format);
  if (!result.ok) return { status: "error", message: `The document has ${result.errors.length} ${result.errors.length === 1 ? "problem" : "problems"}; nothing was imported.`, errors: result.errors };
  const policy = result.policy;
  let id: string;
  try {
    id = await store().$transaction(async (tx) => {
      const existing = await tx.policy.findFirst({ where: { document: { path: ["id"], equals: policy.id } }, select: { id: true } });
      const note = comment || "Imported";
      const target = existing ? existing.id : await createPolicy(tx, user, policy, note);
      const version = existing ? await revisePolicy(tx, user, existing.id, undefined, policy, note) : 1;
      await recordChange(tx, { actorId: user.id, action: "policy.import", targetType: "policy", targetId: target, details: { name: policy.name, policyId: policy.id, version, created: !existing, rules: policy.rules.length } });
      return target;
    });
  } catch (error) {
    return refusal(error);
  }
  revalidatePath("/policies", "layout");
  redirect(`/policies/${id}?imported=1`);
}
