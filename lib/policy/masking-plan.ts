import type { OutputColumn, SourceColumn, StatementAnalysis } from "../sql/types";
import type { CatalogIndex } from "./catalog";
import { writesRows } from "./conditions";
import type { ColumnPlan, MaskingPlan, PolicyTracer, ReasonCode, RuleRef } from "./decision";
import { derivedStrategy, stronger, type ColumnSet, type CompiledMask, type MaskHit, type MaskIndex } from "./masks";
import type { PolicySettings } from "./model";
import type { MaskStrategy } from "./strategy";

// The masking plan of one statement's result, and the ways a statement could get around masking.
// Security rules (fail closed):
//  - an output that IS a masked column (lineage `direct`) gets the rule's strategy;
//  - an output COMPUTED from a masked column (upper(), ||, substring, casts, aggregates, JSON building) is hidden
//    whole (redact/null, never partial: substring() over a partial mask would leak the hidden part) or blocked;
//  - `*` of a table with masked columns is expanded from the catalog and masked per column; without the
//    catalog it is blocked ("select named columns");
//  - a row value (row_to_json(c), to_jsonb(c), c::text) of such a table is hidden whole or blocked;
//  - a masked column in a predicate lets an agent probe values (WHERE card_number LIKE '4%'): blocked unless
//    the rule allows it;
//  - COPY cannot be masked, so COPY of such a table is blocked; a write copying rows out of it needs approval.

export interface MaskEnv {
  readonly masks: MaskIndex;
  /** Mask rules in scope, by slot. */
  readonly active: readonly boolean[];
  readonly anyActive: boolean;
  readonly catalog: CatalogIndex;
  readonly detectors: PolicySettings["detectors"];
  /** Columns called safe in the settings: a direct pass-through of one gets no detectors. */
  readonly safeColumns: ColumnSet;
  /** Per evaluation: table → the rule that masks one of its columns (null: none). */
  readonly tableCache: Map<string, MaskHit | null>;
}

export interface MaskProblem {
  readonly code: ReasonCode;
  readonly action: "block" | "require_approval";
  readonly message: string;
  readonly hint: string;
  readonly rule: RuleRef;
}

export interface StatementMasking {
  readonly plan: MaskingPlan;
  readonly problems: readonly MaskProblem[];
  readonly hints: readonly string[];
  /** "customers.*" when the statement reads whole rows of a table with masked columns. */
  readonly wholeRow: string | undefined;
  /** "customers.card_number" when a masked column is used in a predicate. */
  readonly predicate: string | undefined;
}

const STAR_NAME = /(^|\.)\*$/;
const VARIABLE_ASSIGNMENT = /:=|\binto\s+@/;

/** A `*` / `t.*` in the select list (expands to many result columns), as opposed to a single row value. */
export function isStarOutput(o: OutputColumn): boolean {
  return o.sources.length > 0 && o.sources.every((s) => s.column === "*") && STAR_NAME.test(o.name);
}

export function planStatement(
  env: MaskEnv,
  stmt: StatementAnalysis,
  index: number,
  returnsResult: boolean,
  tracer?: PolicyTracer,
): StatementMasking {
  const s = new Planner(env, stmt, index, tracer);
  // COPY output is copy data, not rows: it cannot be masked, so a COPY that would carry a masked value is blocked.
  if (stmt.kind === "copy" && stmt.copy?.direction !== "from") s.copyOut();
  else if (returnsResult) s.outputs();
  s.predicates();
  if (env.anyActive) {
    s.writesFromMasked();
    s.variables();
  }
  return s.finish();
}

class Planner {
  private readonly columns: ColumnPlan[] = [];
  private readonly problems: MaskProblem[] = [];
  private readonly hints = new Set<string>();
  private exact = true;
  private anyDetectors = false;
  private touches = false;
  private wholeRow: string | undefined;
  private predicate: string | undefined;

