"use client";

import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Badge, decisionTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { describedBy, Field, TextInput } from "@/components/ui/field";
import type { DecisionGist } from "@/lib/policy/decision-change";
import type { PolicyDocumentError } from "@/lib/policy/document";
import type { ChangedStatement } from "./decision-view";
import { fieldErrors, replaySchema, REPLAY_DEFAULT, REPLAY_MAX } from "./schemas";
import type { DraftSource } from "./simulator";

// "What would change": the draft run over the last N recorded statements, listing those whose decision (action or
// masking) differs from what the policies in force decide.

export interface ReplayResult {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Record<string, string>;
  readonly draftErrors?: readonly PolicyDocumentError[];
  readonly scanned?: number;
  readonly skipped?: number;
  readonly changed?: readonly ChangedStatement[];
  readonly constantsHidden?: boolean;
}

export function WhatWouldChange({ draft, replay, onDraftErrors }: {
  draft: DraftSource;
  replay: (input: unknown) => Promise<ReplayResult>;
  onDraftErrors?: (errors: readonly PolicyDocumentError[]) => void;
}) {
  const [limit, setLimit] = useState(String(REPLAY_DEFAULT));
  const [result, setResult] = useState<ReplayResult>({ status: "idle" });
  const [pending, start] = useTransition();

  const run = () => {
    const d = draft();
    if (!d) {
      setResult({ status: "error", message: "Fix the draft's problems first; each is shown beside its field." });
      return;
    }
    const input = { limit, draft: d };
    const parsed = replaySchema.safeParse(input);
    if (!parsed.success) {
      setResult({ status: "error", fieldErrors: fieldErrors(parsed.error) });
      return;
    }
    start(async () => {
      const answer = await replay(input);
      if (answer.draftErrors) onDraftErrors?.(answer.draftErrors);
      setResult(answer);
    });
  };
  const limitError = result.fieldErrors?.limit;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="w-48">
          <Field id="replay-limit" label="Recorded statements" help={`The most recent, up to ${REPLAY_MAX}`} error={limitError}>
            <TextInput id="replay-limit" inputMode="numeric" value={limit} onChange={(e) => setLimit(e.target.value)} {...describedBy("replay-limit", limitError)} />
          </Field>
        </div>
        <Button onClick={run} disabled={pending}>
          {pending ? "Replaying…" : "Show what would change"}
        </Button>
      </div>
      {result.message ? <Alert tone="error">{result.message}</Alert> : null}
      {result.status === "done" ? (
        <div aria-label="What would change" role="region">
          <p className="text-sm text-slate-600">
            {result.changed!.length === 0
              ? `None of the last ${result.scanned} recorded statements would be decided differently.`
              : `${result.changed!.length} of the last ${result.scanned} recorded statements would be decided differently:`}
            {result.skipped ? ` (${result.skipped} skipped: their connection no longer exists)` : ""}
          </p>
          {result.constantsHidden && result.changed!.length > 0 ? (
            <p className="mt-1 text-xs text-slate-500" data-constants-hidden>
              Values and comments in the statements are shown as <code>?</code>: recorded statements as sent are for the roles that replay
              sessions.
            </p>
          ) : null}
          <ul className="mt-3 space-y-3">
            {result.changed!.map((change) => (
              <li key={change.eventId} data-changed-statement={change.eventId} className="rounded-lg border border-slate-200 bg-white p-3 text-sm">
                <p className="text-xs text-slate-500">
                  <time dateTime={change.at}>{new Date(change.at).toLocaleString()}</time> · {change.agent} on {change.connection}
                </p>
                {change.sql === null ? (
                  <p className="mt-1 text-slate-500 italic">This statement cannot be shown without its values.</p>
                ) : (
                  <pre className="mt-1 overflow-x-auto font-mono text-[13px] whitespace-pre-wrap text-slate-900">{change.sql}</pre>
                )}
                <div className="mt-2 grid gap-2 sm:grid-cols-2">
                  <Gist label="Now" gist={change.before} />
                  <Gist label="With the draft" gist={change.after} />
                </div>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function Gist({ label, gist }: { label: string; gist: DecisionGist }) {
  return (
    <div data-gist={label === "Now" ? "before" : "after"}>
      <p className="text-xs font-semibold text-slate-500 uppercase">{label}</p>
      <p className="mt-0.5">
        <Badge tone={decisionTone(gist.action)}>{gist.action}</Badge> <span className="text-slate-600">{gist.why}</span>
      </p>
      {gist.masked.length > 0 ? <p className="mt-0.5 font-mono text-xs text-slate-700">masks {gist.masked.join("; ")}</p> : <p className="mt-0.5 text-xs text-slate-500">masks nothing</p>}
    </div>
  );
}
