"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import type { ApprovalTrail, ChainStatus, ReplayEvent } from "@/lib/sessions/replay";
import { EventDetail } from "./event-detail";
import { decisionLabel, eventTypeLabel, offsetLabel } from "./labels";
import { SPEEDS, stepDelayMs, stepStart, type Speed } from "./playback";

// The session on a timeline: play, pause, speed, step. The panel shows the statement being replayed with what
// followed it so far (its decision, approvals, result), revealed event by event as the replay moves on.

const DOT: Record<string, string> = {
  statement: "bg-slate-700",
  decision: "bg-sky-500",
  result: "bg-emerald-500",
  approval_wait: "bg-amber-500",
  approval_outcome: "bg-amber-600",
  error: "bg-red-500",
};

export function ReplayPlayer({
  events,
  approvals,
  chain,
  initialIndex,
}: {
  events: readonly ReplayEvent[];
  approvals: Readonly<Record<string, ApprovalTrail>>;
  chain: ChainStatus;
  initialIndex: number;
}) {
  const [index, setIndex] = useState(initialIndex);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<Speed>(1);
  const last = events.length - 1;

  useEffect(() => {
    if (!playing || index >= last) return;
    const timer = setTimeout(() => {
      const next = Math.min(index + 1, last);
      setIndex(next);
      if (next >= last) setPlaying(false);
    }, stepDelayMs(events[index]!.offsetMs, events[index + 1]!.offsetMs, speed));
    return () => clearTimeout(timer);
  }, [playing, index, last, speed, events]);

  if (!events.length) return <p className="text-sm text-slate-500">This session has no events.</p>;

  const types = events.map((event) => event.type);
  const start = stepStart(types, index);
  const shown = events.slice(start, index + 1);
  const total = Math.max(1, events[last]!.offsetMs);
  const brokenFrom = chain.verified ? Infinity : chain.seq;
  const current = events[index]!;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2 rounded-xl border border-slate-200 bg-white p-3 shadow-xs" role="group" aria-label="Replay controls">
        <Button onClick={() => (setPlaying(false), setIndex(0))} disabled={index === 0}>
          To start
        </Button>
        <Button onClick={() => (setPlaying(false), setIndex((i) => Math.max(0, i - 1)))} disabled={index === 0}>
          ◀ Step back
        </Button>
        <Button
          variant="primary"
          onClick={() => {
            if (!playing && index >= last) setIndex(0);
            setPlaying(!playing);
          }}
        >
          {playing ? "❚❚ Pause" : "▶ Play"}
        </Button>
        <Button onClick={() => (setPlaying(false), setIndex((i) => Math.min(last, i + 1)))} disabled={index >= last}>
          Step forward ▶
        </Button>
        <label htmlFor="replay-speed" className="ml-2 text-sm text-slate-600">
          Speed
        </label>
        <select
          id="replay-speed"
          value={speed}
          onChange={(event) => setSpeed(Number(event.target.value) as Speed)}
          className="rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm"
        >
          {SPEEDS.map((value) => (
            <option key={value} value={value}>
              {value}×
            </option>
          ))}
        </select>
        <p className="ml-auto text-sm text-slate-600" aria-live="polite" data-testid="replay-position">
          Event {index + 1} of {events.length} · {eventTypeLabel(current.type)} · {offsetLabel(current.offsetMs)}
          {playing ? " · playing" : ""}
        </p>
      </div>

      <div className="relative h-3 rounded-full bg-slate-100" aria-hidden="true">
        <div className="absolute inset-y-0 left-0 rounded-full bg-brand-100" style={{ width: `${(current.offsetMs / total) * 100}%` }} />
        {events.map((event, i) => (
          <span
            key={event.seq}
            className={`absolute top-0.5 size-2 -translate-x-1/2 rounded-full ${event.seq >= brokenFrom ? "bg-red-600" : (DOT[event.type] ?? "bg-slate-400")} ${i === index ? "ring-2 ring-brand-600 ring-offset-1" : ""}`}
            style={{ left: `${(event.offsetMs / total) * 100}%` }}
          />
        ))}
      </div>

      <div className="grid gap-4 lg:grid-cols-[18rem_1fr]">
        <ol className="max-h-[32rem] space-y-0.5 overflow-y-auto rounded-xl border border-slate-200 bg-white p-2 text-sm" aria-label="Events">
          {events.map((event, i) => (
            <li key={event.seq}>
              <button
                type="button"
                onClick={() => (setPlaying(false), setIndex(i))}
                aria-current={i === index ? "step" : undefined}
                data-seq={event.seq}
                className={`flex w-full items-center gap-2 rounded-md px-2 py-1 text-left focus-visible:outline-2 focus-visible:outline-brand-600 ${
                  i === index ? "bg-brand-50 font-medium text-brand-800" : i < index ? "text-slate-700 hover:bg-slate-50" : "text-slate-400 hover:bg-slate-50"
                }`}
              >
                <span className={`size-2 shrink-0 rounded-full ${event.seq >= brokenFrom ? "bg-red-600" : (DOT[event.type] ?? "bg-slate-400")}`} aria-hidden="true" />
                <span className="tabular-nums text-slate-400">#{event.seq}</span>
                <span className="truncate">{eventTypeLabel(event.type)}</span>
                {event.decision ? <span className="ml-auto text-xs text-slate-500">{decisionLabel(event.decision).label}</span> : null}
                {event.seq === brokenFrom ? <span className="ml-auto text-xs font-semibold text-red-700">broken</span> : null}
              </button>
            </li>
          ))}
        </ol>

        <section aria-label="Replayed statement" className="space-y-3" data-testid="replay-panel">
          {shown.map((event) => (
            <EventDetail
              key={event.seq}
              event={event}
              approvals={approvals}
              unverified={event.seq >= brokenFrom}
              afterStatementMs={events[start]!.type === "statement" && event.seq !== events[start]!.seq ? event.offsetMs - events[start]!.offsetMs : undefined}
            />
          ))}
        </section>
      </div>
    </div>
  );
}