  constructor(
    private readonly env: MaskEnv,
    private readonly stmt: StatementAnalysis,
    private readonly index: number,
    private readonly tracer: PolicyTracer | undefined,
  ) {}

  outputs(): void {
    if (this.stmt.kind === "unknown") {
      this.exact = false;
      this.anyDetectors = this.env.detectors !== "off";
      this.touches = this.env.anyActive;
      return;
    }
    for (const o of this.stmt.outputColumns) {
      if (isStarOutput(o)) this.star(o);
      else this.column(o.name, o.sources, o.direct);
    }
  }

  private star(o: OutputColumn): void {
    for (const src of o.sources) {
      const cols = this.env.catalog.columns(src.table);
      if (cols === undefined) {
        this.exact = false;
        this.anyDetectors ||= this.env.detectors === "all";
        const hit = this.tableMask(src.table);
        if (hit !== undefined) {
          this.wholeRow ??= `${src.table}.*`;
          this.problem("masked_whole_row", "block", hit.mask, `\`*\` of ${src.table} would return masked columns the catalog cannot place`, `select named columns from ${src.table} instead of \`*\``);
        }
        continue;
      }
      if (this.tableMask(src.table) !== undefined) this.wholeRow ??= `${src.table}.*`;
      for (const c of cols) this.column(c, [{ table: src.table, column: c }], true);
    }
  }

  private column(name: string, sources: readonly SourceColumn[], direct: boolean): void {
    let best: { strategy: MaskStrategy; because: NonNullable<ColumnPlan["because"]> } | undefined;
    const apply = (mask: CompiledMask, strategy: MaskStrategy, source: string, via: "direct" | "derived" | "whole-row") => {
      if (best === undefined || stronger(best.strategy, strategy) !== best.strategy)
        best = { strategy, because: { rule: mask.ref, source, via } };
    };
    for (const src of sources) {
      if (src.column === "*") {
        const hit = this.rowMask(src.table);
        if (hit === undefined) continue;
        this.wholeRow ??= `${src.table}.*`;
        if (hit.mask.derived === "block")
          this.problem("masked_whole_row", "block", hit.mask, `a row value of ${src.table} contains masked columns`, `select named columns from ${src.table}`);
        else apply(hit.mask, derivedStrategy(hit.mask.derived), `${src.table}.*`, "whole-row");
        continue;
      }
      for (const hit of this.env.masks.hits(src.table, src.column, this.env.active)) {
        const source = `${src.table}.${src.column}`;
        this.maskedHint(source, hit.mask);
        if (direct) apply(hit.mask, hit.mask.strategy, source, "direct");
        else if (hit.mask.derived === "block")
          this.problem("masked_derived", "block", hit.mask, `\`${name}\` is computed from masked column ${source}`, `select ${source} on its own; it is returned masked`);
        else apply(hit.mask, derivedStrategy(hit.mask.derived), source, "derived");
      }
    }
    const chosen = best as { strategy: MaskStrategy; because: NonNullable<ColumnPlan["because"]> } | undefined;
    const unknownOrigin = sources.length === 0 || (!direct && this.stmt.functions.length > 0);
    const safe = direct && sources.length === 1 && this.env.safeColumns.size > 0 && this.env.safeColumns.has(sources[0]!.table, sources[0]!.column);
    const detectors = chosen === undefined && !safe && (this.env.detectors === "all" || (this.env.detectors === "unknown" && unknownOrigin));
    this.anyDetectors ||= detectors;
    if (chosen !== undefined) this.touches = true;
    const index = this.columns.length;
    this.columns.push(
      chosen === undefined
        ? { index, name, strategy: null, detectors }
        : { index, name, strategy: chosen.strategy, because: chosen.because, detectors },
    );
    if (this.tracer?.column !== undefined)
      this.tracer.column(
        this.index,
        index,
        chosen === undefined
          ? `${name}: not masked${detectors ? ", detectors on" : ""}`
          : `${name}: ${chosen.strategy.kind} (${chosen.because.via} from ${chosen.because.source}, rule ${chosen.because.rule.ruleId})`,
      );
  }

