"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { submitKeepingValues } from "@/components/connections/keep-values";
import { Checkbox, describedBy, Field, Select, TextArea, TextInput } from "@/components/ui/field";
import { AGENT_FIELDS, agentSchema, fieldsFrom } from "@/lib/agents/schema";
import { firstFieldErrors, type FormState } from "@/lib/connections/schema";

// Create or edit an agent: name, description, groups (grants and policy scopes), owner, and (editing) disabled.
// The same schema is checked here before sending and again by the server action passed in by the page.

export type FormAction = (previous: FormState, form: FormData) => Promise<FormState>;

export interface AgentValues {
  readonly id?: string;
  readonly name: string;
  readonly description: string;
  readonly groups: readonly string[];
  readonly ownerId: string | null;
  readonly disabled: boolean;
}

const idle: FormState = { status: "idle" };

export function AgentForm({ values, owners, save }: { values: AgentValues; owners: readonly { id: string; label: string }[]; save: FormAction }) {
  const editing = Boolean(values.id);
  const [state, action, pending] = useActionState(async (previous: FormState, form: FormData): Promise<FormState> => {
    const parsed = agentSchema.safeParse(fieldsFrom(form, AGENT_FIELDS));
    if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
    return save(previous, form);
  }, idle);
  const errors = state.fieldErrors ?? {};

  return (
    <form onSubmit={submitKeepingValues(() => action)} className="space-y-5" noValidate>
      {values.id ? <input type="hidden" name="id" value={values.id} /> : null}
      <Field id="name" label="Name" help="How the agent shows up in approvals, recordings and logs" error={errors.name}>
        <TextInput id="name" name="name" defaultValue={values.name} autoComplete="off" required {...describedBy("name", errors.name)} />
      </Field>
      <Field id="description" label="Description" help="Optional: what it is and who runs it" error={errors.description}>
        <TextArea id="description" name="description" rows={2} defaultValue={values.description} {...describedBy("description", errors.description)} />
      </Field>
      <Field id="groups" label="Groups" help="Separated by commas. Connections granted to a group reach every agent in it; policies can target groups." error={errors.groups}>
        <TextInput id="groups" name="groups" defaultValue={values.groups.join(", ")} autoComplete="off" {...describedBy("groups", errors.groups)} />
      </Field>
      <Field id="ownerId" label="Owner" help="The person answerable for this agent; they cannot approve its own statements" error={errors.ownerId}>
        <Select id="ownerId" name="ownerId" defaultValue={values.ownerId ?? ""} {...describedBy("ownerId", errors.ownerId)}>
          <option value="">No owner</option>
          {owners.map((owner) => (
            <option key={owner.id} value={owner.id}>
              {owner.label}
            </option>
          ))}
        </Select>
      </Field>
      {editing ? <Checkbox id="disabled" name="disabled" label="Disabled" help="The gateway refuses every token of a disabled agent" defaultChecked={values.disabled} /> : null}
      <div aria-live="polite">
        {state.message ? <Alert tone={state.status === "error" ? "error" : "success"}>{state.message}</Alert> : null}
        {state.status === "error" && !state.message && Object.keys(errors).length > 0 ? <Alert tone="error">Check the fields marked above.</Alert> : null}
      </div>
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? "Saving…" : editing ? "Save changes" : "Create agent"}
      </Button>
    </form>
  );
}
