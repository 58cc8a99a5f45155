// The shape of one corpus entry: an input and the analysis fields it must produce. Source columns are
// written "table.column" (the last dot splits). Lists of tables are exact sets over all statements;
// lists of columns and functions must be contained in what analysis reports (it may add conservative extras).

import type { CopyInfo, DdlAction, Dialect, StatementKind } from "../types";

export interface CorpusCase {
  readonly sql: string;
  readonly dialect?: Dialect;
  /** Kind of each statement, in order (one entry for single-statement input). */
  readonly kinds: readonly StatementKind[];
  readonly read?: readonly string[];
  readonly written?: readonly string[];
  /** Output column i must derive from at least these sources. */
  readonly out?: readonly (readonly string[])[];
  /** Output columns that are direct pass-throughs (by index). */
  readonly direct?: readonly boolean[];
  /** Sources some output column must derive from. */
  readonly outHas?: readonly string[];
  readonly pred?: readonly string[];
  readonly fn?: readonly string[];
  readonly hasWhere?: boolean;
  /** null: no LIMIT; a number: that constant; true: a LIMIT that is not constant. */
  readonly limit?: number | null | true;
  readonly copy?: CopyInfo;
  readonly fileAccess?: boolean;
  readonly setting?: string;
  readonly ddl?: { readonly action: DdlAction; readonly objectType: string };
  readonly explainAnalyze?: boolean;
  /** Nested and top-level writes: "kind table where|nowhere". */
  readonly writes?: readonly string[];
  /** Error code of the (first) unknown statement. */
  readonly errorCode?: string;
}
