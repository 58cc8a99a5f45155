"use client";

import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { describedBy, Field, Select, TextArea, TextInput } from "@/components/ui/field";
import { validatePolicy, type PolicyDocumentError } from "@/lib/policy/document";
import { emptyRule, errorAt, friendly, policyFromForm, type PolicyForm, type RuleForm } from "./form-model";
import { ListField } from "./controls";
import { RuleFields } from "./rule-fields";
import { checkSave, COMMENT_MAX, type SaveState } from "./schemas";
import { Simulator, type SimulatorProps } from "./simulator";
import { WhatWouldChange, type ReplayResult } from "./what-would-change";

// The policy editor: the policy's own fields, one form per rule, a comment for the revision, and — for people who
// may simulate — the simulator and "what would change" run on the unsaved draft. The form posts the document the
// fields describe; the browser checks it with the same schema as the server action before sending.

export type SaveAction = (previous: SaveState, form: FormData) => Promise<SaveState>;

interface Props {
  readonly initial: PolicyForm;
  readonly policyId?: string;
  readonly version?: number;
  readonly save: SaveAction;
  readonly simulation?: Omit<SimulatorProps, "draft" | "onDraftErrors"> & { readonly replay: (input: unknown) => Promise<ReplayResult> };
}

const idle: SaveState = { status: "idle" };

