import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Field, Select, TextInput, describedBy } from "@/components/ui/field";
import { utcInputValue, type FilterField, type StatementFilters } from "@/lib/sessions/filters";
import type { FilterOptions } from "@/lib/sessions/statements";
import { FilterUrlForm } from "./filter-url";
import { DECISION_OPTIONS, FRONT_DOOR_OPTIONS } from "./labels";

// The sessions table's filters: a plain GET form, so the filters land in the URL (shareable, the back button
// steps through them) and it works before any script has loaded. Applying filters starts from the first page;
// the chosen order is kept.

export function FilterForm({
  filters,
  options,
  problems,
  order,
}: {
  filters: StatementFilters;
  options: FilterOptions;
  problems: Partial<Record<FilterField, string>>;
  order: "newest" | "oldest";
}) {
  return (
    <FilterUrlForm label="Filter statements">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field id="agent" label="Agent" error={problems.agent}>
          <Select id="agent" name="agent" defaultValue={filters.agentId ?? ""} {...describedBy("agent", problems.agent, false)}>
            <option value="">Any agent</option>
            {options.agents.map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="connection" label="Connection" error={problems.connection}>
          <Select id="connection" name="connection" defaultValue={filters.connectionId ?? ""} {...describedBy("connection", problems.connection, false)}>
            <option value="">Any connection</option>
            {options.connections.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="door" label="Front door" error={problems.door}>
          <Select id="door" name="door" defaultValue={filters.frontDoor ?? ""} {...describedBy("door", problems.door, false)}>
            <option value="">Any front door</option>
            {FRONT_DOOR_OPTIONS.map((door) => (
              <option key={door.value} value={door.value}>
                {door.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="decision" label="Decision" error={problems.decision}>
          <Select id="decision" name="decision" defaultValue={filters.decision ?? ""} {...describedBy("decision", problems.decision, false)}>
            <option value="">Any decision</option>
            {DECISION_OPTIONS.map((decision) => (
              <option key={decision.value} value={decision.value}>
                {decision.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="from" label="From (UTC)" error={problems.from}>
          <TextInput id="from" name="from" type="datetime-local" step={1} defaultValue={filters.from ? utcInputValue(filters.from) : ""} {...describedBy("from", problems.from, false)} />
        </Field>
        <Field id="to" label="Until (UTC)" error={problems.to}>
          <TextInput id="to" name="to" type="datetime-local" step={1} defaultValue={filters.to ? utcInputValue(filters.to) : ""} {...describedBy("to", problems.to, false)} />
        </Field>
        <div className="sm:col-span-2">
          <Field id="q" label="SQL contains" error={problems.q}>
            <TextInput id="q" name="q" type="search" maxLength={200} placeholder="e.g. customers" defaultValue={filters.text ?? ""} {...describedBy("q", problems.q, false)} />
          </Field>
        </div>
      </div>
      {order === "oldest" ? <input type="hidden" name="order" value="oldest" /> : null}
      <div className="mt-4 flex gap-2">
        <button type="submit" className={buttonClass("primary")}>
          Apply filters
        </button>
        <Link href="/sessions" className={buttonClass("secondary")}>
          Clear
        </Link>
      </div>
    </FilterUrlForm>
  );
}
