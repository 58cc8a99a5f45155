import Link from "next/link";
import { Field, Select, TextInput, describedBy } from "@/components/ui/field";
import { buttonClass } from "@/components/ui/button";
import { CHANGE_ACTIONS } from "@/lib/audit/changes";
import { CHANGE_TARGETS } from "@/lib/audit/change-log";

// The audit log's filters: a plain GET form, so a filtered view is a URL to share and works without JavaScript.

export interface FilterValues {
  readonly action?: string;
  readonly target?: string;
  readonly actor?: string;
  readonly from?: string;
  readonly to?: string;
}

export function ChangeFilters({ values, actors, problems }: { values: FilterValues; actors: { id: string; email: string }[]; problems: Record<string, string> }) {
  return (
    <form method="get" aria-label="Filter the audit log" className="grid grid-cols-1 gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-xs sm:grid-cols-2 lg:grid-cols-6">
      <Field id="action" label="Action" error={problems.action}>
        <Select id="action" name="action" defaultValue={values.action ?? ""} {...describedBy("action", problems.action, false)}>
          <option value="">Any action</option>
          {CHANGE_ACTIONS.map((action) => (
            <option key={action} value={action}>
              {action}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="target" label="Kind of thing" error={problems.target}>
        <Select id="target" name="target" defaultValue={values.target ?? ""} {...describedBy("target", problems.target, false)}>
          <option value="">Anything</option>
          {CHANGE_TARGETS.map((target) => (
            <option key={target} value={target}>
              {target}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="actor" label="Person" error={problems.actor}>
        <Select id="actor" name="actor" defaultValue={values.actor ?? ""} {...describedBy("actor", problems.actor, false)}>
          <option value="">Anyone</option>
          {actors.map((actor) => (
            <option key={actor.id} value={actor.id}>
              {actor.email}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="from" label="From (UTC day)" error={problems.from}>
        <TextInput id="from" name="from" type="date" defaultValue={values.from ?? ""} {...describedBy("from", problems.from, false)} />
      </Field>
      <Field id="to" label="To (UTC day)" error={problems.to}>
        <TextInput id="to" name="to" type="date" defaultValue={values.to ?? ""} {...describedBy("to", problems.to, false)} />
      </Field>
      <div className="flex items-end gap-2">
        <button type="submit" className={buttonClass("primary")}>
          Filter
        </button>
        <Link href="/audit" className={buttonClass("secondary")}>
          Clear
        </Link>
      </div>
    </form>
  );
}