export function PolicyEditor({ initial, policyId, version, save, simulation }: Props) {
  const [form, setForm] = useState<PolicyForm>(initial);
  const [errors, setErrors] = useState<readonly PolicyDocumentError[]>([]);
  const [state, formAction, pending] = useActionState(async (previous: SaveState, data: FormData): Promise<SaveState> => {
    const checked = checkSave(data);
    if (!checked.ok) {
      setErrors(checked.state.errors ?? []);
      return checked.state;
    }
    const answer = await save(previous, data);
    setErrors(answer.errors ?? []);
    return answer;
  }, idle);

  const set = (patch: Partial<PolicyForm>) => setForm((f) => ({ ...f, ...patch }));
  const setRule = (index: number, patch: Partial<RuleForm>) => setForm((f) => ({ ...f, rules: f.rules.map((r, i) => (i === index ? { ...r, ...patch } : r)) }));
  const moveRule = (index: number, by: -1 | 1) =>
    setForm((f) => {
      const rules = [...f.rules];
      const to = index + by;
      if (to < 0 || to >= rules.length) return f;
      [rules[index], rules[to]] = [rules[to]!, rules[index]!];
      return { ...f, rules };
    });
  const removeRule = (index: number) => setForm((f) => ({ ...f, rules: f.rules.filter((_, i) => i !== index) }));
  const addRule = () => setForm((f) => ({ ...f, rules: [...f.rules, emptyRule()] }));

  const document = policyFromForm(form);
  const draft = () => {
    const checked = validatePolicy(document);
    setErrors(checked.ok ? [] : checked.errors);
    return checked.ok ? { ...(policyId ? { policyId } : {}), document } : null;
  };
  const err = (path: string) => errorAt(errors, path);

  return (
    <div className="space-y-6">
      <form action={formAction} noValidate className="space-y-6">
        <input type="hidden" name="document" value={JSON.stringify(document)} />
        {policyId ? <input type="hidden" name="policyId" value={policyId} /> : null}
        {version ? <input type="hidden" name="expectedVersion" value={version} /> : null}

        {errors.length > 0 ? (
          <div role="alert" className="rounded-lg bg-red-50 px-4 py-3 text-sm text-red-700">
            <p className="font-medium">{`The policy has ${errors.length} ${errors.length === 1 ? "problem" : "problems"}; each is shown beside its field.`}</p>
            <ul className="mt-1 list-disc pl-5">
              {errors.slice(0, 10).map((e, i) => (
                <li key={i}>
                  <span className="font-mono">{e.path || "policy"}</span>: {friendly(e.message)}
                </li>
              ))}
            </ul>
          </div>
        ) : state.status === "error" && state.message && !state.errors?.length ? (
          <Alert tone="error">{state.message}</Alert>
        ) : null}

        <Card title="Policy">
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="policy-name" label="Name" error={err("name")}>
              <TextInput id="policy-name" value={form.name} onChange={(e) => set({ name: e.target.value })} {...describedBy("policy-name", err("name"), false)} />
            </Field>
            <Field id="policy-id" label="Policy id" help="a-z, 0-9, _ . -; decisions name rules as <policy id>/<rule id>" error={err("id")}>
              <TextInput id="policy-id" value={form.id} onChange={(e) => set({ id: e.target.value })} className="font-mono" {...describedBy("policy-id", err("id"))} />
            </Field>
          </div>
          <div className="mt-4">
            <Field id="policy-description" label="Description" error={err("description")}>
              <TextArea id="policy-description" rows={2} value={form.description} onChange={(e) => set({ description: e.target.value })} {...describedBy("policy-description", err("description"), false)} />
            </Field>
          </div>
          <div className="mt-4 grid gap-4 sm:grid-cols-3">
            <Field id="policy-default" label="When no rule decides" error={err("settings.defaultAction")}>
              <Select id="policy-default" value={form.defaultAction} onChange={(e) => set({ defaultAction: e.target.value as PolicyForm["defaultAction"] })}>
                <option value="require_approval">require approval</option>
                <option value="block">block</option>
                <option value="allow">allow</option>
              </Select>
            </Field>
            <Field id="policy-max-rows" label="Most rows a result may return" help="Empty: no limit from this policy" error={err("settings.maxRows")}>
              <TextInput id="policy-max-rows" inputMode="numeric" value={form.maxRows} onChange={(e) => set({ maxRows: e.target.value })} {...describedBy("policy-max-rows", err("settings.maxRows"))} />
            </Field>
            <Field id="policy-detectors" label="Value detectors" error={err("settings.detectors")}>
              <Select id="policy-detectors" value={form.detectors} onChange={(e) => set({ detectors: e.target.value as PolicyForm["detectors"] })}>
                <option value="unknown">on columns of unknown origin</option>
                <option value="all">on every column</option>
                <option value="off">off</option>
              </Select>
            </Field>
          </div>
          <div className="mt-4 grid gap-4 sm:grid-cols-2">
            <ListField
              id="policy-safe-columns"
              label="Columns the detectors leave alone (optional)"
              help="table.column, comma-separated; globs such as *.sku work"
              value={form.safeColumns}
              error={err("settings.safeColumns")}
              onChange={(safeColumns) => set({ safeColumns })}
              placeholder="orders.tracking_number"
            />
            <ListField
              id="policy-untrusted-columns"
              label="Untrusted free-text columns (optional)"
              help="Text anyone may have written (reviews, tickets): marked as untrusted data in agents' results"
              value={form.untrustedColumns}
              error={err("settings.untrustedColumns")}
              onChange={(untrustedColumns) => set({ untrustedColumns })}
              placeholder="reviews.body, tickets.*"
            />
          </div>
        </Card>

        <div className="space-y-4">
          <div className="flex items-center justify-between">
            <h2 className="text-lg font-semibold text-slate-900">Rules</h2>
            <Button onClick={addRule}>Add rule</Button>
          </div>
          {err("rules") && !form.rules.length ? <p className="text-sm text-red-600">{err("rules")}</p> : null}
          {form.rules.length === 0 ? <p className="text-sm text-slate-500">No rules yet: the policy only sets its defaults.</p> : null}
          {form.rules.map((rule, index) => (
            <RuleFields key={rule.key} rule={rule} index={index} count={form.rules.length} errors={errors} onChange={(patch) => setRule(index, patch)} onMove={(by) => moveRule(index, by)} onRemove={() => removeRule(index)} />
          ))}
        </div>

        <Card title="Save">
          <Field id="comment" label="What changed and why" help="Kept with the revision" error={state.commentError}>
            <TextInput id="comment" name="comment" maxLength={COMMENT_MAX} {...describedBy("comment", state.commentError)} />
          </Field>
          <div className="mt-4">
            <Button type="submit" variant="primary" disabled={pending}>
              {pending ? "Saving…" : policyId ? "Save policy" : "Create policy"}
            </Button>
          </div>
        </Card>
      </form>

      {simulation ? (
        <>
          <Card title="Try the draft">
            <Simulator connections={simulation.connections} agents={simulation.agents} simulate={simulation.simulate} draft={draft} onDraftErrors={setErrors} idPrefix="draft-sim" />
          </Card>
          <Card title="What would change">
            <WhatWouldChange draft={draft} replay={simulation.replay} onDraftErrors={setErrors} />
          </Card>
        </>
      ) : null}
    </div>
  );
}
