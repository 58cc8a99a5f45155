// Hand-built analyses for the unit tests (lib/sql's analyze is exercised end to end in decisions.test.ts).
import type { Analysis, OutputColumn, SourceColumn, StatementAnalysis } from "../sql/types";
import type { EvaluationContext } from "./decision";
import { policySchema, type Policy, type RuleInput } from "./model";

export function stmt(p: Partial<StatementAnalysis> & Pick<StatementAnalysis, "kind">): StatementAnalysis {
  const text = p.text ?? `-- ${p.kind}`;
  return {
    dialect: "postgres",
    text,
    normalized: p.normalized ?? text,
    fingerprint: "f",
    tablesRead: [],
    tablesWritten: [],
    outputColumns: [],
    predicateColumns: [],
    functions: [],
    hasWhere: true,
    hasLimit: false,
    ...p,
  };
}

/** "customers.card_number" → { table: "customers", column: "card_number" } (split at the last dot). */
export function src(qualified: string): SourceColumn {
  const dot = qualified.lastIndexOf(".");
  return { table: qualified.slice(0, dot), column: qualified.slice(dot + 1) };
}

/** A direct column: `out("card_number", "customers.card_number")`. */
export function out(name: string, ...sources: string[]): OutputColumn {
  return { name, sources: sources.map(src), direct: sources.length === 1 };
}

/** A computed column: `expr("upper", "customers.email")`. */
export function expr(name: string, ...sources: string[]): OutputColumn {
  return { name, sources: sources.map(src), direct: false };
}

export function analysis(...statements: StatementAnalysis[]): Analysis {
  return { dialect: statements[0]?.dialect ?? "postgres", statements, multiStatement: statements.length > 1 };
}

export const NOW = new Date("2025-01-02T03:04:05.000Z");

export function context(p: Partial<EvaluationContext> = {}): EvaluationContext {
  return { connection: "prod-db", agentId: "agent-1", agentGroups: ["analysts"], dialect: "postgres", now: NOW, ...p };
}

export function policy(rules: RuleInput[], extra: Partial<Omit<Policy, "rules">> = {}): Policy {
  return policySchema.parse({ id: "test", name: "Test", ...extra, rules });
}

/** The demo masking policy of the issue. */
export function demoMasking(): Policy {
  return policy(
    [
      {
        id: "mask-card",
        name: "Card numbers",
        action: { type: "mask", columns: ["customers.card_number"], strategy: { kind: "card" }, alternative: "`customers.card_last4` is available" },
      },
      { id: "mask-ssn", name: "SSN", action: { type: "mask", columns: ["customers.ssn"], strategy: { kind: "redact" } } },
      { id: "mask-email", name: "E-mail", action: { type: "mask", columns: ["customers.email"], strategy: { kind: "email" } } },
    ],
    { id: "demo-masking", name: "Demo masking", settings: { defaultAction: "allow", detectors: "unknown" } },
  );
}

export const CUSTOMERS = { customers: ["id", "name", "email", "card_number", "card_last4", "ssn"] } as const;
