import { evaluate, type MaskStrategy } from "../../lib/policy";
import { stronger } from "../../lib/policy/masks";
import type { OriginMask } from "../../lib/masking";
import { analyze } from "../../lib/sql";
import type { OutputColumn, StatementAnalysis } from "../../lib/sql/types";
import type { Connection } from "../../lib/store/generated/client";
import { evaluationContext } from "./context";
import type { PolicyCache } from "./policy-cache";
import type { EngineAgent } from "./types";

// MySQL and MariaDB do not say which table a view's column comes from (a result column's org_table is the view, or
// the query's alias), so a statement that reads a view is followed through the view's definition instead: each
// view defined on the target (information_schema.VIEWS, re-read with the catalog) is analysed with the MySQL analysis
// and decided as a statement of this agent, and a column the view passes on from a masked column keeps that mask —
// renamed or not, through views of views. A view policy would block counts as fully masked; a view column whose
// origin the analysis cannot follow gets the detectors. The answers per view are kept until the policies change.

const REDACT: MaskStrategy = { kind: "redact" };
const MAX_VIEW_DEPTH = 8;

/** A view's columns by name → what they ask for; "all" when the view is hidden whole. */
type ViewPlan = ReadonlyMap<string, OriginMask> | "all";

export class ViewOrigins {
  #policies: unknown = null;
  readonly #plans = new Map<string, ViewPlan>();

  constructor(
    private readonly policies: PolicyCache,
    private readonly definitions: (tables: readonly string[]) => Promise<ReadonlyMap<string, string>>,
    private readonly agent: EngineAgent,
    private readonly connection: Connection,
  ) {}

  /**
   * One entry per result column of `statement`: what the views it reads ask for (null where no view is involved).
   * Result columns are matched to the statement's output columns by position, or by name under a `*`.
   */
  async masks(statement: StatementAnalysis | undefined, columns: readonly { readonly name: string }[]): Promise<OriginMask[]> {
    const out: OriginMask[] = new Array(columns.length).fill(null);
    if (statement === undefined || statement.tablesRead.length === 0) return out;
    const views = await this.#views(statement.tablesRead);
    const read = statement.tablesRead.filter((table) => views.has(table.toLowerCase()));
    if (read.length === 0) return out;
    this.#fresh();
    const star = statement.outputColumns.some((column) => column.sources.some((source) => source.column === "*"));
    for (let i = 0; i < columns.length; i++) {
      if (star) {
        // under a `*`, a result column is the view column of that name (of any view read)
        for (const view of read) out[i] = combine(out[i]!, this.#column(views, view, columns[i]!.name, 0));
      } else {
        const output: OutputColumn | undefined = statement.outputColumns[i];
        for (const source of output?.sources ?? []) {
          if (views.has(source.table.toLowerCase())) out[i] = combine(out[i]!, this.#column(views, source.table, source.column, 0));
        }
      }
    }
    return out;
  }

  /** The views among `tables` and the views they read, to the depth followed. */
  async #views(tables: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = new Map(await this.definitions(tables));
    let next = [...found.values()];
    for (let depth = 0; next.length > 0 && depth < MAX_VIEW_DEPTH; depth++) {
      const inner = [...new Set(next.flatMap((definition) => analyze(definition, "mysql").statements.flatMap((s) => s.tablesRead)))].filter((table) => !found.has(table.toLowerCase()));
      if (inner.length === 0) break;
      const more = await this.definitions(inner);
      for (const [name, definition] of more) found.set(name, definition);
      next = [...more.values()];
    }
    return found;
  }

  #column(views: ReadonlyMap<string, string>, view: string, column: string, depth: number): OriginMask {
    const plan = this.#plan(views, view, depth);
    if (plan === "all") return REDACT;
    if (column === "*") return [...plan.values()].reduce<OriginMask>(combine, null);
    return plan.get(column.toLowerCase()) ?? "detect";
  }

  #plan(views: ReadonlyMap<string, string>, view: string, depth: number): ViewPlan {
    const definition = views.get(view.toLowerCase()) ?? "";
    const key = `${view.toLowerCase()}\u0000${definition}`; // a replaced view is decided again
    const known = this.#plans.get(key);
    if (known !== undefined) return known;
    const plan = depth >= MAX_VIEW_DEPTH ? "all" : this.#decide(views, definition, depth);
    if (this.#plans.size >= 1_000) this.#plans.clear();
    this.#plans.set(key, plan);
    return plan;
  }

  /** The view's definition decided as a statement of this agent; its columns' masks, through views it reads. */
  #decide(views: ReadonlyMap<string, string>, definition: string, depth: number): ViewPlan {
    const analysis = analyze(definition, "mysql");
    const statement = analysis.statements[0];
    if (analysis.statements.length !== 1 || statement?.kind !== "select") return "all";
    const decision = evaluate(this.policies.current(), analysis, evaluationContext(this.agent, this.connection, new Date()));
    if (decision.action === "block") return "all";
    const plan = new Map<string, OriginMask>();
    statement.outputColumns.forEach((output, index) => {
      const planned = decision.masking.columns[index];
      let mask: OriginMask = planned?.strategy ?? (planned?.detectors ? "detect" : null);
      for (const source of output.sources) {
        if (views.has(source.table.toLowerCase())) mask = combine(mask, this.#column(views, source.table, source.column, depth + 1));
      }
      if (output.sources.length === 0 && mask === null) mask = "detect";
      plan.set(output.name.toLowerCase(), mask);
    });
    return plan;
  }

  #fresh(): void {
    const compiled = this.policies.current();
    if (compiled !== this.#policies) {
      this.#plans.clear();
      this.#policies = compiled;
    }
  }
}

/** The stronger of two origin masks: any strategy over the detectors, the detectors over nothing. */
function combine(a: OriginMask, b: OriginMask): OriginMask {
  if (a === null) return b;
  if (b === null) return a;
  if (a === "detect") return b;
  if (b === "detect") return a;
  return stronger(a, b);
}
