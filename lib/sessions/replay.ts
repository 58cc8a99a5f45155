import { verifyChains, type BreakReason } from "../audit/verify";
import type { Store } from "../store/client";
import { describePreview, statementKindOf } from "../notifications/approval-message";
import { approvalIdOf, eventDetail, type EventDetail } from "./payloads";

// One recorded session for the replay page and the exports: its facts, its events in order (each with what the
// replay shows of its payload), the approvals its statements waited on with who decided, and the verification of
// its hash chain (lib/audit/verify, server-side, over the stored rows). Callers check permissions.

/** The replay page shows at most this many events (a note says when there are more; the exports hold all). */
export const REPLAY_EVENT_LIMIT = 2000;
const EXPORT_PAGE = 2000;

export interface SessionFacts {
  readonly id: string;
  readonly agent: string;
  readonly connection: string | null;
  readonly frontDoor: string;
  readonly clientAddr: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly eventCount: number;
}

export interface ReplayEvent {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  /** Milliseconds since the session started. */
  readonly offsetMs: number;
  readonly decision: string | null;
  readonly sql: string | null;
  readonly hash: string;
  readonly prevHash: string;
  readonly detail: EventDetail;
}

export interface ApprovalTrail {
  readonly id: string;
  readonly status: string;
  readonly requestedAt: string;
  readonly decidedAt: string | null;
  readonly minApprovals: number;
  /** The agent's justification, when it gave one. */
  readonly agentReason: string | null;
  /** The dry run in one line ("UPDATE would change 3 rows …; rolled back"), when there was one. */
  readonly preview: string | null;
  readonly votes: readonly { readonly by: string; readonly verdict: string; readonly reason: string; readonly at: string; readonly via: string }[];
}

export type ChainStatus =
  | { readonly verified: true; readonly events: number }
  | { readonly verified: false; readonly events: number; readonly seq: number; readonly reason: BreakReason };

