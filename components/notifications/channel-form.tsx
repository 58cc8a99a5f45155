"use client";

import { useActionState, useState } from "react";
import { submitKeepingValues } from "@/components/connections/keep-values";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Checkbox, describedBy, Field, Select, TextInput } from "@/components/ui/field";
import { firstFieldErrors, type FormState } from "@/lib/connections/schema";
import { CHANNEL_KIND_LABELS, CHANNEL_KINDS, CHANNEL_SECRET_MAX, channelFromForm, channelInputSchema, WEBHOOK_SECRET_MIN, type ChannelKind } from "@/lib/notifications/channel-schema";

// Create or edit a notification channel. The same schema is checked here, before anything is sent, and again by
// the server action (passed in by the page). The secret fields always start empty: stored secrets never reach the
// browser, and leaving them empty on an existing channel keeps them.

export type FormAction = (previous: FormState, form: FormData) => Promise<FormState>;

export interface ChannelValues {
  readonly id?: string;
  readonly name: string;
  readonly kind: ChannelKind;
  readonly target: string;
  readonly connectionId: string | null;
  readonly ruleId: string | null;
  readonly escalation: boolean;
  readonly enabled: boolean;
}

export const NEW_CHANNEL: ChannelValues = { name: "", kind: "slack", target: "", connectionId: null, ruleId: null, escalation: false, enabled: true };

const idle: FormState = { status: "idle" };

const TEXT: Record<ChannelKind, { target: string; targetHelp: string; placeholder: string; secret: string; secretHelp: string }> = {
  slack: {
    target: "Slack channel id",
    targetHelp: "The channel's id (C…), at the bottom of its details in Slack; invite the app to the channel",
    placeholder: "C0123456789",
    secret: "Bot token",
    secretHelp: "The Slack app's bot token (xoxb-…), which posts and updates the messages",
  },
  webhook: {
    target: "Webhook URL",
    targetHelp: "Where each notice is POSTed as signed JSON (https://, or http:// to localhost)",
    placeholder: "https://hooks.example.com/airlock",
    secret: "Signing secret",
    secretHelp: `The receiver verifies each delivery's HMAC with it (at least ${WEBHOOK_SECRET_MIN} characters)`,
  },
};

function checked(action: FormAction): FormAction {
  return async (previous, form) => {
    const parsed = channelInputSchema.safeParse(channelFromForm(form));
    if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
    return action(previous, form);
  };
}

/** What the help under a secret field says: write-only, and whether leaving it empty keeps the stored one. */
function secretNote(editing: boolean, kindChanged: boolean): string {
  if (!editing) return "Write-only: stored encrypted, never shown again.";
  if (kindChanged) return "The kind changed: enter it again.";
  return "Write-only. Leave empty to keep the stored one.";
}

export function ChannelForm({ values, connections, save }: { values: ChannelValues; connections: readonly { id: string; name: string }[]; save: FormAction }) {
  const editing = Boolean(values.id);
  const [state, action, saving] = useActionState(checked(save), idle);
  const [kind, setKind] = useState<ChannelKind>(values.kind);
  const text = TEXT[kind];
  const note = secretNote(editing, editing && kind !== values.kind);
  const errors = state.fieldErrors ?? {};
  const err = (name: string) => errors[name];
  const placeholder = editing && kind === values.kind ? "•••••••• (unchanged)" : "";

  return (
    <form onSubmit={submitKeepingValues(() => action)} className="space-y-6" noValidate aria-label={editing ? "Edit channel" : "Add channel"}>
      {values.id ? <input type="hidden" name="id" value={values.id} /> : null}

      <fieldset className="grid gap-5 sm:grid-cols-2">
        <legend className="mb-3 text-sm font-semibold text-slate-900">Channel</legend>
        <Field id="kind" label="Kind" help="Slack posts messages with Approve / Reject buttons; a webhook receives signed JSON" error={err("kind")}>
          <Select id="kind" name="kind" value={kind} onChange={(event) => setKind(event.target.value as ChannelKind)} {...describedBy("kind", err("kind"))}>
            {CHANNEL_KINDS.map((name) => (
              <option key={name} value={name}>
                {CHANNEL_KIND_LABELS[name]}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="name" label="Name" help="How the dashboards and the audit log name it" error={err("name")}>
          <TextInput id="name" name="name" defaultValue={values.name} autoComplete="off" maxLength={80} required {...describedBy("name", err("name"))} />
        </Field>
        <div className="sm:col-span-2">
          <Field id="target" label={text.target} help={text.targetHelp} error={err("target")}>
            <TextInput
              id="target"
              name="target"
              defaultValue={values.target}
              placeholder={text.placeholder}
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              required
              {...describedBy("target", err("target"))}
            />
          </Field>
        </div>
      </fieldset>

      <fieldset className="grid gap-5 sm:grid-cols-2">
        <legend className="mb-3 text-sm font-semibold text-slate-900">Secrets</legend>
        <Field id="secret" label={text.secret} help={`${text.secretHelp}. ${note}`} error={err("secret")}>
          <TextInput
            id="secret"
            name="secret"
            type="password"
            autoComplete="new-password"
            maxLength={CHANNEL_SECRET_MAX}
            placeholder={placeholder}
            {...describedBy("secret", err("secret"))}
          />
        </Field>
        {kind === "slack" ? (
          <Field id="signingSecret" label="Slack signing secret" help={`Basic Information → App Credentials; verifies button clicks. ${note}`} error={err("signingSecret")}>
            <TextInput
              id="signingSecret"
              name="signingSecret"
              type="password"
              autoComplete="new-password"
              maxLength={CHANNEL_SECRET_MAX}
              placeholder={placeholder}
              {...describedBy("signingSecret", err("signingSecret"))}
            />
          </Field>
        ) : null}
      </fieldset>

      <fieldset className="grid gap-5 sm:grid-cols-2">
        <legend className="mb-3 text-sm font-semibold text-slate-900">Which requests</legend>
        <Field id="connectionId" label="Connection" help="Only this connection's approval requests, or every connection's" error={err("connectionId")}>
          <Select id="connectionId" name="connectionId" defaultValue={values.connectionId ?? ""} {...describedBy("connectionId", err("connectionId"))}>
            <option value="">Every connection</option>
            {connections.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="ruleId" label="Rule id" help="Optional: only requests this policy rule asked approval for (empty: every rule)" error={err("ruleId")}>
          <TextInput id="ruleId" name="ruleId" defaultValue={values.ruleId ?? ""} autoComplete="off" spellCheck={false} className="font-mono" {...describedBy("ruleId", err("ruleId"))} />
        </Field>
        <div className="space-y-3 sm:col-span-2">
          <Checkbox
            id="escalation"
            name="escalation"
            label="Escalation channel"
            help="Gets only reminders: requests still pending after their rule's reminder time"
            defaultChecked={values.escalation}
          />
          <Checkbox id="enabled" name="enabled" label="Enabled" help="Untick to stop sending to this channel without deleting it" defaultChecked={values.enabled} />
        </div>
      </fieldset>

      <div aria-live="polite" className="space-y-2">
        {state.message ? <Alert tone={state.status === "error" ? "error" : "success"}>{state.message}</Alert> : null}
        {state.status === "error" && !state.message && Object.keys(errors).length > 0 ? <Alert tone="error">Check the fields marked above.</Alert> : null}
      </div>

      <Button type="submit" variant="primary" disabled={saving}>
        {saving ? "Saving…" : editing ? "Save changes" : "Create channel"}
      </Button>
    </form>
  );
}
