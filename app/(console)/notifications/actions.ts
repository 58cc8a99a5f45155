"use server";

import { revalidatePath } from "next/cache";
import { forbidden, redirect } from "next/navigation";
import { z } from "zod";
import { can } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/session";
import { masterKey } from "@/lib/connections/master-key";
import { firstFieldErrors, type FormState } from "@/lib/connections/schema";
import { channelFromForm, channelInputSchema, createChannel, deleteChannel, updateChannel } from "@/lib/notifications/channels";
import { store } from "@/lib/store/client";

// Notification channels. Every action checks notifications.edit itself, first thing (anyone can post to a server
// action): signed out → an error to act on, no permission → 403. Then the shared schema, then lib/notifications,
// which seals the secrets and writes the change with its audit entry in one transaction. No answer ever carries a
// secret.

const SIGNED_OUT: FormState = { status: "error", message: "Your session has ended. Sign in again, then retry." };
const channelId = z.guid();

async function editor() {
  const user = await currentUser();
  if (!user) return null;
  if (!can(user.roles, "notifications.edit")) forbidden();
  return user;
}

function revalidate(id?: string) {
  revalidatePath("/notifications");
  if (id) revalidatePath(`/notifications/${id}`);
}

export async function createChannelAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = channelInputSchema.safeParse({ ...channelFromForm(form), id: undefined });
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  const result = await createChannel(store(), masterKey(), user.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
  revalidate(result.id);
  redirect(`/notifications/${result.id}?saved=created`);
}

export async function updateChannelAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const parsed = channelInputSchema.safeParse(channelFromForm(form));
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  if (!parsed.data.id) return { status: "error", message: "Choose a channel to change." };
  const result = await updateChannel(store(), masterKey(), user.id, parsed.data.id, parsed.data);
  if (!result.ok) return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
  revalidate(result.id);
  redirect(`/notifications/${result.id}?saved=updated`);
}

/** Deletes the channel named by the form's `id`, with its delivery log. */
export async function deleteChannelAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await editor();
  if (!user) return SIGNED_OUT;
  const id = channelId.safeParse(form.get("id"));
  if (!id.success) return { status: "error", message: "Choose a channel to delete." };
  const result = await deleteChannel(store(), user.id, id.data);
  if (!result.ok) return { status: "error", message: result.message ?? "The channel could not be deleted." };
  revalidate(id.data);
  redirect("/notifications?saved=deleted");
}
