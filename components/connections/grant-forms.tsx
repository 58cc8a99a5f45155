"use client";

import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Select, TextInput } from "@/components/ui/field";
import { firstFieldErrors, grantFromForm, grantSchema, type FormState } from "@/lib/connections/schema";
import type { FormAction } from "./connection-form";
import { submitKeepingValues } from "./keep-values";

// Granting a connection to one agent or to a group of agents, and taking a grant back. The grant schema (exactly
// one of agent / group) is checked here and again by the server action.

const idle: FormState = { status: "idle" };

export function AddGrantForm({ connectionId, agents, add }: { connectionId: string; agents: readonly { id: string; name: string }[]; add: FormAction }) {
  const [kind, setKind] = useState<"agent" | "group">(agents.length > 0 ? "agent" : "group");
  const [state, action, pending] = useActionState(async (previous: FormState, form: FormData) => {
    const parsed = grantSchema.safeParse(grantFromForm(form));
    if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) } satisfies FormState;
    return add(previous, form);
  }, idle);
  const errors = state.fieldErrors ?? {};

  return (
    <form onSubmit={submitKeepingValues(() => action)} className="space-y-4" noValidate>
      <input type="hidden" name="connectionId" value={connectionId} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Grant to</legend>
        <div className="mt-1.5 flex gap-4 text-sm">
          {(["agent", "group"] as const).map((value) => (
            <label key={value} className="flex items-center gap-1.5">
              <input type="radio" name="kind" value={value} checked={kind === value} onChange={() => setKind(value)} className="size-4 text-brand-600" />
              {value === "agent" ? "One agent" : "A group of agents"}
            </label>
          ))}
        </div>
      </fieldset>
      {kind === "agent" ? (
        <Field id="grant-agent" label="Agent" help="This agent may reach the connection" error={errors.agentId}>
          <Select id="grant-agent" name="agentId" defaultValue="" {...describedBy("grant-agent", errors.agentId)}>
            <option value="">Choose an agent…</option>
            {agents.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : (
        <Field id="grant-group" label="Group" help="Every agent in this group may reach the connection" error={errors.agentGroup}>
          <TextInput id="grant-group" name="agentGroup" autoComplete="off" {...describedBy("grant-group", errors.agentGroup)} />
        </Field>
      )}
      {state.message || errors.connectionId || errors.kind ? (
        <Alert tone={state.status === "error" ? "error" : "success"}>{state.message ?? errors.connectionId ?? errors.kind}</Alert>
      ) : null}
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? "Granting…" : "Grant access"}
      </Button>
    </form>
  );
}

export function RemoveGrantButton({ connectionId, grantId, label, remove }: { connectionId: string; grantId: string; label: string; remove: FormAction }) {
  const [state, action, pending] = useActionState(remove, idle);
  return (
    <form action={action} className="flex items-center justify-end gap-2">
      <input type="hidden" name="connectionId" value={connectionId} />
      <input type="hidden" name="grantId" value={grantId} />
      {state.status === "error" ? <span role="alert" className="text-xs text-red-600">{state.message}</span> : null}
      <Button type="submit" variant="danger" disabled={pending} aria-label={`Remove the grant to ${label}`} className="px-2.5 py-1 text-xs">
        {pending ? "Removing…" : "Remove"}
      </Button>
    </form>
  );
}

export function TestSavedButton({ connectionId, test }: { connectionId: string; test: FormAction }) {
  const [state, action, pending] = useActionState(test, idle);
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="id" value={connectionId} />
      <input type="hidden" name="saved" value="1" />
      <Button type="submit" disabled={pending}>
        {pending ? "Testing…" : "Test connection"}
      </Button>
      <div aria-live="polite">{state.message ? <Alert tone={state.status === "error" ? "error" : "success"}>{state.message}</Alert> : null}</div>
    </form>
  );
}
