import { readPreview as readStoredPreview, type PreviewFlag, type PreviewFlagCode, type PreviewStatus } from "@/lib/approvals/preview";

// What the approval page shows of a request's dry run. `readPreview` reads the stored JSON (never trusted: a
// malformed part is dropped, a malformed whole gives null) into display fields only: numbers, flags, and the
// masked sample as short strings with each cell's change worked out, so the components just draw it.

/** Rows and columns of the before/after sample the page shows, and the longest cell text. */
export const SAMPLE_ROWS_MAX = 20;
export const SAMPLE_COLUMNS_MAX = 50;
export const CELL_TEXT_MAX = 200;

/** same: unchanged; changed: the value differs; hidden: masked and equal, so a change cannot be seen. */
export type CellChange = "same" | "changed" | "hidden";

export interface SampleCell {
  /** The masked value as text; null for SQL NULL (or no value). */
  readonly text: string | null;
  readonly change: CellChange;
}

export interface SampleRow {
  /** updated: before and after; inserted: after only; deleted: before only. */
  readonly kind: "updated" | "inserted" | "deleted";
  readonly before: readonly SampleCell[] | null;
  readonly after: readonly SampleCell[] | null;
}

export interface SampleTable {
  readonly table: string;
  readonly columns: readonly string[];
  readonly maskedColumns: readonly string[];
  readonly rows: readonly SampleRow[];
}

export interface PreviewView {
  readonly status: PreviewStatus;
  readonly engine: "postgres" | "mysql";
  readonly flags: readonly PreviewFlag[];
  readonly rowsAffected: number | null;
  readonly estimatedRows: number | null;
  readonly estimatedCost: number | null;
  readonly durationMs: number | null;
  readonly error: { readonly message: string; readonly sqlState: string | null } | null;
  readonly sample: SampleTable | null;
}

/** The stored preview JSON as display fields, or null when there is none or it cannot be read. */
export function readPreview(json: unknown): PreviewView | null {
  const preview = readStoredPreview(json);
  if (!preview) return null;
  return {
    status: preview.status,
    engine: preview.engine,
    flags: preview.flags,
    rowsAffected: preview.rowsAffected ?? null,
    estimatedRows: preview.estimatedRows ?? null,
    estimatedCost: preview.estimatedCost ?? null,
    durationMs: preview.durationMs > 0 ? preview.durationMs : null,
    error: preview.error ? { message: preview.error.message, sqlState: preview.error.sqlState ?? null } : null,
    sample: preview.sample ? sampleTable(preview.sample) : null,
  };
}

/**
 * The sample as rows of cells, the i-th row before paired with the i-th row after. In an updated row a cell is
 * changed when its before and after values differ; a masked column whose two masked values are equal may still
 * have changed underneath, so it is `hidden` rather than `same`. Every cell of an inserted or deleted row is changed.
 */
export function sampleTable(sample: {
  readonly table: string;
  readonly columns: readonly string[];
  readonly before: readonly (readonly unknown[] | null)[];
  readonly after: readonly (readonly unknown[] | null)[];
  readonly maskedColumns: readonly string[];
}): SampleTable {
  const columns = sample.columns.slice(0, SAMPLE_COLUMNS_MAX);
  const masked = new Set(sample.maskedColumns);
  const rows: SampleRow[] = [];
  const total = Math.max(sample.before.length, sample.after.length);
  for (let index = 0; index < total && rows.length < SAMPLE_ROWS_MAX; index++) {
    const before = sample.before[index] ?? null;
    const after = sample.after[index] ?? null;
    if (before === null && after === null) continue;
    if (before === null || after === null) {
      const values = (before ?? after)!;
      const cells = columns.map((_, c) => ({ text: cellText(values[c]), change: "changed" as const }));
      rows.push(before === null ? { kind: "inserted", before: null, after: cells } : { kind: "deleted", before: cells, after: null });
      continue;
    }
    const changes = columns.map((column, c): CellChange => {
      if (fullText(before[c]) !== fullText(after[c])) return "changed";
      return masked.has(column) ? "hidden" : "same";
    });
    rows.push({
      kind: "updated",
      before: columns.map((_, c) => ({ text: cellText(before[c]), change: changes[c]! })),
      after: columns.map((_, c) => ({ text: cellText(after[c]), change: changes[c]! })),
    });
  }
  return changedFirst({ table: sample.table, columns, maskedColumns: columns.filter((column) => masked.has(column)), rows });
}

/**
 * The approver should see what changes without scrolling: the first column (the key, usually) stays first, then
 * every column an updated row changed, then the rest, each group in the table's order.
 */
function changedFirst(table: SampleTable): SampleTable {
  const changed = new Set<number>();
  for (const row of table.rows) {
    if (row.kind !== "updated") continue;
    row.after!.forEach((cell, c) => {
      if (cell.change === "changed") changed.add(c);
    });
  }
  if (changed.size === 0) return table;
  const order = table.columns.map((_, c) => c).sort((a, b) => rank(a) - rank(b) || a - b);
  function rank(c: number): number {
    return c === 0 ? 0 : changed.has(c) ? 1 : 2;
  }
  const pick = <T>(cells: readonly T[] | null) => (cells ? order.map((c) => cells[c]!) : null);
  return {
    ...table,
    columns: order.map((c) => table.columns[c]!),
    rows: table.rows.map((row) => ({ ...row, before: pick(row.before), after: pick(row.after) }) as SampleRow),
  };
}

/** A value as the page shows it: null for SQL NULL, otherwise text cut to CELL_TEXT_MAX characters. */
export function cellText(value: unknown): string | null {
  const text = fullText(value);
  if (text === null) return null;
  return text.length > CELL_TEXT_MAX ? `${text.slice(0, CELL_TEXT_MAX - 1)}…` : text;
}

function fullText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const FLAG_LABELS: Record<PreviewFlagCode, string> = {
  ddl: "it changes the schema (DDL)",
  sequence: "it draws from a sequence",
  volatile_function: "it calls a function with side effects",
  notification: "it sends a notification",
  non_transactional: "a table it writes cannot roll back",
  several_statements: "only single statements are previewed",
  not_a_write: "it is not a write",
  unsupported: "previews do not cover this kind of statement",
  key_changed: "it changes the primary key, so the rows as they were are not shown",
};

/** "it calls a function with side effects (dblink)". */
export function flagText(flag: PreviewFlag): string {
  return flag.detail ? `${FLAG_LABELS[flag.code]} (${flag.detail})` : FLAG_LABELS[flag.code];
}

/** The "Rows affected" line: the exact count of a run, or why there is none ("Not run: …"). */
export function rowsAffectedText(preview: PreviewView): string {
  switch (preview.status) {
    case "ran":
      return preview.rowsAffected === null ? "Not reported" : plural(preview.rowsAffected, "row");
    case "off":
      return "Not run: previews are off for this connection";
    case "failed":
      return "Not known: the dry run failed";
    case "explained":
      return `Not run: ${preview.flags.length ? preview.flags.map(flagText).join("; ") : "only the plan was read"}`;
  }
}

/** "~1,200 rows · cost 345.6", or null when the planner gave nothing. */
export function estimateText(preview: PreviewView): string | null {
  const parts = [
    preview.estimatedRows !== null ? `~${plural(Math.round(preview.estimatedRows), "row")}` : null,
    preview.estimatedCost !== null ? `cost ${preview.estimatedCost.toLocaleString("en", { maximumFractionDigits: 2 })}` : null,
  ].filter((part): part is string => part !== null);
  return parts.length ? parts.join(" · ") : null;
}

/** "12 ms", "1.4 s". */
export function durationText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} s`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}
