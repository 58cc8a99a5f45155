import { resolveMasks, type ResolvedMasks } from "../../lib/masking";
import type { MaskingPlan } from "../../lib/policy";
import type { OriginMasks } from "./origins";

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

export function resolveColumnMasks(origins: OriginMasks | undefined, plan: MaskingPlan | undefined, columns: readonly ResultColumnOrigin[]): ResolvedMasks | Promise<ResolvedMasks> {
  if (!origins) return resolveMasks(plan, columns);
  const found = origins.strategies(columns.map((column) => ({ tableOid: column.tableOid ?? 0, columnNumber: column.columnNumber ?? 0 })));
  return found instanceof Promise ? found.then((masks) => resolveMasks(plan, columns, masks)) : resolveMasks(plan, columns, found);
}
