"use client";

import { useEffect, useState } from "react";
import { ApprovalCard } from "./approval-card";
import type { PendingResponse } from "./view";

// The inbox's live list: starts from the server-rendered snapshot, then polls GET /api/approvals/pending so that a
// statement an agent just sent shows up within a couple of seconds, and a decided or expired one leaves.

export const POLL_MS = 1500;

type Connection = "live" | "retrying" | "signed-out";

export function LiveInbox({ initial }: { initial: PendingResponse }) {
  const [data, setData] = useState(initial);
  const [connection, setConnection] = useState<Connection>("live");

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;

    async function poll() {
      if (stopped) return;
      if (document.visibilityState === "visible") {
        controller = new AbortController();
        try {
          const response = await fetch("/api/approvals/pending", { cache: "no-store", signal: controller.signal, headers: { accept: "application/json" } });
          if (response.status === 401 || response.status === 403) {
            setConnection("signed-out");
            return; // No point asking again: the session ended or the roles changed. A reload shows why.
          }
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const next = (await response.json()) as PendingResponse;
          if (!stopped) {
            setData(next);
            setConnection("live");
          }
        } catch {
          if (!stopped) setConnection("retrying");
        }
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    }

    const onVisible = () => {
      if (document.visibilityState !== "visible" || stopped) return;
      clearTimeout(timer);
      controller?.abort();
      void poll();
    };
    timer = setTimeout(poll, POLL_MS);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);

  const count = data.approvals.length;
  return (
    <section aria-label="Pending approvals" className="mt-6">
      <div className="flex items-center justify-between gap-3">
        <p className="text-sm text-slate-600" aria-live="polite">
          {count === 0 ? "No statement is waiting." : `${count} ${count === 1 ? "statement is" : "statements are"} waiting, newest first.`}
        </p>
        <LiveIndicator connection={connection} />
      </div>
      {count === 0 ? (
        <div className="mt-4 rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center">
          <p className="font-medium text-slate-900">Nothing is waiting on a decision</p>
          <p className="mt-1 text-sm text-slate-500">When policy pauses an agent&apos;s statement for review, it appears here within seconds.</p>
        </div>
      ) : (
        <ul className="mt-4 space-y-4">
          {data.approvals.map((approval) => (
            <li key={approval.id}>
              <ApprovalCard approval={approval} now={data.now} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function LiveIndicator({ connection }: { connection: Connection }) {
  if (connection === "signed-out") {
    return <span className="text-xs font-medium text-red-600">Updates stopped: reload the page</span>;
  }
  const live = connection === "live";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-500" title={live ? "This list updates by itself" : "Airlock could not be reached; retrying"}>
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${live ? "animate-pulse bg-emerald-500" : "bg-amber-500"}`} />
      {live ? "Live" : "Reconnecting…"}
    </span>
  );
}
