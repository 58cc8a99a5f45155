import type { ReactNode } from "react";

/** How a decided or expired request ended, in the approval page's decision panel. */
export function Outcome({ tone, title, children }: { tone: "emerald" | "red" | "slate"; title: string; children: ReactNode }) {
  const tones = {
    emerald: "bg-emerald-50 text-emerald-900 ring-emerald-200",
    red: "bg-red-50 text-red-900 ring-red-200",
    slate: "bg-slate-50 text-slate-700 ring-slate-200",
  } as const;
  return (
    <div role="status" className={`rounded-lg px-4 py-3 text-sm ring-1 ring-inset ${tones[tone]}`}>
      <p className="font-semibold">{title}</p>
      <p className="mt-1">{children}</p>
    </div>
  );
}
