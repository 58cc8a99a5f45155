import type { FrontDoor, SessionEventType } from "../../../lib/store/generated/client";

// What the recorder writes into a journal frame's body, and reads back to ship it: a one-line JSON header, a
// newline, then the payload's canonical JSON exactly as it will be hashed and stored (so shipping never parses
// or re-serialises a payload). JSON.stringify escapes newlines, so the first one ends the header.
//
//   open    a session begins: its AgentSession row and its `connect` event are created together when shipped
//   event   one event of a session, chained to the session's head when shipped

export interface OpenRecord {
  readonly kind: "open";
  readonly sessionId: string;
  readonly agentId: string;
  readonly connectionId: string | null;
  readonly frontDoor: FrontDoor;
  readonly clientKey: string | null;
  readonly clientAddr: string | null;
  /** ISO-8601 with milliseconds. */
  readonly at: string;
  readonly payloadJson: string;
}

export interface EventRecord {
  readonly kind: "event";
  readonly sessionId: string;
  readonly type: SessionEventType;
  readonly at: string;
  readonly decision: string | null;
  readonly sqlText: string | null;
  readonly payloadJson: string;
}

export type JournalRecord = OpenRecord | EventRecord;

interface OpenHeader {
  k: "o";
  s: string;
  ag: string;
  c: string | null;
  fd: FrontDoor;
  ck: string | null;
  ca: string | null;
  a: string;
}

interface EventHeader {
  k: "e";
  s: string;
  t: SessionEventType;
  a: string;
  d: string | null;
  q: string | null;
}

export function encodeRecord(record: JournalRecord): Buffer {
  const header: OpenHeader | EventHeader =
    record.kind === "open"
      ? { k: "o", s: record.sessionId, ag: record.agentId, c: record.connectionId, fd: record.frontDoor, ck: record.clientKey, ca: record.clientAddr, a: record.at }
      : { k: "e", s: record.sessionId, t: record.type, a: record.at, d: record.decision, q: record.sqlText };
  return Buffer.from(`${JSON.stringify(header)}\n${record.payloadJson}`, "utf8");
}

/** Reads a body back; null when it is not one this version writes (reported by the caller, never thrown). */
export function decodeRecord(body: Buffer): JournalRecord | null {
  const newline = body.indexOf(10);
  if (newline < 0) return null;
  try {
    const header = JSON.parse(body.toString("utf8", 0, newline)) as OpenHeader | EventHeader;
    const payloadJson = body.toString("utf8", newline + 1);
    if (header.k === "o") {
      return { kind: "open", sessionId: header.s, agentId: header.ag, connectionId: header.c, frontDoor: header.fd, clientKey: header.ck, clientAddr: header.ca, at: header.a, payloadJson };
    }
    if (header.k === "e") return { kind: "event", sessionId: header.s, type: header.t, at: header.a, decision: header.d, sqlText: header.q, payloadJson };
    return null;
  } catch {
    return null;
  }
}
