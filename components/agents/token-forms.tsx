"use client";

import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Select, TextInput } from "@/components/ui/field";
import { fieldsFrom, tokenSchema, type IssuedState } from "@/lib/agents/schema";
import { firstFieldErrors, type FormState } from "@/lib/connections/schema";

// Issuing a token (shown once, in this form's state only: a reload shows just its prefix) and revoking one.

export type IssueAction = (previous: IssuedState, form: FormData) => Promise<IssuedState>;
export type RevokeAction = (previous: FormState, form: FormData) => Promise<FormState>;

const idle: IssuedState = { status: "idle" };

export function IssueTokenForm({ agentId, issue }: { agentId: string; issue: IssueAction }) {
  const [state, action, pending] = useActionState(async (previous: IssuedState, form: FormData): Promise<IssuedState> => {
    const parsed = tokenSchema.safeParse(fieldsFrom(form, ["agentId", "name", "expiresInDays"]));
    if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
    return issue(previous, form);
  }, idle);
  const errors = state.fieldErrors ?? {};

  return (
    <div className="space-y-4">
      {state.token ? <OnceShownToken token={state.token} /> : null}
      <form action={action} className="space-y-4" noValidate>
        <input type="hidden" name="agentId" value={agentId} />
        <Field id="token-name" label="Token name" help="What it is for, e.g. “laptop” or “CI”" error={errors.name}>
          <TextInput id="token-name" name="name" autoComplete="off" maxLength={100} {...describedBy("token-name", errors.name)} />
        </Field>
        <Field id="token-expiry" label="Expires" help="After this the gateway refuses the token" error={errors.expiresInDays}>
          <Select id="token-expiry" name="expiresInDays" defaultValue="90" {...describedBy("token-expiry", errors.expiresInDays)}>
            <option value="7">In 7 days</option>
            <option value="30">In 30 days</option>
            <option value="90">In 90 days</option>
            <option value="365">In a year</option>
            <option value="">Never</option>
          </Select>
        </Field>
        {state.status === "error" && (state.message ?? errors.agentId) ? <Alert tone="error">{state.message ?? errors.agentId}</Alert> : null}
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Issuing…" : "Issue token"}
        </Button>
      </form>
    </div>
  );
}

function OnceShownToken({ token }: { token: string }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <div className="rounded-lg bg-emerald-50 p-4 ring-1 ring-emerald-200 ring-inset" role="status">
      <p className="text-sm font-semibold text-emerald-900">Token issued. Copy it now: it is not shown again.</p>
      <label htmlFor="issued-token" className="mt-3 block text-xs font-medium text-emerald-900">
        New token
      </label>
      <div className="mt-1 flex gap-2">
        <input
          id="issued-token"
          readOnly
          value={token}
          onFocus={(event) => event.currentTarget.select()}
          className="block w-full rounded-lg border border-emerald-300 bg-white px-3 py-2 font-mono text-xs text-slate-900"
        />
        <Button
          onClick={() =>
            navigator.clipboard.writeText(token).then(
              () => setCopied("copied"),
              () => setCopied("failed"),
            )
          }
        >
          {copied === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      {copied === "failed" ? <p className="mt-1 text-xs text-emerald-900">The browser did not allow copying; select the text and copy it.</p> : null}
      <p className="mt-2 text-xs text-emerald-800">Give it to the agent as <code>Authorization: Bearer …</code>. Airlock keeps only its hash.</p>
    </div>
  );
}

export function RevokeTokenButton({ agentId, tokenId, label, revoke }: { agentId: string; tokenId: string; label: string; revoke: RevokeAction }) {
  const [state, action, pending] = useActionState(revoke, { status: "idle" } as FormState);
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Revoke ${label}? The agent loses access with it at once.`)) event.preventDefault();
      }}
      className="flex items-center justify-end gap-2"
    >
      <input type="hidden" name="agentId" value={agentId} />
      <input type="hidden" name="tokenId" value={tokenId} />
      {state.status === "error" ? <span role="alert" className="text-xs text-red-600">{state.message}</span> : null}
      <Button type="submit" variant="danger" disabled={pending} aria-label={`Revoke ${label}`} className="px-2.5 py-1 text-xs">
        {pending ? "Revoking…" : "Revoke"}
      </Button>
    </form>
  );
}
