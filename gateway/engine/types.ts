import type { BlockDecision, Decision, MaskingPlan } from "../../lib/policy";
import type { Analysis } from "../../lib/sql/types";
import type { Connection } from "../../lib/store/generated/client";

// What the front doors get back from the engine, and what an EngineSession hands its pipeline. Every door (HTTP,
// MCP, pgwire, mysqlwire) speaks only these shapes; none decides anything itself.

export type FrontDoorName = "http" | "mcp" | "pgwire" | "mysqlwire";

export interface EngineAgent {
  readonly agentId: string;
  readonly agentName: string;
  readonly groups: readonly string[];
}

export interface StatementRequest {
  readonly agent: EngineAgent;
  /** Authorised for this agent by its EngineSession (grant checked). */
  readonly connection: Connection;
  readonly sessionId: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  /** How long to wait for an approval before answering "pending" (0: answer at once). */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
  /** A door with a session of its own (pgwire) runs the decided statement there instead of on the pool. */
  readonly executor?: SessionExecutor;
  /** Called once an approval request exists, before the wait (pgwire sends a NoticeResponse naming it). */
  readonly onPending?: (ticket: ApprovalTicket) => void;
  /** Called once an approval was consumed, before the statement runs (pgwire sends a notice with the approvers' comments). */
  readonly onApproved?: (ticket: ApprovalTicket) => void;
  /**
   * When the statement needs approval and a live request (pending, or approved and unused) exists for exactly this
   * statement, parameters, connection and agent, continue it instead of asking again (MySQL: no way to name one).
   */
  readonly continueApproval?: boolean;
  /** Checks the agent still holds a grant to the connection (before and after an approval wait). */
  readonly authorize?: (connection: Connection) => Promise<void>;
  /** The statement's decision at its prepare step (PostgreSQL Parse), kept while it still holds (see Prepared). */
  readonly prepared?: Prepared;
  /** The agent's justification (HTTP/MCP `reason`, the session's `SET airlock.reason`); a leading reason comment otherwise. */
  readonly reason?: string;
  /** Run it in a read-only transaction whatever the connection says (MCP's `query` and `explain` tools). */
  readonly readOnly?: boolean;
}

/**
 * A statement decided at a protocol's prepare step. Its Execute reuses the analysis and an `allow` decision while
 * they still hold: the same text, the same compiled policies and the same connection settings. Anything else (a
 * policy edited in between, an approval whose expiry is computed when it is asked for) is decided again.
 */
export interface Prepared {
  readonly sql: string;
  readonly analysis: Analysis;
  readonly decision: Decision;
  /** The compiled policies it was decided with (PolicyCache.current(): a new object whenever a policy changes). */
  readonly policies: unknown;
  readonly connectionVersion: number;
}

/** What the engine hands a door's executor once a statement may run: it must mask with `plans` before replying. */
export interface DecidedStatement {
  readonly analysis: Analysis;
  readonly params: readonly unknown[];
  readonly decision: Exclude<Decision, { action: "block" }>;
  readonly plans: readonly MaskingPlan[];
  /** The target's value-quoting errors and notices keep only their SQLSTATE (error-text.ts `hidesErrorsOf`). */
  readonly hideErrorText: boolean;
  readonly connection: Connection;
  readonly signal?: AbortSignal;
}

/**
 * Runs a decided statement on the door's own target session and relays its answer, masked. Resolves with the
 * results as the recording should see them (masked sample rows only); rejects with an EngineError.
 */
export interface SessionExecutor {
  run(statement: DecidedStatement): Promise<readonly StatementResult[]>;
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
  /** What the approvers said when they approved (their comments, returned to the agent). */
  readonly comments?: readonly { readonly by: string; readonly comment: string }[];
}

export type Outcome =
  | {
      readonly kind: "result";
      readonly sessionId: string;
      readonly eventId: string;
      readonly results: readonly StatementResult[];
      readonly hints: readonly string[];
      /** The approval it ran under, with the approvers' comments. */
      readonly approval?: ApprovalTicket;
    }
  | { readonly kind: "blocked"; readonly sessionId: string; readonly eventId: string; readonly decision: BlockDecision; readonly policyName?: string }
  | { readonly kind: "pending"; readonly sessionId: string; readonly approval: ApprovalTicket }
  | { readonly kind: "rejected"; readonly sessionId: string; readonly approval: ApprovalTicket; readonly reason: string }
  | { readonly kind: "expired"; readonly sessionId: string; readonly approval: ApprovalTicket };

export type { Decision };
