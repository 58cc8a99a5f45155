import type { Store } from "../store/client";
import { eventHash, GENESIS_HASH } from "./chain";

// Walks every session's hash chain (or one session's) and names the first broken link of each session.
// Sessions are read by id and events by (sessionId, seq) in keyset pages, so a store with millions of events is
// never loaded at once. The walk reads committed rows only and tolerates appends made while it runs: it reads
// the session's head after reaching the end of its events, and keeps walking when the head has moved on.
//
//   seq_gap        the event with that seq is missing (deleted, or seqs skip)
//   prev_mismatch  that event's prevHash is not the hash of the event before it (or the genesis hash)
//   hash_mismatch  that event's hash is not the hash of its own fields (a field was changed)
//   head_mismatch  the session's headHash/eventCount do not name its last event: seq is the first event past
//                  the head (events appended behind the recorder's back), or the head's own seq (head rewritten)
//
// What the chain cannot show: someone able to rewrite every event from the tampered one to the end AND the
// session's head leaves a chain that verifies. Anchoring heads outside the store is what closes that.

export type BreakReason = "hash_mismatch" | "prev_mismatch" | "seq_gap" | "head_mismatch";

export interface BrokenLink {
  readonly sessionId: string;
  readonly seq: number;
  readonly reason: BreakReason;
}

export interface VerifyReport {
  readonly sessions: number;
  readonly events: number;
  readonly broken: BrokenLink[];
}

export interface VerifyProgress {
  readonly sessions: number;
  readonly events: number;
  readonly broken: number;
}

export interface VerifyOptions {
  /** Only this session. */
  readonly sessionId?: string;
  /** Events per page (default 2000). */
  readonly pageSize?: number;
  /** Called after each page of events. */
  readonly onProgress?: (progress: VerifyProgress) => void;
}

const SESSION_PAGE = 500;

export async function verifyChains(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = Math.max(1, options.pageSize ?? 2000);
  const broken: BrokenLink[] = [];
  let sessions = 0;
  let events = 0;
  const report = () => options.onProgress?.({ sessions, events, broken: broken.length });

  for await (const sessionId of sessionIds(store, options.sessionId)) {
    sessions++;
    const result = await verifySession(store, sessionId, pageSize, (checked) => {
      events += checked;
      report();
    });
    if (result) broken.push(result);
  }
  report();
  return { sessions, events, broken };
}

async function* sessionIds(store: Store, only: string | undefined): AsyncGenerator<string> {
  if (only !== undefined) {
    const found = await store.agentSession.findUnique({ where: { id: only }, select: { id: true } });
    if (found) yield found.id;
    return;
  }
  let after: string | undefined;
  for (;;) {
    const page = await store.agentSession.findMany({
      where: after === undefined ? {} : { id: { gt: after } },
      orderBy: { id: "asc" },
      take: SESSION_PAGE,
      select: { id: true },
    });
    for (const row of page) yield row.id;
    if (page.length < SESSION_PAGE) return;
    after = page[page.length - 1].id;
  }
}

/** The first broken link of the session, or null when its chain holds. */
async function verifySession(store: Store, sessionId: string, pageSize: number, onPage: (checked: number) => void): Promise<BrokenLink | null> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const page = await store.sessionEvent.findMany({
      where: { sessionId, seq: { gte: expectedSeq } },
      orderBy: { seq: "asc" },
      take: pageSize,
      select: { seq: true, type: true, at: true, decision: true, sqlText: true, payload: true, prevHash: true, hash: true },
    });
    let checked = 0;
    for (const event of page) {
      if (event.seq !== expectedSeq) return (onPage(checked), { sessionId, seq: expectedSeq, reason: "seq_gap" });
      checked++;
      if (event.prevHash !== prevHash) return (onPage(checked), { sessionId, seq: event.seq, reason: "prev_mismatch" });
      const body = { sessionId, seq: event.seq, type: event.type, at: event.at.toISOString(), decision: event.decision, sqlText: event.sqlText, payload: event.payload };
      if (eventHash(event.prevHash, body) !== event.hash) return (onPage(checked), { sessionId, seq: event.seq, reason: "hash_mismatch" });
      prevHash = event.hash;
      expectedSeq++;
    }
    onPage(checked);
    if (page.length === pageSize) continue;

    // End of the events seen so far: the head must name the last one. A head further on means events were
    // appended while we walked; go on reading them.
    const head = await store.agentSession.findUnique({ where: { id: sessionId }, select: { headHash: true, eventCount: true } });
    if (!head) return null; // deleted while we walked (the schema forbids that while it has events)
    const lastSeq = expectedSeq - 1;
    if (head.eventCount > lastSeq) {
      const more = await store.sessionEvent.count({ where: { sessionId, seq: { gte: expectedSeq } } });
      if (more > 0) continue;
      return { sessionId, seq: expectedSeq, reason: "seq_gap" };
    }
    const headHash = head.headHash ?? GENESIS_HASH;
    if (head.eventCount < lastSeq) return { sessionId, seq: head.eventCount + 1, reason: "head_mismatch" };
    if (headHash !== prevHash) return { sessionId, seq: head.eventCount, reason: "head_mismatch" };
    return null;
  }
}
