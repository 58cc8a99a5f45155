"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { decisionFromForm, decisionSchema, firstFieldErrors, REASON_MAX, type DecisionState } from "./decision-schema";

// Approve / Reject, with the comment beside them (returned to the agent with the decision, either way). The same schema is checked here, before anything is sent, and
// again by the server action (passed in by the page, which owns it).

export type DecideAction = (previous: DecisionState, form: FormData) => Promise<DecisionState>;

const idle: DecisionState = { status: "idle" };

export function DecisionForm({ requestId, decide }: { requestId: string; decide: DecideAction }) {
  const [verdict, setVerdict] = useState<"approve" | "reject" | null>(null);
  const [state, formAction, pending] = useActionState(async (previous: DecisionState, form: FormData): Promise<DecisionState> => {
    const parsed = decisionSchema.safeParse(decisionFromForm(form));
    if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
    return decide(previous, form);
  }, idle);
  const [edited, setEdited] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (state.fieldErrors?.reason) reasonRef.current?.focus();
  }, [state]);

  const reasonError = edited ? undefined : state.fieldErrors?.reason;
  const otherError = state.fieldErrors?.requestId ?? state.fieldErrors?.verdict;

  return (
    <form action={formAction} onSubmit={() => setEdited(false)} className="space-y-4" noValidate>
      <input type="hidden" name="requestId" value={requestId} />
      <div>
        <label htmlFor="reason" className="block text-sm font-medium text-slate-700">
          Reason or comment
        </label>
        <p id="reason-help" className="text-xs text-slate-500">
          Returned to the agent with your decision, whether you approve or reject. Required to reject; optional when approving.
        </p>
        <textarea
          ref={reasonRef}
          id="reason"
          name="reason"
          rows={3}
          maxLength={REASON_MAX}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? "reason-help reason-error" : "reason-help"}
          onChange={() => setEdited(true)}
          className={`mt-1.5 block w-full rounded-lg border px-3 py-2 text-sm shadow-xs outline-none focus:ring-2 ${
            reasonError ? "border-red-400 focus:border-red-500 focus:ring-red-100" : "border-slate-300 focus:border-brand-600 focus:ring-brand-100"
          }`}
        />
        {reasonError ? (
          <p id="reason-error" className="mt-1.5 text-sm text-red-600">
            {reasonError}
          </p>
        ) : null}
      </div>

      {state.message || otherError ? (
        <p role={state.status === "error" ? "alert" : "status"} className={`rounded-lg px-3 py-2 text-sm ${state.status === "error" ? "bg-red-50 text-red-700" : "bg-emerald-50 text-emerald-800"}`}>
          {state.message ?? otherError}
        </p>
      ) : null}

      <div className="flex gap-3">
        <button
          type="submit"
          name="verdict"
          value="approve"
          disabled={pending}
          onClick={() => setVerdict("approve")}
          className="flex-1 rounded-lg bg-emerald-600 px-4 py-2 text-sm font-medium text-white shadow-xs hover:bg-emerald-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600 disabled:opacity-60"
        >
          {pending && verdict === "approve" ? "Approving…" : "Approve"}
        </button>
        <button
          type="submit"
          name="verdict"
          value="reject"
          disabled={pending}
          onClick={() => setVerdict("reject")}
          className="flex-1 rounded-lg border border-red-300 bg-white px-4 py-2 text-sm font-medium text-red-700 shadow-xs hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 disabled:opacity-60"
        >
          {pending && verdict === "reject" ? "Rejecting…" : "Reject"}
        </button>
      </div>
    </form>
  );
}
