"use client";

import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Select, TextArea, TextInput } from "@/components/ui/field";
import { parsePolicyDocument } from "@/lib/policy/document";
import { friendly } from "./form-model";
import { COMMENT_MAX, type SaveState } from "./schemas";

// Import a policy from YAML or JSON, pasted or read from a file. The document is checked here with the same
// parser and schema as the server action; every problem is listed with its path. A policy whose id is already
// stored becomes that policy's next version; otherwise a new policy is created.

type ImportAction = (previous: SaveState, form: FormData) => Promise<SaveState>;

const idle: SaveState = { status: "idle" };

export function ImportForm({ importPolicy }: { importPolicy: ImportAction }) {
  const [text, setText] = useState("");
  const [format, setFormat] = useState<"auto" | "yaml" | "json">("auto");
  const [state, formAction, pending] = useActionState(async (previous: SaveState, form: FormData): Promise<SaveState> => {
    const value = String(form.get("text") ?? "");
    if (value.trim() === "") return { status: "error", errors: [{ path: "", message: "Paste a policy or choose a file" }] };
    const checked = parsePolicyDocument(value, format === "auto" ? undefined : format);
    if (!checked.ok) return { status: "error", message: `The document has ${checked.errors.length} ${checked.errors.length === 1 ? "problem" : "problems"}; nothing was imported.`, errors: checked.errors };
    return importPolicy(previous, form);
  }, idle);
  const textError = state.errors?.length ? `${state.errors.length} ${state.errors.length === 1 ? "problem" : "problems"} below` : undefined;

  return (
    <form action={formAction} noValidate className="space-y-4">
      <Field id="import-file" label="File" help="A .yaml, .yml or .json policy export; its text is placed below.">
        <input
          id="import-file"
          type="file"
          accept=".yaml,.yml,.json,application/json,text/yaml"
          className="block text-sm text-slate-700 file:mr-3 file:rounded-lg file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            setText(await file.text());
            if (/\.json$/i.test(file.name)) setFormat("json");
            else if (/\.ya?ml$/i.test(file.name)) setFormat("yaml");
          }}
        />
      </Field>
      <Field id="import-text" label="Policy document" help="YAML or JSON, as exported" error={textError}>
        <TextArea id="import-text" name="text" rows={14} value={text} onChange={(e) => setText(e.target.value)} className="font-mono" spellCheck={false} {...describedBy("import-text", textError)} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="import-format" label="Format">
          <Select id="import-format" name="format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            <option value="auto">detect (JSON starts with {"{"})</option>
            <option value="yaml">YAML</option>
            <option value="json">JSON</option>
          </Select>
        </Field>
        <Field id="import-comment" label="Comment" help="Kept with the revision" error={state.commentError}>
          <TextInput id="import-comment" name="comment" maxLength={COMMENT_MAX} {...describedBy("import-comment", state.commentError)} />
        </Field>
      </div>
      {state.status === "error" ? (
        <div role="alert" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-700">
          {state.message ? <p className="font-medium">{state.message}</p> : null}
          {state.errors?.length ? (
            <ul className="mt-1 list-disc pl-5" aria-label="Problems">
              {state.errors.map((e, i) => (
                <li key={i}>
                  <span className="font-mono">{e.path || "document"}</span>: {friendly(e.message)}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : state.message ? (
        <Alert tone="success">{state.message}</Alert>
      ) : null}
      <Button type="submit" variant="primary" disabled={pending}>
        {pending ? "Importing…" : "Import"}
      </Button>
    </form>
  );
}