  predicates(): void {
    if (!this.env.anyActive) return;
    for (const pc of this.stmt.predicateColumns) {
      const hits: { mask: CompiledMask; source: string }[] = [];
      if (pc.column === "*") {
        const hit = this.rowMask(pc.table);
        if (hit !== undefined) hits.push({ mask: hit.mask, source: `${pc.table}.*` });
      } else for (const h of this.env.masks.hits(pc.table, pc.column, this.env.active)) hits.push({ mask: h.mask, source: `${pc.table}.${pc.column}` });
      for (const { mask, source } of hits) {
        this.predicate ??= source;
        this.touches = true;
        if (mask.predicates === "block")
          this.problem("masked_predicate", "block", mask, `masked column ${source} is used in a condition, which would reveal its values`, `\`${source}\` is masked and cannot be used in WHERE, JOIN, ORDER BY or GROUP BY`);
      }
    }
  }

  copyOut(): void {
    this.exact = false;
    this.anyDetectors = this.env.detectors !== "off";
    if (!this.env.anyActive) return;
    const st = this.stmt;
    let culprit: { table: string; mask: CompiledMask } | undefined;
    if (st.outputColumns.length > 0) {
      this.outputs();
      const masked = this.columns.find((c) => c.because !== undefined);
      if (masked?.because !== undefined) culprit = { table: masked.because.source.replace(/\.[^.]*$/, ""), mask: this.maskByRef(masked.because.rule) };
      else if (this.problems.length > 0) culprit = { table: this.wholeRow?.replace(/\.\*$/, "") ?? "a table", mask: this.maskByRef(this.problems[0].rule) };
      this.columns.length = 0;
      this.problems.length = 0;
    } else {
      for (const t of st.tablesRead) {
        const hit = this.tableMask(t);
        if (hit !== undefined) {
          culprit = { table: t, mask: hit.mask };
          break;
        }
      }
    }
    if (culprit !== undefined)
      this.problem("masked_copy", "block", culprit.mask, `COPY would return masked columns of ${culprit.table} unmasked`, `use SELECT on ${culprit.table}; masked columns come back masked`);
  }

  /**
   * MySQL user variables launder values past masking: `SELECT @v := ssn ...`, `SELECT ssn INTO @v ...` and
   * `SET @v = (SELECT ssn ...)` store the raw value, and a later `SELECT @v` has no lineage. The analysis does
   * not report assignments, so this looks at the normalized text (literals and comments removed).
   */
  variables(): void {
    const st = this.stmt;
    const assigns = st.kind === "session" || (st.dialect === "mysql" && VARIABLE_ASSIGNMENT.test(st.normalized));
    if (!assigns) return;
    const tables = [...st.tablesRead, ...st.outputColumns.flatMap((o) => o.sources.map((x) => x.table)), ...st.predicateColumns.map((x) => x.table)];
    for (const t of tables) {
      const hit = this.tableMask(t);
      if (hit !== undefined) {
        this.problem("masked_variable", "block", hit.mask, `the statement stores values read from ${t}, which has masked columns, in a variable`, "select masked columns directly; they cannot be stored in variables");
        return;
      }
    }
  }

