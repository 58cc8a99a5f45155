import { evaluate, type MaskStrategy } from "../../lib/policy";
import type { StatementAnalysis } from "../../lib/sql/types";
import type { Connection } from "../../lib/store/generated/client";
import type { PolicyCache } from "../engine/policy-cache";
import type { EngineAgent } from "../engine/types";
import type { PostgresTarget } from "../targets/postgres/target";
import type { FieldDescription } from "./messages";

// RowDescription names where each column comes from (table oid + attribute number). Whatever the analysis
// made of the statement (a view, a function, EXECUTE of an SQL-level PREPARE), a column that comes straight
// from a masked source column is masked with that column's strategy. Oids are resolved once through the
// target's catalog; the answer per column is kept until the policies change.

export class OriginMasks {
  readonly #cache = new Map<string, MaskStrategy | null>();
  #policies: unknown = null;

  constructor(
    private readonly policies: PolicyCache,
    private readonly target: PostgresTarget,
    private readonly agent: EngineAgent,
    private readonly connection: Connection,
  ) {}

  /** One entry per field: the masked source column's strategy, or null. Synchronous when every answer is known. */
  strategies(fields: readonly FieldDescription[]): (MaskStrategy | null)[] | Promise<(MaskStrategy | null)[]> {
    const compiled = this.policies.current();
    if (compiled !== this.#policies) {
      this.#cache.clear();
      this.#policies = compiled;
    }
    const out: (MaskStrategy | null)[] = new Array(fields.length).fill(null);
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
        const strategy = origin && column ? this.#strategyOf(origin.table, column) : null;
        this.#cache.set(`${field.tableOid}:${field.columnNumber}`, strategy);
        out[i] = strategy;
      }
      return out;
    });
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
    const context = { connection: this.connection.name, agentId: this.agent.agentId, agentGroups: this.agent.groups, dialect: "postgres" as const, now: new Date() };
    const decision = evaluate(this.policies.current(), { dialect: "postgres", statements: [probe], multiStatement: false }, context);
    if (decision.action === "block") return null;
    return decision.masking.columns[0]?.strategy ?? null;
  }
}
