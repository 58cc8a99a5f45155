"use server";

import { revalidatePath } from "next/cache";
import { forbidden, redirect } from "next/navigation";
import { can } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/session";
import { masterKey } from "@/lib/connections/master-key";
import { probeConnection } from "@/lib/connections/probe";
import { addGrant, createConnection, probeSettings, removeGrant, updateConnection } from "@/lib/connections/save";
import { connectionFromForm, connectionSchema, firstFieldErrors, grantFromForm, grantRemovalSchema, grantSchema, type FormState } from "@/lib/connections/schema";
import { store } from "@/lib/store/client";

// Connections and their grants. Every action checks connections.edit itself, first thing (anyone can post to a
// server action, hidden buttons are no protection): signed out → an error to act on, no permission → 403.
// Then the shared schema, then lib/connections, which writes the change and its audit entry in one transaction.
// No answer ever carries the secret.

const SIGNED_OUT: FormState = { status: "error", message: "Your session has ended. Sign in again, then retry." };

async function editor() {
  const user = await currentUser();
  if (!user) return null;
  if (!can(user.roles, "connections.edit")) forbidden();
  return user;
}

function revalidate(id?: string) {
  revalidatePath("/connections");
  if (id) revalidatePath(`/connections/${id}`, "layout");
  revalidatePath("/agents", "layout");
}

export async function createConnectionAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = connectionSchema.safeParse({ ...connectionFromForm(form), id: undefined });
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  const result = await createConnection(store(), masterKey(), user.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
  revalidate(result.id);
  redirect(`/connections/${result.id}?saved=created`);
}

export async function updateConnectionAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = connectionSchema.safeParse(connectionFromForm(form));
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  if (!parsed.data.id) return { status: "error", message: "Choose a connection to change." };
  const result = await updateConnection(store(), masterKey(), user.id, parsed.data.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
  revalidate(result.id);
  redirect(`/connections/${result.id}?saved=updated`);
}

/** Tests the form's values (`saved` absent) or the saved connection (`saved=1` and its `id`). */
export async function testConnectionAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  let settings;
  if (form.get("saved") === "1") {
    const id = grantRemovalSchema.shape.connectionId.safeParse(form.get("id"));
    if (!id.success) return { status: "error", message: "Choose a connection to test." };
    settings = await probeSettings(store(), masterKey(), id.data, null);
  } else {
    const parsed = connectionSchema.safeParse(connectionFromForm(form));
    if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
    settings = await probeSettings(store(), masterKey(), parsed.data.id, parsed.data);
  }
  if (!settings.ok) return { status: "error", message: settings.message, fieldErrors: settings.fieldErrors };
  const result = await probeConnection(settings.target);
  if (!result.ok) return { status: "error", message: `Test failed: ${result.message}` };
  return {
    status: "done",
    message: `Connected to ${result.serverVersion}${result.encrypted ? " over TLS" : " (not encrypted)"}; SELECT 1 answered in ${result.elapsedMs} ms.`,
  };
}

export async function addGrantAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = grantSchema.safeParse(grantFromForm(form));
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  const result = await addGrant(store(), user.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
  revalidate(parsed.data.connectionId);
  return { status: "done", message: parsed.data.agentId ? "Granted to the agent." : `Granted to group ${parsed.data.agentGroup}.` };
}

export async function removeGrantAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = grantRemovalSchema.safeParse({ connectionId: form.get("connectionId"), grantId: form.get("grantId") });
  if (!parsed.success) return { status: "error", message: "Unknown grant." };
  const result = await removeGrant(store(), user.id, parsed.data.connectionId, parsed.data.grantId);
  if (!result.ok) return { status: "error", message: result.message };
  revalidate(parsed.data.connectionId);
  return { status: "done", message: "Grant removed." };
}
