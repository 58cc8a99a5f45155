"use client";

import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ApprovalFields, type ApproverChoice } from "./approval-fields";
import { submitKeepingValues } from "./keep-values";
import { Checkbox, describedBy, Field, Select, TextArea, TextInput } from "@/components/ui/field";
import {
  connectionFromForm,
  connectionSchema,
  DEFAULT_PORTS,
  ENGINE_LABELS,
  ENGINES,
  firstFieldErrors,
  ROW_LIMIT_MAX,
  SECRET_MAX,
  TIMEOUT_MAX_SECONDS,
  TLS_LABELS,
  TLS_MODES,
  type EngineName,
  type FormState,
  type TlsModeName,
} from "@/lib/connections/schema";

// Create or edit a connection. The same schema is checked here, before anything is sent, and again by the server
// actions (passed in by the page). The password field is always empty: the stored secret is never sent to the
// browser; leaving it empty keeps it. "Test connection" tries the values in the form without saving them.

export type FormAction = (previous: FormState, form: FormData) => Promise<FormState>;
export type { ApproverChoice };

export interface ConnectionValues {
  readonly id?: string;
  readonly name: string;
  readonly description: string;
  readonly engine: EngineName;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly tls: TlsModeName;
  readonly rowLimit: number;
  readonly timeoutSeconds: number;
  readonly readOnly: boolean;
  readonly previewWrites: boolean;
  readonly approverIds: readonly string[];
}

export const NEW_CONNECTION: ConnectionValues = {
  name: "",
  description: "",
  engine: "postgres",
  host: "",
  port: DEFAULT_PORTS.postgres,
  database: "",
  username: "",
  tls: "prefer",
  rowLimit: 1000,
  timeoutSeconds: 30,
  readOnly: false,
  previewWrites: true,
  approverIds: [],
};

const idle: FormState = { status: "idle" };

function checked(action: FormAction): FormAction {
  return async (previous, form) => {
    const parsed = connectionSchema.safeParse(connectionFromForm(form));
    if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
    return action(previous, form);
  };
}

