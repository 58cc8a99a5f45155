import { canonicalJson } from "../audit/chain";
import { toCsv, type CsvCell as CsvValue } from "../export/csv";
import type { SessionExport } from "./replay";

// A recorded session as a file an auditor keeps: JSON (the session, the chain check, the approvals and every
// event as stored, so the hashes can be re-computed) or CSV (one line per event). Masked values only, as stored.

export type ExportFormat = "json" | "csv";

export function exportFileName(sessionId: string, format: ExportFormat): string {
  return `airlock-session-${sessionId}.${format}`;
}

export function sessionJson(data: SessionExport, exportedAt: Date): string {
  return `${JSON.stringify({ format: "airlock.session.v1", exportedAt: exportedAt.toISOString(), ...data }, null, 2)}\n`;
}

export const CSV_HEADER = ["session_id", "agent", "connection", "front_door", "seq", "type", "at", "decision", "sql", "payload", "prev_hash", "hash", "chain"] as const;

export function sessionCsv(data: SessionExport): string {
  const { session, chain } = data;
  const rows = data.events.map((event): CsvValue[] => [
    session.id,
    session.agent,
    session.connection,
    session.frontDoor,
    event.seq,
    event.type,
    event.at,
    event.decision,
    event.sqlText,
    canonicalJson(event.payload),
    event.prevHash,
    event.hash,
    chain.verified || event.seq < chain.seq ? "verified" : event.seq === chain.seq ? `broken: ${chain.reason}` : "unverified",
  ]);
  return toCsv(CSV_HEADER, rows);
}
