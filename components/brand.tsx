/** The Airlock mark and name. */
export function Brand({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight ${className}`}>
      <svg viewBox="0 0 24 24" aria-hidden="true" className="h-7 w-7 shrink-0">
        <rect x="1" y="1" width="22" height="22" rx="6" className="fill-brand-600" />
        <path d="M7 12h10M12 7v10" className="stroke-white" strokeWidth="2" strokeLinecap="round" opacity="0.35" />
        <rect x="8.5" y="8.5" width="7" height="7" rx="2" className="fill-none stroke-white" strokeWidth="2" />
      </svg>
      <span>Airlock</span>
    </span>
  );
}
