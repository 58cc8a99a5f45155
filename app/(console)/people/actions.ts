"use server";

import { hash } from "@node-rs/argon2";
import { revalidatePath } from "next/cache";
import { forbidden } from "next/navigation";
import { newPersonFromForm, newPersonSchema, personFieldErrors, personUpdateFromForm, personUpdateSchema, type PersonState } from "@/components/people/person-schema";
import { recordChange } from "@/lib/audit/changes";
import { can } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { saveSlackUserId } from "./slack-id";
import { slackIdFieldErrors, slackIdFromForm, slackIdSchema, type SlackIdState } from "./slack-id-schema";

// Adding people and changing their roles, access or Slack member id: users.manage, checked here first (anyone can post to a server
// action). An admin cannot take their own admin role or access away, so there is always someone left to fix things.

const signedOut: PersonState = { status: "error", message: "Your session has ended. Sign in again." };

export async function createPersonAction(_previous: PersonState, form: FormData): Promise<PersonState> {
  const user = await currentUser();
  if (!user) return signedOut;
  if (!can(user.roles, "users.manage")) forbidden();

  const parsed = newPersonSchema.safeParse(newPersonFromForm(form));
  if (!parsed.success) return { status: "error", fieldErrors: personFieldErrors(parsed.error) };
  const { email, name, roles, password } = parsed.data;
  const passwordHash = await hash(password);

  const created = await store().$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) return null;
    const person = await tx.user.create({ data: { email, name, roles, passwordHash }, select: { id: true } });
    await recordChange(tx, { actorId: user.id, action: "user.create", targetType: "user", targetId: person.id, details: { email, name, roles } });
    return person;
  });
  if (!created) return { status: "error", fieldErrors: { email: "Someone already has this e-mail address" } };
  revalidatePath("/people");
  return { status: "done", message: `Added ${email}. Give them their password in person or over a channel you trust.` };
}

export async function updatePersonAction(_previous: PersonState, form: FormData): Promise<PersonState> {
  const user = await currentUser();
  if (!user) return signedOut;
  if (!can(user.roles, "users.manage")) forbidden();

  const parsed = personUpdateSchema.safeParse(personUpdateFromForm(form));
  if (!parsed.success) return { status: "error", fieldErrors: personFieldErrors(parsed.error) };
  const { userId, roles, disabled } = parsed.data;
  if (userId === user.id && (disabled || !roles.includes("admin"))) {
    return { status: "error", message: "You cannot take away your own admin role or access: ask another admin." };
  }

  const outcome = await store().$transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { id: userId }, select: { roles: true, disabled: true, email: true } });
    if (!before) return "missing" as const;
    await tx.user.update({ where: { id: userId }, data: { roles, disabled }, select: { id: true } });
    await recordChange(tx, {
      actorId: user.id,
      action: "user.update",
      targetType: "user",
      targetId: userId,
      details: { email: before.email, roles: { from: before.roles, to: roles }, disabled: { from: before.disabled, to: disabled } },
    });
    return "saved" as const;
  });
  if (outcome === "missing") return { status: "error", message: "This person does not exist (any more)." };
  revalidatePath("/people");
  return { status: "done", message: "Saved. It takes effect on their next request." };
}

/** Sets or clears the Slack member id whose clicks on approval messages act as this person. */
export async function setSlackIdAction(_previous: SlackIdState, form: FormData): Promise<SlackIdState> {
  const user = await currentUser();
  if (!user) return signedOut;
  if (!can(user.roles, "users.manage")) forbidden();

  const parsed = slackIdSchema.safeParse(slackIdFromForm(form));
  if (!parsed.success) return { status: "error", fieldErrors: slackIdFieldErrors(parsed.error) };
  const result = await saveSlackUserId(store(), user.id, parsed.data);
  if (result.status === "done") revalidatePath("/people");
  return result;
}
