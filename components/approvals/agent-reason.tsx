// The agent's own justification for the statement, in its words (rendered as text, never markup). `compact` is
// the inbox card's one-paragraph form; the approval page shows it as its own prominent block.

export function AgentReason({ reason, compact = false }: { reason: string | null; compact?: boolean }) {
  const label = "Why the agent says it needs this";
  if (compact) {
    if (!reason) return <p className="text-sm text-slate-500 italic">The agent gave no reason.</p>;
    return (
      <div className="rounded-lg bg-sky-50 px-3 py-2">
        <p className="text-xs font-medium tracking-wide text-sky-800 uppercase">{label}</p>
        <p className="mt-0.5 line-clamp-3 text-sm break-words text-slate-900">&ldquo;{reason}&rdquo;</p>
      </div>
    );
  }
  return (
    <section aria-labelledby="agent-reason-heading" className={`rounded-xl border p-5 shadow-xs ${reason ? "border-sky-200 bg-sky-50" : "border-slate-200 bg-white"}`}>
      <h2 id="agent-reason-heading" className="text-xs font-medium tracking-wide text-slate-500 uppercase">
        {label}
      </h2>
      {reason ? (
        <blockquote className="mt-2 border-l-4 border-sky-300 pl-3 text-base whitespace-pre-wrap break-words text-slate-900" data-testid="agent-reason">
          {reason}
        </blockquote>
      ) : (
        <p className="mt-2 text-sm text-slate-500 italic" data-testid="agent-reason">
          The agent gave no reason.
        </p>
      )}
    </section>
  );
}