  writesFromMasked(): void {
    const st = this.stmt;
    if (!writesRows(st) && st.kind !== "ddl") return;
    // A masked column's value stored anywhere, even in its own row (`UPDATE customers SET name = ssn`).
    for (const src of st.storedColumns ?? []) {
      const hit = src.column === "*" ? this.rowMask(src.table) : strongestOrNone(this.env.masks.hits(src.table, src.column, this.env.active));
      if (hit !== undefined) {
        const column = src.column === "*" ? `${src.table}.*` : `${src.table}.${src.column}`;
        this.problem("masked_copy_write", "block", hit.mask, `the statement stores values of ${column}, which is masked: the copy would be readable unmasked`, `set columns from literals or parameters, not from ${column}`);
        return;
      }
    }
    const written = new Set([...st.tablesWritten, ...(st.writes ?? []).map((w) => w.table)]);
    for (const t of st.tablesRead) {
      if (written.has(t)) continue;
      const hit = this.tableMask(t);
      if (hit !== undefined) {
        // Blocked, not sent for approval: the copy would hold the masked values unmasked, readable by any later
        // SELECT, and an approver cannot see which values a statement moves.
        this.problem("masked_copy_write", "block", hit.mask, `the statement writes data read from ${t}, which has masked columns: a copy would hold them unmasked`, `read ${t} with SELECT, where masking applies`);
        break;
      }
    }
  }

  finish(): StatementMasking {
    const plan: MaskingPlan = {
      statementIndex: this.index,
      columns: this.exact ? this.columns : [],
      otherColumns: { detectors: this.exact ? this.env.detectors === "all" : this.anyDetectors || this.env.detectors === "all" },
      touchesMasked: this.touches,
      readsMaskedTable: this.touches || this.readsMaskedTable(),
    };
    return { plan, problems: this.problems, hints: [...this.hints], wholeRow: this.wholeRow, predicate: this.predicate };
  }

  private readsMaskedTable(): boolean {
    const st = this.stmt;
    return [...st.tablesRead, ...st.tablesWritten].some((table) => this.tableMask(table) !== undefined);
  }

  /** The rule masking some column of `table`: resolved through the catalog when it knows the table. */
  private tableMask(table: string): MaskHit | undefined {
    if (!this.env.anyActive) return undefined;
    const cached = this.env.tableCache.get(table);
    if (cached !== undefined) return cached ?? undefined;
    let found: MaskHit | undefined;
    const cols = this.env.catalog.columns(table);
    if (cols === undefined) found = this.env.masks.mayMaskTable(table, this.env.active);
    else
      for (const c of cols) {
        const hits = this.env.masks.hits(table, c, this.env.active);
        if (hits.length > 0) {
          found = strongest(hits);
          break;
        }
      }
    this.env.tableCache.set(table, found ?? null);
    return found;
  }

  /** Like tableMask, but the strongest rule among all masked columns (a row value carries all of them). */
  private rowMask(table: string): MaskHit | undefined {
    const first = this.tableMask(table);
    if (first === undefined) return undefined;
    const cols = this.env.catalog.columns(table);
    if (cols === undefined) return first;
    const hits = cols.flatMap((c) => this.env.masks.hits(table, c, this.env.active));
    return hits.find((h) => h.mask.derived === "block") ?? strongest(hits);
  }

  private maskByRef(ref: RuleRef): CompiledMask {
    // Every ref in a plan comes from the compiled masks, so the fallback is never used.
    return this.env.masks.masks.find((m) => m.ref === ref) ?? this.env.masks.masks[0];
  }

  private maskedHint(source: string, mask: CompiledMask): void {
    this.hints.add(mask.alternative !== undefined ? `\`${source}\` is masked: ${mask.alternative}` : `\`${source}\` is masked`);
  }

  private problem(code: ReasonCode, action: MaskProblem["action"], mask: CompiledMask, message: string, hint: string): void {
    this.touches = true;
    this.problems.push({ code, action, message, hint, rule: mask.ref });
    if (mask.alternative !== undefined) this.hints.add(mask.alternative);
  }
}

function strongest(hits: readonly MaskHit[]): MaskHit {
  let best = hits[0];
  for (const h of hits) if (stronger(best.mask.strategy, h.mask.strategy) !== best.mask.strategy) best = h;
  return best;
}

function strongestOrNone(hits: readonly MaskHit[]): MaskHit | undefined {
  return hits.length > 0 ? strongest(hits) : undefined;
}
