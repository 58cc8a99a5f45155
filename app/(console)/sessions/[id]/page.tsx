import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChainStatusBanner } from "@/components/sessions/chain-status";
import { frontDoorLabel, utcTime } from "@/components/sessions/labels";
import { ReplayPlayer } from "@/components/sessions/replay-player";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { Alert } from "@/components/ui/alert";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { REPLAY_EVENT_LIMIT, sessionReplay } from "@/lib/sessions/replay";
import { store } from "@/lib/store/client";

export const metadata: Metadata = { title: "Session replay" };

// One recorded session, replayed: its events on a timeline, each statement with its decision, approvals, timing
// and masked result sample; its hash chain verified on the server; exports for those allowed to take them.

export default async function SessionReplayPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ seq?: string | string[] }> }) {
  const user = await requirePermission("sessions.view");
  const { id } = await params;
  const replay = await sessionReplay(store(), id);
  if (!replay) notFound();
  const { session, events, approvals, chain, truncated } = replay;
  const { seq } = await searchParams;
  const wanted = Number(Array.isArray(seq) ? seq[0] : seq);
  const initialIndex = Math.max(0, events.findIndex((event) => event.seq === wanted));
  const mayExport = can(user.roles, "sessions.export");
  const statements = events.filter((event) => event.type === "statement").length;

  return (
    <div className="mx-auto max-w-7xl">
      <p className="mb-2 text-sm">
        <Link href="/sessions" className="font-medium text-brand-600 hover:text-brand-700">
          ← Sessions
        </Link>
      </p>
      <PageHeader
        title={`Session of ${session.agent}`}
        summary={
          <>
            {session.connection ?? "no connection"} · {frontDoorLabel(session.frontDoor)} · started {utcTime(session.startedAt)}
            {session.endedAt ? ` · ended ${utcTime(session.endedAt)}` : " · still open"} · {session.eventCount} events, {statements} statement{statements === 1 ? "" : "s"}
            {session.clientAddr ? ` · from ${session.clientAddr}` : ""}
          </>
        }
        actions={
          mayExport ? (
            <>
              <a href={`/api/sessions/${session.id}/export?format=json`} className={buttonClass("secondary")} download>
                Export JSON
              </a>
              <a href={`/api/sessions/${session.id}/export?format=csv`} className={buttonClass("secondary")} download>
                Export CSV
              </a>
            </>
          ) : null
        }
      />
      <div className="mb-4 space-y-3">
        <ChainStatusBanner chain={chain} />
        {truncated ? <Alert tone="info">The replay shows the first {REPLAY_EVENT_LIMIT} events of this session; the exports hold all of them.</Alert> : null}
      </div>
      <ReplayPlayer events={events} approvals={approvals} chain={chain} initialIndex={initialIndex} />
    </div>
  );
}
