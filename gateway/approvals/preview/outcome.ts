import { redactDetected } from "../../../lib/masking";
import { mayQuoteStoredValue } from "../../engine/error-text";
import type { TargetError } from "../../targets/errors";
import type { PreviewFlag, PreviewMasker, PreviewRequest, PreviewSample, WritePreview } from "./types";

// What both engines' previews share: the statement's text made ready to extend, the error shown to approvers
// (scrubbed of values), the masked sample, and how long the whole preview may take.

/**
 * The statement's own text without a trailing semicolon, so clauses can follow it (always on a new line). Only the
 * whitespace the databases' lexers skip is dropped: a trailing U+00A0 is part of an identifier to PostgreSQL
 * (`orders\u00a0`), and dropping it would preview another table than the one the analysis named.
 */
export function statementBody(text: string): string {
  return text.replace(/[ \t\r\n\f\v;]+$/, "");
}

/**
 * MySQL errors under the catch-all SQLSTATE HY000 whose text names no value: lock wait timeout, deadlock, a lock
 * NOWAIT could not take. Approvers need to know a preview failed on a lock.
 */
const VALUE_FREE_ERRNOS: ReadonlySet<number> = new Set([1205, 1213, 3572]);

/**
 * A failure as approvers may see it. A database error that can quote a stored value (`Key (ssn)=(…) already
 * exists`, `invalid input syntax for type integer: "…"`) keeps only its SQLSTATE; any other text still goes
 * through the value detectors.
 */
export function previewError(error: TargetError): { readonly message: string; readonly sqlState?: string } {
  const state = error.sqlState !== undefined ? { sqlState: error.sqlState } : {};
  if (hidesText(error)) return { message: `The dry run failed (SQLSTATE ${error.sqlState ?? "unknown"}; details hidden: the message can quote a value)`, ...state };
  return { message: redactDetected(error.message), ...state };
}

function hidesText(error: TargetError): boolean {
  // Other codes carry fixed texts of the gateway's own (timeout, cancelled, unreachable, …).
  if (error.code !== "sql_error" && error.code !== "read_only_violation") return false;
  if (error.errno !== undefined && VALUE_FREE_ERRNOS.has(error.errno)) return false;
  return mayQuoteStoredValue(error.sqlState);
}

export function failedPreview(engine: WritePreview["engine"], flags: readonly PreviewFlag[], error: TargetError, started: number, plan: PlanEstimate = {}): WritePreview {
  return { status: "failed", engine, flags, ...plan, error: previewError(error), durationMs: performance.now() - started };
}

export interface PlanEstimate {
  readonly estimatedRows?: number;
  readonly estimatedCost?: number;
}

/** Before/after rows masked as the requesting agent would see `SELECT columns FROM table`. */
export async function maskedSample(
  mask: PreviewMasker,
  table: string,
  columns: readonly string[],
  before: readonly (readonly unknown[] | null)[],
  after: readonly (readonly unknown[] | null)[],
): Promise<PreviewSample> {
  const [maskedBefore, maskedAfter] = await Promise.all([mask(table, columns, before), mask(table, columns, after)]);
  const maskedColumns = [...new Set([...maskedBefore.maskedColumns, ...maskedAfter.maskedColumns])];
  return { table, columns, before: maskedBefore.rows, after: maskedAfter.rows, maskedColumns };
}

/** The masker failed: fail closed, nothing of the sample is shown (the dry run itself was rolled back as always). */
export function unmaskablePreview(engine: WritePreview["engine"], flags: readonly PreviewFlag[], started: number, plan: PlanEstimate = {}): WritePreview {
  return { status: "failed", engine, flags, ...plan, error: { message: "The dry run's sample could not be masked, so none is shown" }, durationMs: performance.now() - started };
}

/**
 * The client-side deadline for a whole preview: up to four statements (catalog, EXPLAIN, the dry run, ROLLBACK),
 * each bounded on the server by its statement timeout (which includes waiting for locks).
 */
export function previewDeadlineMs(request: Pick<PreviewRequest, "statementTimeoutMs" | "lockTimeoutMs">): number {
  const statementMs = Number.isFinite(request.statementTimeoutMs) && request.statementTimeoutMs > 0 ? request.statementTimeoutMs : 1;
  return Math.min(4 * Math.ceil(statementMs) + 1_000, 2_147_483_647);
}

/** A preview that could not be produced in time: the connection it ran on is dropped by the target. */
export function timedOutPreview(engine: WritePreview["engine"], statementDeadlineMs: number, started: number): WritePreview {
  return {
    status: "failed",
    engine,
    flags: [],
    error: { message: `The dry run did not finish within ${statementDeadlineMs} ms and was cancelled (nothing changed)` },
    durationMs: performance.now() - started,
  };
}
