import type { Prisma } from "@/lib/store/generated/client";

// What a change changed, as short "field: value" pairs. Values are already secret-free (recordChange's contract);
// long ones are cut so one row stays one glance.

const MAX = 120;

function shown(value: Prisma.JsonValue): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}

export function ChangeDetails({ details }: { details: Prisma.JsonValue }) {
  if (details === null || typeof details !== "object" || Array.isArray(details)) return <span className="text-slate-500">{shown(details)}</span>;
  const entries = Object.entries(details);
  if (entries.length === 0) return <span className="text-slate-400">—</span>;
  return (
    <dl className="flex flex-wrap gap-x-3 gap-y-1 text-xs">
      {entries.map(([key, value]) => (
        <div key={key} className="flex gap-1">
          <dt className="text-slate-500">{key}:</dt>
          <dd className="font-mono break-all text-slate-800">{shown(value ?? null)}</dd>
        </div>
      ))}
    </dl>
  );
}