export function ConnectionForm({ values, approvers, save, test }: { values: ConnectionValues; approvers: readonly ApproverChoice[]; save: FormAction; test: FormAction }) {
  const editing = Boolean(values.id);
  const [saved, saveAction, saving] = useActionState(checked(save), idle);
  const [tested, testAction, testing] = useActionState(checked(test), idle);
  const [last, setLast] = useState<"save" | "test" | null>(null);
  const [engine, setEngine] = useState<EngineName>(values.engine);
  const [port, setPort] = useState(String(values.port));
  const [noSecret, setNoSecret] = useState(false);

  const shown = last === "test" ? tested : saved;
  const errors = shown.fieldErrors ?? {};
  const err = (name: string) => errors[name];

  return (
    <form
      onSubmit={submitKeepingValues((submitter) => (submitter?.getAttribute("value") === "test" ? testAction : saveAction))}
      className="space-y-6"
      noValidate
    >
      {values.id ? <input type="hidden" name="id" value={values.id} /> : null}

      <fieldset className="grid gap-5 sm:grid-cols-2">
        <legend className="mb-3 text-sm font-semibold text-slate-900">Connection</legend>
        <Field id="name" label="Name" help="What agents type to reach it (letters, digits, - and _)" error={err("name")}>
          <TextInput id="name" name="name" defaultValue={values.name} autoComplete="off" required {...describedBy("name", err("name"))} />
        </Field>
        <Field id="engine" label="Engine" help="The kind of database server" error={err("engine")}>
          <Select
            id="engine"
            name="engine"
            value={engine}
            onChange={(event) => {
              const next = event.target.value as EngineName;
              if (port === String(DEFAULT_PORTS[engine])) setPort(String(DEFAULT_PORTS[next]));
              setEngine(next);
            }}
            {...describedBy("engine", err("engine"))}
          >
            {ENGINES.map((name) => (
              <option key={name} value={name}>
                {ENGINE_LABELS[name]}
              </option>
            ))}
          </Select>
        </Field>
        <div className="sm:col-span-2">
          <Field id="description" label="Description" help="Optional: what this database is, for the people who grant it" error={err("description")}>
            <TextArea id="description" name="description" rows={2} defaultValue={values.description} {...describedBy("description", err("description"))} />
          </Field>
        </div>
      </fieldset>

      <fieldset className="grid gap-5 sm:grid-cols-2">
        <legend className="mb-3 text-sm font-semibold text-slate-900">Server</legend>
        <Field id="host" label="Host" help="Host name or IP address of the database server" error={err("host")}>
          <TextInput id="host" name="host" defaultValue={values.host} autoComplete="off" required {...describedBy("host", err("host"))} />
        </Field>
        <Field id="port" label="Port" help={`Usually ${DEFAULT_PORTS[engine]} for ${ENGINE_LABELS[engine]}`} error={err("port")}>
          <TextInput id="port" name="port" inputMode="numeric" value={port} onChange={(event) => setPort(event.target.value)} required {...describedBy("port", err("port"))} />
        </Field>
        <Field id="database" label="Database" help="The database (schema, on MySQL) to open" error={err("database")}>
          <TextInput id="database" name="database" defaultValue={values.database} autoComplete="off" required {...describedBy("database", err("database"))} />
        </Field>
        <Field id="tls" label="TLS" help="How the gateway encrypts its link to the server" error={err("tls")}>
          <Select id="tls" name="tls" defaultValue={values.tls} {...describedBy("tls", err("tls"))}>
            {TLS_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {TLS_LABELS[mode]}
              </option>
            ))}
          </Select>
        </Field>
      </fieldset>

      <fieldset className="grid gap-5 sm:grid-cols-2">
        <legend className="mb-3 text-sm font-semibold text-slate-900">Credentials</legend>
        <Field id="username" label="User" help="The database user the gateway signs in as" error={err("username")}>
          <TextInput id="username" name="username" defaultValue={values.username} autoComplete="off" required {...describedBy("username", err("username"))} />
        </Field>
        <div className="space-y-2">
          <Field
            id="secret"
            label="Password"
            help={editing ? "Write-only. Leave empty to keep the stored password." : "Write-only: stored encrypted, never shown again."}
            error={err("secret")}
          >
            <TextInput
              id="secret"
              name="secret"
              type="password"
              autoComplete="new-password"
              maxLength={SECRET_MAX}
              disabled={noSecret}
              placeholder={editing ? "•••••••• (unchanged)" : ""}
              {...describedBy("secret", err("secret"))}
            />
          </Field>
          <Checkbox id="noSecret" name="noSecret" label="This user has no password" checked={noSecret} onChange={(event) => setNoSecret(event.target.checked)} />
        </div>
      </fieldset>

      <fieldset className="grid gap-5 sm:grid-cols-2">
        <legend className="mb-3 text-sm font-semibold text-slate-900">Limits</legend>
        <Field id="rowLimit" label="Row limit" help={`Most rows an agent gets back from one statement (1–${ROW_LIMIT_MAX})`} error={err("rowLimit")}>
          <TextInput id="rowLimit" name="rowLimit" inputMode="numeric" defaultValue={values.rowLimit} {...describedBy("rowLimit", err("rowLimit"))} />
        </Field>
        <Field id="timeoutSeconds" label="Statement timeout (seconds)" help={`The database cancels a statement after this long (1–${TIMEOUT_MAX_SECONDS})`} error={err("timeoutSeconds")}>
          <TextInput id="timeoutSeconds" name="timeoutSeconds" inputMode="numeric" defaultValue={values.timeoutSeconds} {...describedBy("timeoutSeconds", err("timeoutSeconds"))} />
        </Field>
        <div className="sm:col-span-2">
          <Checkbox id="readOnly" name="readOnly" label="Read-only" help="Every statement runs in a read-only transaction, whatever the policies allow" defaultChecked={values.readOnly} />
        </div>
      </fieldset>

      <ApprovalFields previewWrites={values.previewWrites} approverIds={values.approverIds} choices={approvers} error={err("approverIds")} />

      <div aria-live="polite" className="space-y-2">
        {shown.message ? <Alert tone={shown.status === "error" ? "error" : "success"}>{shown.message}</Alert> : null}
        {shown.status === "error" && !shown.message && Object.keys(errors).length > 0 ? <Alert tone="error">Check the fields marked above.</Alert> : null}
      </div>

      <div className="flex flex-wrap gap-3">
        <Button type="submit" variant="primary" disabled={saving || testing} onClick={() => setLast("save")}>
          {saving ? "Saving…" : editing ? "Save changes" : "Create connection"}
        </Button>
        <Button type="submit" name="intent" value="test" disabled={saving || testing} onClick={() => setLast("test")}>
          {testing ? "Testing…" : "Test connection"}
        </Button>
      </div>
    </form>
  );
}
