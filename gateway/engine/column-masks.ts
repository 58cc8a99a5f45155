import { resolveMasks, type ResolvedMasks } from "../../lib/masking";
import type { MaskingPlan } from "../../lib/policy";
import type { StatementAnalysis } from "../../lib/sql/types";
import type { OriginMask } from "../../lib/masking";

// A result's columns → one mask each, for every door: the origins the target reports (when it does) are looked up
// for this agent, then lib/masking's resolver combines them with policy's plan and the detectors.

export interface ResultColumnOrigin {
  readonly name: string;
  /** "table.column" as the target reports it, for the announcement of an origin mask. */
  readonly source?: string;
  /** PostgreSQL: RowDescription's table oid and attribute number (0 when the column is not a table column). */
  readonly tableOid?: number;
  readonly columnNumber?: number;
}

/** What a target's columns' origins ask for: PostgreSQL by RowDescription's oids (origins.ts), MySQL through views (view-origins.ts). */
export interface ColumnOrigins {
  masks(statement: StatementAnalysis | undefined, columns: readonly ResultColumnOrigin[]): readonly OriginMask[] | Promise<readonly OriginMask[]>;
}

export function resolveColumnMasks(
  origins: ColumnOrigins | undefined,
  plan: MaskingPlan | undefined,
  columns: readonly ResultColumnOrigin[],
  statement?: StatementAnalysis,
): ResolvedMasks | Promise<ResolvedMasks> {
  if (!origins) return resolveMasks(plan, columns);
  const found = origins.masks(statement, columns);
  return found instanceof Promise ? found.then((masks) => resolveMasks(plan, columns, masks)) : resolveMasks(plan, columns, found);
}
