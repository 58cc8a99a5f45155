import { evaluate, type MaskStrategy } from "../../lib/policy";
import type { OriginMask } from "../../lib/masking";
import { analyze } from "../../lib/sql";
import type { StatementAnalysis } from "../../lib/sql/types";
import type { Connection } from "../../lib/store/generated/client";
import type { PolicyCache } from "./policy-cache";
import type { EngineAgent } from "./types";
import type { RelationOrigins } from "../targets";
import { evaluationContext } from "./context";

/** Where a result column comes from, as PostgreSQL's RowDescription says (0 when it is not a table column). */
export interface FieldOrigin {
  readonly tableOid: number;
  readonly columnNumber: number;
}

// Used by both PostgreSQL-speaking doors: the wire door on its RowDescription, the HTTP door on node-pg's fields.
// RowDescription names where each column comes from (table oid + attribute number). Whatever the analysis
// made of the statement (a view, a function, EXECUTE of an SQL-level PREPARE), a column that comes straight
// from a masked source column is masked with that column's strategy. A view's column is followed through the
// view's own definition (analysed and decided like a statement; a view policy would block counts as fully
// masked); a column of any other relation that is not a plain table gets the value detectors. Oids are
// resolved once through the target's catalog; the answer per column is kept until the policies change.


const REDACT: MaskStrategy = { kind: "redact" };

export class OriginMasks {
  readonly #cache = new Map<string, OriginMask>();
  #policies: unknown = null;

  constructor(
    private readonly policies: PolicyCache,
    private readonly target: RelationOrigins,
    private readonly agent: EngineAgent,
    private readonly connection: Connection,
  ) {}

  /** ColumnOrigins: by each column's table oid and attribute number (the statement's analysis is not needed). */
  masks(_statement: unknown, columns: readonly { readonly tableOid?: number; readonly columnNumber?: number }[]): OriginMask[] | Promise<OriginMask[]> {
    return this.strategies(columns.map((column) => ({ tableOid: column.tableOid ?? 0, columnNumber: column.columnNumber ?? 0 })));
  }

  /** One entry per field: the masked source column's strategy, or null. Synchronous when every answer is known. */
  strategies(fields: readonly FieldOrigin[]): OriginMask[] | Promise<OriginMask[]> {
    const compiled = this.policies.current();
    if (compiled !== this.#policies) {
      this.#cache.clear();
      this.#views.clear();
      this.#policies = compiled;
    }
    const out: OriginMask[] = new Array(fields.length).fill(null);
    const unknown: number[] = [];
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (field.tableOid === 0 || field.columnNumber <= 0) continue;
      const cached = this.#cache.get(`${field.tableOid}:${field.columnNumber}`);
      if (cached === undefined) unknown.push(i);
      else out[i] = cached;
    }
    if (unknown.length === 0) return out;
    return this.target.relationOrigins(unknown.map((i) => fields[i]!.tableOid)).then((origins) => {
      for (const i of unknown) {
        const field = fields[i]!;
        const origin = origins.get(field.tableOid);
        const column = origin?.columns.get(field.columnNumber);
        let strategy: OriginMask = null;
        if (origin && column) {
          if (origin.kind === "v" || origin.kind === "m") strategy = this.#viewColumn(field.tableOid, origin.definition ?? "", field.columnNumber);
          else strategy = this.#strategyOf(origin.table, column) ?? (origin.kind === "r" || origin.kind === "p" ? null : "detect");
        }
        this.#cache.set(`${field.tableOid}:${field.columnNumber}`, strategy);
        out[i] = strategy;
      }
      return out;
    });
  }

  readonly #views = new Map<number, OriginMask[] | "all">();

  /** Column `attnum` of a view, through the view's definition decided as a statement of this agent. */
  #viewColumn(oid: number, definition: string, attnum: number): OriginMask {
    let plan = this.#views.get(oid);
    if (plan === undefined) {
      const analysis = analyze(definition, "postgres");
      const decision = evaluate(this.policies.current(), analysis, evaluationContext(this.agent, this.connection, new Date()));
      if (decision.action === "block" || analysis.statements.length !== 1 || analysis.statements[0]!.kind !== "select") plan = "all";
      else plan = decision.masking.columns.map((column) => column.strategy ?? (column.detectors ? "detect" : null));
      this.#views.set(oid, plan);
    }
    if (plan === "all") return REDACT;
    return plan[attnum - 1] ?? "detect";
  }

  #strategyOf(table: string, column: string): MaskStrategy | null {
    const probe: StatementAnalysis = {
      dialect: "postgres",
      kind: "select",
      text: "",
      normalized: "",
      fingerprint: "",
      tablesRead: [table],
      tablesWritten: [],
      outputColumns: [{ name: column, sources: [{ table, column }], direct: true }],
      predicateColumns: [],
      functions: [],
      hasWhere: true,
      hasLimit: true,
    };
    const decision = evaluate(this.policies.current(), { dialect: "postgres", statements: [probe], multiStatement: false }, evaluationContext(this.agent, this.connection, new Date()));
    if (decision.action === "block") return null;
    return decision.masking.columns[0]?.strategy ?? null;
  }
}
