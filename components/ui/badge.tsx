import type { ReactNode } from "react";

export type Tone = "neutral" | "good" | "warn" | "bad" | "info";

const TONES: Record<Tone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-200",
  good: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  warn: "bg-amber-50 text-amber-800 ring-amber-200",
  bad: "bg-red-50 text-red-700 ring-red-200",
  info: "bg-sky-50 text-sky-800 ring-sky-200",
};

/** A short status word (allowed, blocked, revoked, disabled …). */
export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>{children}</span>;
}

/** The tone for a policy decision or approval status. */
export function decisionTone(decision: string | null | undefined): Tone {
  switch (decision) {
    case "allow":
    case "allowed":
    case "approved":
    case "consumed":
      return "good";
    case "mask":
    case "masked":
    case "pending":
    case "needs_approval":
    case "approval":
      return "warn";
    case "block":
    case "blocked":
    case "rejected":
    case "error":
      return "bad";
    default:
      return "neutral";
  }
}