export interface SessionReplay {
  readonly session: SessionFacts;
  readonly events: readonly ReplayEvent[];
  /** More events exist than `events` holds. */
  readonly truncated: boolean;
  readonly approvals: Readonly<Record<string, ApprovalTrail>>;
  readonly chain: ChainStatus;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isSessionId(id: string): boolean {
  return UUID.test(id);
}

const eventSelect = { seq: true, type: true, at: true, decision: true, sqlText: true, payload: true, prevHash: true, hash: true } as const;

/** The session with up to `limit` events from the first, or null when there is no such session. */
export async function sessionReplay(db: Store, id: string, limit = REPLAY_EVENT_LIMIT): Promise<SessionReplay | null> {
  const session = await sessionFacts(db, id);
  if (!session) return null;
  const [rows, chain] = await Promise.all([
    db.sessionEvent.findMany({ where: { sessionId: session.id }, orderBy: { seq: "asc" }, take: limit + 1, select: eventSelect }),
    chainStatus(db, session.id),
  ]);
  const events = rows.slice(0, limit).map((row) => toEvent(row, session.startedAt));
  return { session, events, truncated: rows.length > limit, approvals: await approvalTrails(db, events), chain };
}

export interface ExportEvent {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly decision: string | null;
  readonly sqlText: string | null;
  /** As stored (masked values only): with the other fields it re-computes `hash`. */
  readonly payload: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

export interface SessionExport {
  readonly session: SessionFacts;
  readonly chain: ChainStatus;
  readonly approvals: readonly ApprovalTrail[];
  readonly events: readonly ExportEvent[];
}

/** Every event of the session as stored, read in pages, or null when there is no such session. */
export async function sessionExport(db: Store, id: string): Promise<SessionExport | null> {
  const session = await sessionFacts(db, id);
  if (!session) return null;
  const events: ExportEvent[] = [];
  for (let after = 0; ; ) {
    const page = await db.sessionEvent.findMany({ where: { sessionId: session.id, seq: { gt: after } }, orderBy: { seq: "asc" }, take: EXPORT_PAGE, select: eventSelect });
    for (const row of page) events.push({ seq: row.seq, type: row.type, at: row.at.toISOString(), decision: row.decision, sqlText: row.sqlText, payload: row.payload, prevHash: row.prevHash, hash: row.hash });
    if (page.length < EXPORT_PAGE) break;
    after = page[page.length - 1]!.seq;
  }
  const details = events.map((event) => ({ detail: eventDetail(event.type, event.payload) }));
  const [approvals, chain] = await Promise.all([approvalTrails(db, details), chainStatus(db, session.id)]);
  return { session, chain, approvals: Object.values(approvals), events };
}

async function sessionFacts(db: Store, id: string): Promise<SessionFacts | null> {
  if (!isSessionId(id)) return null;
  const row = await db.agentSession.findUnique({
    where: { id },
    select: {
      id: true,
      frontDoor: true,
      clientAddr: true,
      startedAt: true,
      endedAt: true,
      eventCount: true,
      agent: { select: { name: true } },
      connection: { select: { name: true } },
    },
  });
  if (!row) return null;
  return {
    id: row.id,
    agent: row.agent.name,
    connection: row.connection?.name ?? null,
    frontDoor: row.frontDoor,
    clientAddr: row.clientAddr,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.endedAt?.toISOString() ?? null,
    eventCount: row.eventCount,
  };
}

type EventRow = { seq: number; type: string; at: Date; decision: string | null; sqlText: string | null; payload: unknown; prevHash: string; hash: string };

function toEvent(row: EventRow, startedAt: string): ReplayEvent {
  return {
    seq: row.seq,
    type: row.type,
    at: row.at.toISOString(),
    offsetMs: row.at.getTime() - new Date(startedAt).getTime(),
    decision: row.decision,
    sql: row.sqlText,
    hash: row.hash,
    prevHash: row.prevHash,
    detail: eventDetail(row.type, row.payload),
  };
}

async function chainStatus(db: Store, sessionId: string): Promise<ChainStatus> {
  const report = await verifyChains(db, { sessionId });
  const broken = report.broken[0];
  return broken ? { verified: false, events: report.events, seq: broken.seq, reason: broken.reason } : { verified: true, events: report.events };
}

async function approvalTrails(db: Store, events: readonly { readonly detail: EventDetail }[]): Promise<Record<string, ApprovalTrail>> {
  const ids = [...new Set(events.map((event) => approvalIdOf(event.detail)).filter((id): id is string => id !== null))];
  if (!ids.length) return {};
  const requests = await db.approvalRequest.findMany({
    where: { id: { in: ids } },
    select: {
      id: true,
      status: true,
      requestedAt: true,
      decidedAt: true,
      minApprovals: true,
      reason: true,
      preview: true,
      sqlText: true,
      decisions: { orderBy: { createdAt: "asc" }, select: { verdict: true, reason: true, createdAt: true, via: true, user: { select: { name: true, email: true } } } },
    },
  });
  return Object.fromEntries(
    requests.map((request) => [
      request.id,
      {
        id: request.id,
        status: request.status,
        requestedAt: request.requestedAt.toISOString(),
        decidedAt: request.decidedAt?.toISOString() ?? null,
        minApprovals: request.minApprovals,
        agentReason: request.reason,
        preview: describePreview(request.preview, statementKindOf(request.sqlText)),
        votes: request.decisions.map((vote) => ({ by: vote.user.name || vote.user.email, verdict: vote.verdict, reason: vote.reason, at: vote.createdAt.toISOString(), via: vote.via })),
      },
    ]),
  );
}

/** A short sentence for why a chain check failed at an event. */
export function breakExplanation(reason: BreakReason): string {
  switch (reason) {
    case "hash_mismatch":
      return "this event's fields no longer match its hash: it was changed after it was recorded";
    case "prev_mismatch":
      return "this event does not follow the one before it: an event was changed, removed or inserted";
    case "seq_gap":
      return "this event is missing from the recording";
    case "head_mismatch":
      return "the session's recorded head does not name this event: events were added or the head was rewritten";
  }
}
