import type { ChainStatus } from "@/lib/sessions/replay";

// Whether the session's hash chain, checked on the server over the stored rows just now, holds.

const REASONS: Record<string, string> = {
  hash_mismatch: "this event's fields no longer match its hash: it was changed after it was recorded",
  prev_mismatch: "this event does not follow the one before it: an event was changed, removed or inserted",
  seq_gap: "this event is missing from the recording",
  head_mismatch: "the session's head does not name this event: events were added or the head was rewritten",
};

export function ChainStatusBanner({ chain }: { chain: ChainStatus }) {
  if (chain.verified) {
    return (
      <div role="status" data-chain="verified" className="flex items-start gap-3 rounded-xl border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
        <span aria-hidden="true" className="text-lg leading-none">✓</span>
        <p>
          <strong className="font-semibold">Chain verified</strong> — all {chain.events} events hash-link from the first to the session&apos;s head, checked on the server just now.
        </p>
      </div>
    );
  }
  return (
    <div role="alert" data-chain="broken" data-broken-seq={chain.seq} className="flex items-start gap-3 rounded-xl border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      <span aria-hidden="true" className="text-lg leading-none">✕</span>
      <p>
        <strong className="font-semibold">Chain broken at event #{chain.seq}</strong> — {REASONS[chain.reason] ?? chain.reason}. Events from #{chain.seq} on cannot be trusted as recorded.
      </p>
    </div>
  );
}
