import type { ReactNode } from "react";

/** Label–value pairs of a detail page's side card. */
export function FactList({ facts }: { facts: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="space-y-2 text-sm">
      {facts.map(([label, value]) => (
        <div key={label} className="flex justify-between gap-4">
          <dt className="text-slate-500">{label}</dt>
          <dd className="text-right text-slate-800">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
