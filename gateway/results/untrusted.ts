import type { CompiledPolicy } from "../../lib/policy";
import { analyze } from "../../lib/sql";
import type { Analysis, Dialect, OutputColumn } from "../../lib/sql/types";
import type { StatementResult } from "../engine/types";
import type { Paging } from "./compact";

// Which result columns hold free text a policy calls untrusted (`settings.untrustedColumns`): a label for the
// agent, never a decision. A column is flagged when its lineage reaches such a column (directly or computed from
// it, or a `*` of its table); without a usable analysis (a statement resumed after approval in another session,
// a shape the analysis could not place), by the column's name alone.

type Untrusted = CompiledPolicy["untrustedColumns"];

export interface ResultLabels {
  /** Per result (by position), per column: flagged untrusted by policy. */
  readonly untrusted: readonly (readonly boolean[] | undefined)[];
  /** Per result: what the next-page hint needs of its statement. */
  readonly paging: readonly (Paging | undefined)[];
}

/** Labels for the results of `sql` (analysed again: a cache hit), or by column name alone when the text is unknown. */
export function resultLabels(set: Untrusted, sql: string | undefined, dialect: Dialect | undefined): (results: readonly StatementResult[]) => ResultLabels {
  return (results) => {
    const analysis = sql !== undefined && dialect !== undefined ? analyze(sql, dialect) : undefined;
    return {
      untrusted: untrustedFlags(set, analysis, results),
      paging: results.map((result) => {
        const statement = analysis?.statements[result.statementIndex];
        return statement ? { pageable: statement.kind === "select", hasLimit: statement.hasLimit } : undefined;
      }),
    };
  };
}

/** Per result (by position), per column. */
export function untrustedFlags(set: Untrusted, analysis: Analysis | undefined, results: readonly StatementResult[]): (readonly boolean[])[] {
  return results.map((result) => {
    if (set.size === 0) return result.columns.map(() => false);
    const statement = analysis?.statements[result.statementIndex];
    const byName = () => result.columns.map((column) => set.named(column.name));
    if (!statement || statement.kind === "unknown" || statement.outputColumns.length === 0) return byName();
    return byLineage(set, statement.outputColumns, result.columns.map((column) => column.name)) ?? byName();
  });
}

function byLineage(set: Untrusted, outputs: readonly OutputColumn[], names: readonly string[]): boolean[] | undefined {
  const stars = outputs.filter(isStar).length;
  const width = names.length - (outputs.length - stars);
  // Several `*` (or a count that does not add up): which column came from where is not known.
  if (stars > 1 || width < 0 || (stars === 0 && width !== 0)) return undefined;
  const flags: boolean[] = [];
  for (const output of outputs) {
    if (isStar(output)) {
      for (let i = 0; i < width; i++) {
        const name = names[flags.length]!;
        flags.push(output.sources.some((source) => set.has(source.table, name)));
      }
    } else {
      flags.push(output.sources.some((source) => (source.column === "*" ? set.inTable(source.table) : set.has(source.table, source.column))));
    }
  }
  return flags;
}

/** `*` / `t.*` in a select list (many result columns), as opposed to a row value such as `row_to_json(t)`. */
function isStar(output: OutputColumn): boolean {
  return output.sources.length > 0 && output.sources.every((source) => source.column === "*") && /(^|\.)\*$/.test(output.name);
}
