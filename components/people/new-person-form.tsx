"use client";

import { startTransition, useActionState, useEffect, useRef, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, TextInput, describedBy } from "@/components/ui/field";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { newPersonFromForm, newPersonSchema, personFieldErrors, PASSWORD_MIN, ROLES, type PersonState } from "./person-schema";

export type PersonAction = (previous: PersonState, form: FormData) => Promise<PersonState>;

const idle: PersonState = { status: "idle" };

/** Add a local account: e-mail, name, roles and a first password (checked here and again on the server). */
export function NewPersonForm({ create }: { create: PersonAction }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [state, action, pending] = useActionState(async (previous: PersonState, form: FormData): Promise<PersonState> => {
    const parsed = newPersonSchema.safeParse(newPersonFromForm(form));
    if (!parsed.success) return { status: "error", fieldErrors: personFieldErrors(parsed.error) };
    return create(previous, form);
  }, idle);
  useEffect(() => {
    if (state.status === "done") formRef.current?.reset();
  }, [state]);
  const errors = state.fieldErrors ?? {};
  // Submitted by hand so that React does not clear what was typed when the server refuses it.
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => action(form));
  };

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4" aria-label="Add a person">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="person-email" label="E-mail" error={errors.email}>
          <TextInput id="person-email" name="email" type="email" autoComplete="off" {...describedBy("person-email", errors.email, false)} />
        </Field>
        <Field id="person-name" label="Name" error={errors.name}>
          <TextInput id="person-name" name="name" autoComplete="off" {...describedBy("person-name", errors.name, false)} />
        </Field>
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Roles</legend>
        <div className="mt-1.5 flex flex-wrap gap-4">
          {ROLES.map((role) => (
            <label key={role} className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" name="roles" value={role} className="size-4 rounded border-slate-300" />
              {ROLE_LABELS[role]}
            </label>
          ))}
        </div>
        {errors.roles ? <p className="mt-1.5 text-sm text-red-600">{errors.roles}</p> : null}
      </fieldset>
      <Field id="person-password" label="First password" help={`At least ${PASSWORD_MIN} characters. They should change it after signing in.`} error={errors.password}>
        <TextInput id="person-password" name="password" type="password" autoComplete="new-password" {...describedBy("person-password", errors.password)} />
      </Field>
      {state.message ? <Alert tone={state.status === "error" ? "error" : "success"}>{state.message}</Alert> : null}
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? "Adding…" : "Add person"}
      </Button>
    </form>
  );
}
