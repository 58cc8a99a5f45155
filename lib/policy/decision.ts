import type { Dialect } from "../sql/types";
import type { MaskStrategy } from "./strategy";
import type { Role } from "./model";

// The inputs and outputs of `evaluate`. A Decision is a union on `action`; every variant carries the rules that
// matched, structured reasons, and agent-facing hints. Nothing in a Decision holds a row value or a secret.

/** Real columns of tables, in table order: `{ "public.customers": ["id", "name", ...] }`. Keys may omit the schema. */
export type Catalog = Readonly<Record<string, readonly string[]>>;

export interface EvaluationContext {
  /** The connection's name (matched against rule scopes). */
  readonly connection: string;
  readonly agentId: string;
  /** The agent's name, as people know it; a scope's `agents` match either the id or the name. */
  readonly agentName?: string;
  readonly agentGroups: readonly string[];
  readonly dialect: Dialect;
  /** The clock, passed in: evaluation never reads the time itself. */
  readonly now: Date;
  /** Overrides the catalog given to compilePolicy (resolves `*` against the target's real columns). */
  readonly catalog?: Catalog;
}

export interface RuleRef {
  readonly policyId: string;
  readonly ruleId: string;
  readonly ruleName: string;
}

export interface MatchedRule extends RuleRef {
  readonly action: "allow" | "block" | "require_approval" | "mask";
  /** Index of the statement in the analysed text. */
  readonly statementIndex: number;
  /** What matched, e.g. "function pg_read_file", "update without WHERE". */
  readonly what: string;
}

export type ReasonCode =
  | "rule_block" // a block rule matched
  | "rule_approval" // a require_approval rule matched
  | "rule_allow" // an allow rule matched
  | "default_action" // no rule decided the statement: the policy's default applied
  | "masked_predicate" // a masked column is used in a predicate (probing)
  | "masked_whole_row" // whole-row access to a table with masked columns that cannot be masked per column
  | "masked_derived" // an expression over a masked column, blocked by the rule's option
  | "masked_copy" // COPY of a table with masked columns (COPY output cannot be masked)
  | "masked_copy_write" // a write that copies rows out of a table with masked columns
  | "masked_variable" // a (MySQL) variable assignment that would store values of a table with masked columns
  | "dialect_mismatch" // the analysis is for another dialect than the connection's
  | "nothing_analysed"; // the analysis holds no statement (fail closed)

export interface Reason {
  readonly code: ReasonCode;
  readonly message: string;
  readonly statementIndex: number;
  readonly rule?: RuleRef;
}

/** How one output column of a result is treated. */
export interface ColumnPlan {
  readonly index: number;
  readonly name: string;
  /** null: the value passes unchanged (after detectors, when `detectors`). */
  readonly strategy: MaskStrategy | null;
  /** Why it is masked. */
  readonly because?: {
    readonly rule: RuleRef;
    /** The masked source column, "customers.card_number" ("customers.*" for a whole-row value). */
    readonly source: string;
    /** direct: the column itself; derived: an expression over it; whole-row: a row value containing it. */
    readonly via: "direct" | "derived" | "whole-row";
  };
  /** Run value detectors (card numbers, e-mail, SSN, ...) on this column. */
  readonly detectors: boolean;
}

export interface MaskingPlan {
  /** The statement whose result this plan is for. */
  readonly statementIndex: number;
  /** Columns by position in the result. */
  readonly columns: readonly ColumnPlan[];
  /**
   * Columns at positions past `columns` (or every column when a `*` could not be expanded, which is only allowed
   * when nothing in the statement is masked): pass through, with detectors when set.
   */
  readonly otherColumns: { readonly detectors: boolean };
  /** True when any column is masked: database error messages for this statement may quote values and must be scrubbed. */
  readonly touchesMasked: boolean;
  /**
   * True when the statement reads or writes a table with a masked column, however it uses it: a database error can
   * then quote a stored masked value even when no result column or condition is masked (e.g. a cast inside a
   * LATERAL subquery), so its text is scrubbed like touchesMasked's.
   */
  readonly readsMaskedTable: boolean;
}

export interface ApprovalRequirement {
  readonly approverRoles: readonly Role[];
  /** When present, deciders must also be in one of these identity-provider groups. */
  readonly approverGroups?: readonly string[];
  readonly minApprovals: number;
  readonly expirySeconds: number;
  /** now + expirySeconds. */
  readonly expiresAt: Date;
  readonly message?: string;
  /** Some matched rule wants the agent's justification. */
  readonly requireReason: boolean;
  /** The shortest reminder delay of the matched rules, when any sets one. */
  readonly remindAfterSeconds?: number;
  /** The ids of the rules that asked for approval (notification channels can be limited to one). */
  readonly ruleIds: readonly string[];
}

interface DecisionBase {
  readonly matched: readonly MatchedRule[];
  readonly reasons: readonly Reason[];
  /** Agent-facing hints, e.g. "add a WHERE clause", "`customers.card_number` is masked: `customers.card_last4` is available". */
  readonly hints: readonly string[];
  /** Smallest maxRows of the policies in force; the gateway stops reading past it. */
  readonly maxRows?: number;
}

interface DecisionWithResults extends DecisionBase {
  /** The plan for the last statement that returns rows (or the last statement). */
  readonly masking: MaskingPlan;
  /** One plan per statement, by statement index, for front doors that relay several results. */
  readonly maskingByStatement: readonly MaskingPlan[];
}

export interface AllowDecision extends DecisionWithResults {
  readonly action: "allow";
}

export interface ApprovalDecision extends DecisionWithResults {
  readonly action: "require_approval";
  readonly approval: ApprovalRequirement;
}

export interface BlockDecision extends DecisionBase {
  readonly action: "block";
  /** The first reason that blocked, in statement order; safe to show the agent. */
  readonly message: string;
  readonly code: ReasonCode;
  readonly statementIndex: number;
}

export type Decision = AllowDecision | ApprovalDecision | BlockDecision;

/**
 * Receives explanations while evaluating. Absent on the fast path; nothing is formatted when it is absent.
 */
export interface PolicyTracer {
  rule(rule: RuleRef, statementIndex: number, matched: boolean, why: string): void;
  column?(statementIndex: number, columnIndex: number, why: string): void;
  decision?(action: Decision["action"], why: string): void;
}
