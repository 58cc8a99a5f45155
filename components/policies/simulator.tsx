"use client";

import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Select, TextArea } from "@/components/ui/field";
import type { PolicyDocumentError } from "@/lib/policy/document";
import { DecisionPanel } from "./decision-panel";
import type { DecisionView } from "./decision-view";
import { fieldErrors, simulateSchema } from "./schemas";

// Paste a statement, pick a connection and an agent, see what the gateway would decide and how each result column
// would leave. With `draft`, the editor's unsaved policy stands in for its saved version.

export interface SimulateResult {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Record<string, string>;
  readonly draftErrors?: readonly PolicyDocumentError[];
  readonly decision?: DecisionView;
  readonly withDraft?: boolean;
}

export type DraftSource = () => { readonly policyId?: string; readonly document: unknown } | null;

export interface SimulatorProps {
  readonly connections: readonly { readonly name: string; readonly engine: string }[];
  readonly agents: readonly { readonly id: string; readonly name: string }[];
  readonly simulate: (input: unknown) => Promise<SimulateResult>;
  /** The editor's draft; returns null (and shows its errors itself) when the draft is invalid. */
  readonly draft?: DraftSource;
  readonly onDraftErrors?: (errors: readonly PolicyDocumentError[]) => void;
  readonly idPrefix?: string;
}

export function Simulator({ connections, agents, simulate, draft, onDraftErrors, idPrefix = "sim" }: SimulatorProps) {
  const [sql, setSql] = useState("");
  const [connection, setConnection] = useState(connections[0]?.name ?? "");
  const [agentId, setAgentId] = useState(agents[0]?.id ?? "");
  const [result, setResult] = useState<SimulateResult>({ status: "idle" });
  const [pending, start] = useTransition();
  const id = (name: string) => `${idPrefix}-${name}`;
  const errors = result.fieldErrors ?? {};

  const run = () => {
    const input: Record<string, unknown> = { sql, connection, agentId };
    if (draft) {
      const d = draft();
      if (!d) {
        setResult({ status: "error", message: "Fix the draft's problems first; each is shown beside its field." });
        return;
      }
      input.draft = d;
    }
    const parsed = simulateSchema.safeParse(input);
    if (!parsed.success) {
      setResult({ status: "error", fieldErrors: fieldErrors(parsed.error) });
      return;
    }
    start(async () => {
      const answer = await simulate(input);
      if (answer.draftErrors) onDraftErrors?.(answer.draftErrors);
      setResult(answer);
    });
  };

  if (connections.length === 0 || agents.length === 0)
    return <p className="text-sm text-slate-500">The simulator needs at least one connection and one agent.</p>;

  return (
    <div className="space-y-4">
      <Field id={id("sql")} label="Statement" help="Nothing is run: the statement is only analysed and decided." error={errors.sql}>
        <TextArea id={id("sql")} rows={4} value={sql} onChange={(e) => setSql(e.target.value)} className="font-mono" spellCheck={false} {...describedBy(id("sql"), errors.sql)} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={id("connection")} label="Connection" error={errors.connection}>
          <Select id={id("connection")} value={connection} onChange={(e) => setConnection(e.target.value)} {...describedBy(id("connection"), errors.connection, false)}>
            {connections.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.engine})
              </option>
            ))}
          </Select>
        </Field>
        <Field id={id("agent")} label="Agent" error={errors.agentId}>
          <Select id={id("agent")} value={agentId} onChange={(e) => setAgentId(e.target.value)} {...describedBy(id("agent"), errors.agentId, false)}>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Button variant="primary" onClick={run} disabled={pending}>
        {pending ? "Simulating…" : draft ? "Simulate with this draft" : "Simulate"}
      </Button>
      {result.message ? <Alert tone={result.status === "error" ? "error" : "info"}>{result.message}</Alert> : null}
      {result.decision ? (
        <section aria-label="Simulated decision" className="rounded-lg border border-slate-200 bg-slate-50 p-4">
          <p className="mb-3 text-xs text-slate-500">
            {result.withDraft ? "With your unsaved draft in place of the saved policy" : "With the policies in force"}. Without the target&apos;s column list, a
            <code> *</code> over a table with masked columns shows as blocked here; the gateway expands it against the real columns.
          </p>
          {result.decision.reasons.some((r) => r.code === "masked_whole_row") ? (
            <div className="mb-3">
              <Alert tone="info">
                This statement reads whole rows of a table with masked columns. The gateway first resolves <code>*</code> against the target&apos;s real
                columns and masks them one by one; the simulator does not read the target, so only the fail-closed answer is shown.
              </Alert>
            </div>
          ) : null}
          <DecisionPanel decision={result.decision} />
        </section>
      ) : null}
    </div>
  );
}
