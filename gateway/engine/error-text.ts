import type { MaskingPlan } from "../../lib/policy";

// How much of a database error's text may reach an agent. An error can quote the stored value it choked on
// (`invalid input syntax for type integer: "4242 …"`, `Key (email)=(…) already exists`, a function's RAISE): when
// the statement reads or writes a table with masked columns, such an error keeps only its SQLSTATE. Errors of the
// classes below name only what the statement itself says (identifiers, types, its own text) or the session's
// state, so they keep their text there too: an agent that misspells a column still learns which one.
// Every text that is passed on still goes through the value detectors.

export const HIDDEN_ERROR_TEXT = "The database refused the statement (details hidden: the statement touches masked columns)";

/** connection exception, feature not supported, transaction state, rollback, syntax/access rule, resources, limits, object state, operator intervention. */
const VALUE_FREE_CLASSES: ReadonlySet<string> = new Set(["08", "0A", "25", "40", "42", "53", "54", "55", "57"]);

/** True when an error with this SQLSTATE, from a statement planned this way, must not show its text. */
export function hidesErrorText(plans: readonly (MaskingPlan | undefined)[], sqlState: string | undefined): boolean {
  return involvesMaskedTables(plans) && mayQuoteStoredValue(sqlState);
}

/**
 * Whether a statement's value-quoting errors (and notices) keep only their SQLSTATE: when it reads or writes a table
 * with masked columns, or reads anything that is not a base table the target knows (a view, a materialized view, a
 * table newer than the catalog), where masked values can sit out of the plan's sight. Fails closed: without the
 * target's list of base tables, anything read counts.
 */
export function hidesErrorsOf(plans: readonly (MaskingPlan | undefined)[], tablesRead: readonly string[], baseTables: ReadonlySet<string> | undefined): boolean {
  if (involvesMaskedTables(plans)) return true;
  return tablesRead.some((table) => baseTables === undefined || !baseTables.has(table.toLowerCase()));
}

/** The statement reads or writes a table with masked columns. */
export function involvesMaskedTables(plans: readonly (MaskingPlan | undefined)[]): boolean {
  return plans.some((plan) => plan?.readsMaskedTable === true);
}

/** Whether an error (or notice) of this SQLSTATE can quote a stored value. */
export function mayQuoteStoredValue(sqlState: string | undefined): boolean {
  return sqlState === undefined || !VALUE_FREE_CLASSES.has(sqlState.slice(0, 2).toUpperCase());
}
