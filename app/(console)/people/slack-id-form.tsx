"use client";

import { startTransition, useActionState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { TextInput } from "@/components/ui/field";
import { SLACK_ID_MAX, slackIdFieldErrors, slackIdFromForm, slackIdSchema, type SlackIdState } from "./slack-id-schema";

// One person's Slack member id: typed, saved on its own, emptied to clear. Checked here with the shared schema
// before it is sent, and again by the server action.

export type SlackIdAction = (previous: SlackIdState, form: FormData) => Promise<SlackIdState>;

const idle: SlackIdState = { status: "idle" };

export function SlackIdForm({ person, save }: { person: { id: string; email: string; slackUserId: string | null }; save: SlackIdAction }) {
  const [state, action, pending] = useActionState(async (previous: SlackIdState, form: FormData): Promise<SlackIdState> => {
    const parsed = slackIdSchema.safeParse(slackIdFromForm(form));
    if (!parsed.success) return { status: "error", fieldErrors: slackIdFieldErrors(parsed.error) };
    return save(previous, form);
  }, idle);
  // Submitted by hand so that React does not clear what was typed when the server refuses it.
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    startTransition(() => action(form));
  };
  const inputId = `slack-${person.id}`;
  const error = state.fieldErrors?.slackUserId ?? state.fieldErrors?.userId ?? (state.status === "error" ? state.message : undefined);

  return (
    <form onSubmit={onSubmit} noValidate className="w-48" aria-label={`Slack member id of ${person.email}`}>
      <input type="hidden" name="userId" value={person.id} />
      <div className="flex gap-2">
        <TextInput
          id={inputId}
          name="slackUserId"
          defaultValue={person.slackUserId ?? ""}
          placeholder="U012AB3CD"
          maxLength={SLACK_ID_MAX}
          autoComplete="off"
          spellCheck={false}
          aria-label={`Slack member id of ${person.email}`}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${inputId}-error` : undefined}
          className="font-mono text-xs"
        />
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
      </div>
      {error ? (
        <p id={`${inputId}-error`} role="alert" className="mt-1 text-xs text-red-600">
          {error}
        </p>
      ) : state.status === "done" ? (
        <p role="status" className="mt-1 text-xs text-emerald-700">
          {state.message}
        </p>
      ) : null}
    </form>
  );
}
