import type { Tone } from "@/components/ui/badge";

// Words and tones for recorded decisions, event types and front doors, shared by the table and the replay.

const DECISIONS: Record<string, { label: string; tone: Tone }> = {
  allow: { label: "Allowed", tone: "good" },
  mask: { label: "Masked", tone: "warn" },
  require_approval: { label: "Needs approval", tone: "info" },
  block: { label: "Blocked", tone: "bad" },
  approved: { label: "Approved", tone: "good" },
  rejected: { label: "Rejected", tone: "bad" },
  expired: { label: "Expired", tone: "neutral" },
};

export function decisionLabel(decision: string | null | undefined): { label: string; tone: Tone } {
  if (!decision) return { label: "No decision", tone: "neutral" };
  return DECISIONS[decision] ?? { label: decision, tone: "neutral" };
}

export const DECISION_OPTIONS: readonly { value: string; label: string }[] = [
  { value: "allow", label: "Allowed" },
  { value: "require_approval", label: "Needs approval" },
  { value: "block", label: "Blocked" },
];

const DOORS: Record<string, string> = { http: "HTTP API", mcp: "MCP", pgwire: "PostgreSQL wire", mysqlwire: "MySQL wire" };

export function frontDoorLabel(door: string): string {
  return DOORS[door] ?? door;
}

export const FRONT_DOOR_OPTIONS = Object.entries(DOORS).map(([value, label]) => ({ value, label }));

const EVENT_TYPES: Record<string, string> = {
  connect: "Connected",
  statement: "Statement",
  decision: "Decision",
  approval_wait: "Waiting for approval",
  approval_outcome: "Approval outcome",
  result: "Result",
  error: "Error",
  disconnect: "Disconnected",
};

export function eventTypeLabel(type: string): string {
  return EVENT_TYPES[type] ?? type;
}

/** "+1.25 s", "+340 ms", "+2 min 5 s": an event's time since the session started. */
export function offsetLabel(ms: number): string {
  if (ms < 1000) return `+${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `+${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "2026-11-25 22:35:01.042 UTC". */
export function utcTime(iso: string): string {
  return iso.replace("T", " ").replace("Z", " UTC");
}
