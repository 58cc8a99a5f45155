import { Checkbox } from "@/components/ui/field";

// The connection form's "Approvals" part: whether writes that wait for approval get a dry run, and which people
// alone may decide the connection's approval requests. Plain inputs (no state), read by the form's FormData.

/** A person the form offers as an approver; `problem` says why someone already named no longer qualifies. */
export interface ApproverChoice {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly problem: "disabled" | "not an approver" | null;
}

export function ApprovalFields({
  previewWrites,
  approverIds,
  choices,
  error,
}: {
  previewWrites: boolean;
  approverIds: readonly string[];
  choices: readonly ApproverChoice[];
  error?: string;
}) {
  const named = new Set(approverIds);
  return (
    <fieldset className="space-y-5">
      <legend className="mb-3 text-sm font-semibold text-slate-900">Approvals</legend>
      <Checkbox
        id="previewWrites"
        name="previewWrites"
        label="Preview writes that wait for approval (dry run, always rolled back)"
        help="Approvers see how many rows the statement would change and a masked before/after sample. A statement a rollback cannot undo is only explained, never run."
        defaultChecked={previewWrites}
      />
      <div role="group" aria-labelledby="approverIds-label" aria-describedby={error ? "approverIds-help approverIds-error" : "approverIds-help"}>
        <p id="approverIds-label" className="text-sm font-medium text-slate-700">
          Approvers for this connection
        </p>
        <p id="approverIds-help" className="text-xs text-slate-500">
          When you tick people here, only they decide this connection&apos;s approval requests (with one of the rule&apos;s approver roles). Tick nobody to let anyone the
          rule&apos;s roles allow decide.
        </p>
        {choices.length === 0 ? (
          <p className="mt-1.5 text-sm text-slate-500">Nobody holds the approver or admin role yet.</p>
        ) : (
          <ul className={`mt-1.5 max-h-56 divide-y divide-slate-100 overflow-y-auto rounded-lg border ${error ? "border-red-400" : "border-slate-300"}`}>
            {choices.map((person) => (
              <li key={person.id} className="px-3 py-2">
                <label className="flex items-center gap-2 text-sm text-slate-700">
                  <input type="checkbox" id={`approver-${person.id}`} name="approverIds" value={person.id} defaultChecked={named.has(person.id)} className="size-4 rounded border-slate-300 text-brand-600" />
                  <span className="font-medium text-slate-900">{person.name}</span>
                  <span className="truncate text-xs text-slate-500">{person.email}</span>
                  {person.problem ? <span className="rounded bg-red-50 px-1.5 py-0.5 text-xs text-red-700">{person.problem}: untick to save</span> : null}
                </label>
              </li>
            ))}
          </ul>
        )}
        {error ? (
          <p id="approverIds-error" className="mt-1.5 text-sm text-red-600">
            {error}
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}
