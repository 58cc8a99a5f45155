import type { BlockDecision, Decision } from "../../lib/policy";
import type { Connection } from "../../lib/store/generated/client";

// What the front doors hand the engine and what they get back. Every door (HTTP, MCP, pgwire, mysqlwire)
// speaks only these shapes; none decides anything itself.

export type FrontDoorName = "http" | "mcp" | "pgwire" | "mysqlwire";

export interface EngineAgent {
  readonly agentId: string;
  readonly agentName: string;
  readonly groups: readonly string[];
}

export interface StatementRequest {
  readonly agent: EngineAgent;
  /** Already authorised for this agent by the front door (grant checked). */
  readonly connection: Connection;
  readonly sessionId: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  /** How long to wait for an approval before answering "pending" (0: answer at once). */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
}

export interface ResultColumn {
  readonly name: string;
  readonly type: string;
  /** Present when policy masked this column. */
  readonly masked?: { readonly strategy: string; readonly source: string; readonly via: string; readonly rule: string };
}

export interface StatementResult {
  readonly statementIndex: number;
  readonly command: string;
  readonly columns: readonly ResultColumn[];
  /** Masked values only. */
  readonly rows: readonly (readonly unknown[])[];
  readonly rowCount: number;
  readonly truncated: boolean;
  readonly durationMs: number;
}

export interface ApprovalTicket {
  readonly id: string;
  readonly status: "pending" | "approved" | "rejected" | "expired" | "consumed";
  readonly expiresAt: Date;
  /** Where an approver decides it. */
  readonly url: string;
  readonly message?: string;
}

export type Outcome =
  | { readonly kind: "result"; readonly sessionId: string; readonly eventId: string; readonly results: readonly StatementResult[]; readonly hints: readonly string[] }
  | { readonly kind: "blocked"; readonly sessionId: string; readonly eventId: string; readonly decision: BlockDecision; readonly policyName?: string }
  | { readonly kind: "pending"; readonly sessionId: string; readonly approval: ApprovalTicket }
  | { readonly kind: "rejected"; readonly sessionId: string; readonly approval: ApprovalTicket; readonly reason: string }
  | { readonly kind: "expired"; readonly sessionId: string; readonly approval: ApprovalTicket };

export type { Decision };
