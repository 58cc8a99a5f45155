"use client";

import { startTransition, useActionState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { ROLE_LABELS, type Role } from "@/lib/auth/permissions";
import type { PersonAction } from "./new-person-form";
import { ROLES, type PersonState } from "./person-schema";

const idle: PersonState = { status: "idle" };

/** One person's roles and access, saved together. */
export function PersonForm({ person, update }: { person: { id: string; email: string; roles: Role[]; disabled: boolean }; update: PersonAction }) {
  const [state, action, pending] = useActionState(update, idle);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => action(form));
  };
  const error = state.message && state.status === "error" ? state.message : (state.fieldErrors?.roles ?? state.fieldErrors?.userId);
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-center gap-x-4 gap-y-2" aria-label={`Roles and access of ${person.email}`}>
      <input type="hidden" name="userId" value={person.id} />
      {ROLES.map((role) => (
        <label key={role} className="flex items-center gap-1.5 text-sm text-slate-700">
          <input type="checkbox" name="roles" value={role} defaultChecked={person.roles.includes(role)} className="size-4 rounded border-slate-300" />
          {ROLE_LABELS[role]}
        </label>
      ))}
      <label className="flex items-center gap-1.5 text-sm text-red-700">
        <input type="checkbox" name="disabled" defaultChecked={person.disabled} className="size-4 rounded border-slate-300" />
        Disabled
      </label>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      {error ? (
        <p role="alert" className="w-full text-sm text-red-600">
          {error}
        </p>
      ) : state.status === "done" ? (
        <p role="status" className="w-full text-sm text-emerald-700">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
