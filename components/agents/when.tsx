import { absoluteTime, relativeTime } from "@/components/approvals/relative-time";

/** A moment as "3 min ago" / "in 2 days", with the exact time on hover; `never` when there is none. */
export function When({ at, now, never = "—" }: { at: Date | null; now: Date; never?: string }) {
  if (!at) return <span className="text-slate-400">{never}</span>;
  const iso = at.toISOString();
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso, now.toISOString())}
    </time>
  );
}
