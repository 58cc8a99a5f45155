"use server";

import { revalidatePath } from "next/cache";
import { forbidden, redirect } from "next/navigation";
import { createAgent, issueToken, revokeToken, updateAgent } from "@/lib/agents/save";
import { AGENT_FIELDS, agentSchema, fieldsFrom, revokeSchema, tokenSchema, type IssuedState } from "@/lib/agents/schema";
import { can, type Permission } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/session";
import { firstFieldErrors, type FormState } from "@/lib/connections/schema";
import { store } from "@/lib/store/client";

// Agents and their tokens. Every action checks its permission itself, first thing (agents.edit for the agent,
// tokens.issue for issuing and revoking): signed out → an error to act on, no permission → 403. Then the shared
// schema, then lib/agents, which writes the change and its audit entry in one transaction.

const SIGNED_OUT: FormState = { status: "error", message: "Your session has ended. Sign in again, then retry." };

async function allowed(permission: Permission) {
  const user = await currentUser();
  if (!user) return null;
  if (!can(user.roles, permission)) forbidden();
  return user;
}

function revalidate(id?: string) {
  revalidatePath("/agents");
  if (id) revalidatePath(`/agents/${id}`, "layout");
}

export async function createAgentAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await allowed("agents.edit");
  if (!user) return SIGNED_OUT;
  const parsed = agentSchema.safeParse({ ...fieldsFrom(form, AGENT_FIELDS), id: undefined });
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  const result = await createAgent(store(), user.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
  revalidate(result.id);
  redirect(`/agents/${result.id}?saved=created`);
}

export async function updateAgentAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await allowed("agents.edit");
  if (!user) return SIGNED_OUT;
  const parsed = agentSchema.safeParse(fieldsFrom(form, AGENT_FIELDS));
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  if (!parsed.data.id) return { status: "error", message: "Choose an agent to change." };
  const result = await updateAgent(store(), user.id, parsed.data.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
  revalidate(result.id);
  redirect(`/agents/${result.id}?saved=updated`);
}

export async function issueTokenAction(_previous: IssuedState, form: FormData): Promise<IssuedState> {
  const user = await allowed("tokens.issue");
  if (!user) return SIGNED_OUT;
  const parsed = tokenSchema.safeParse(fieldsFrom(form, ["agentId", "name", "expiresInDays"]));
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  const result = await issueToken(store(), user.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message };
  revalidate(parsed.data.agentId);
  return { status: "done", message: "Token issued. Copy it now: it is not shown again.", token: result.token, prefix: result.prefix };
}

export async function revokeTokenAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await allowed("tokens.issue");
  if (!user) return SIGNED_OUT;
  const parsed = revokeSchema.safeParse(fieldsFrom(form, ["agentId", "tokenId"]));
  if (!parsed.success) return { status: "error", message: "Unknown token." };
  const result = await revokeToken(store(), user.id, parsed.data.agentId, parsed.data.tokenId);
  if (!result.ok) return { status: "error", message: result.message };
  revalidate(parsed.data.agentId);
  return { status: "done", message: "Revoked. The gateway refuses it within a second." };
}
