import { z } from "zod";

// A dry run of a write that waits for approval, as the gateway stores it in `ApprovalRequest.preview` and every
// reader shows it: the approval page, Slack and webhooks, the session replay. The gateway makes it
// (gateway/approvals/preview); it is always rolled back, and every row value in it was masked for the requesting
// agent before it was stored. Readers never trust the stored JSON: `readPreview` drops a malformed part, and gives
// null for a malformed whole.

/** Why a statement was not run for its preview (or what the approver should know about one that was). */
export const PREVIEW_FLAG_CODES = [
  "ddl", // DDL (MySQL commits implicitly; never run for a preview)
  "sequence", // nextval/setval, or an INSERT into a table whose default draws from a sequence / AUTO_INCREMENT
  "volatile_function", // a function with side effects outside the transaction (dblink, user functions, triggers, …)
  "notification", // NOTIFY / pg_notify
  "non_transactional", // a table whose engine cannot roll back (MyISAM, a foreign table, …)
  "several_statements", // only single statements are previewed
  "not_a_write", // nothing to preview (e.g. a SELECT that needs approval): EXPLAIN only
  "unsupported", // a statement kind previews do not cover (COPY, GRANT, …)
  "key_changed", // an UPDATE that assigns its table's primary key: the rows as they were cannot be paired, only "after" is shown
] as const;

export type PreviewFlagCode = (typeof PREVIEW_FLAG_CODES)[number];

export interface PreviewFlag {
  readonly code: PreviewFlagCode;
  /** Safe to show: names functions or tables, never a value. */
  readonly detail: string;
}

export interface PreviewSample {
  /** The table whose rows changed ("schema.table" as the statement named it, or the bare name). */
  readonly table: string;
  readonly columns: readonly string[];
  /** Up to `sampleRows` rows as they were before (null where there was none, e.g. an INSERT). Masked. */
  readonly before: readonly (readonly unknown[] | null)[];
  /** The same rows after (null where the row is gone, e.g. a DELETE). Masked. */
  readonly after: readonly (readonly unknown[] | null)[];
  /** Columns whose values are masked in both lists. */
  readonly maskedColumns: readonly string[];
}

/**
 * ran: executed inside a transaction that was rolled back (rowsAffected is exact);
 * explained: only the plan was read (flagged, or not a transactional write);
 * failed: the dry run raised an error or hit its time limit (nothing changed);
 * off: previews are turned off for the connection.
 */
export type PreviewStatus = "ran" | "explained" | "failed" | "off";

export interface WritePreview {
  readonly status: PreviewStatus;
  readonly engine: "postgres" | "mysql";
  readonly flags: readonly PreviewFlag[];
  /** Rows the statement changed in the rolled-back run. */
  readonly rowsAffected?: number;
  /** The planner's estimate of rows touched (EXPLAIN). */
  readonly estimatedRows?: number;
  /** PostgreSQL: the plan's total cost (EXPLAIN). */
  readonly estimatedCost?: number;
  readonly sample?: PreviewSample;
  /** failed: the error, scrubbed of values (SQLSTATE and a message safe to show). */
  readonly error?: { readonly message: string; readonly sqlState?: string };
  readonly durationMs: number;
}

const count = z.number().finite().nonnegative().optional().catch(undefined);
const name = z.string().max(500);
const row = z.array(z.unknown()).max(1000).nullable();

const storedPreview = z.object({
  status: z.enum(["ran", "explained", "failed", "off"]),
  engine: z.enum(["postgres", "mysql"]).catch("postgres"),
  flags: z
    .array(z.unknown())
    .catch([])
    .transform((values) =>
      values.flatMap((value): PreviewFlag[] => {
        const flag = z.object({ code: z.enum(PREVIEW_FLAG_CODES).catch("unsupported"), detail: z.string().max(500).catch("") }).safeParse(value);
        return flag.success ? [flag.data] : [];
      }),
    ),
  rowsAffected: count,
  estimatedRows: count,
  estimatedCost: count,
  durationMs: count.transform((value) => value ?? 0),
  sample: z
    .object({ table: name, columns: z.array(name).max(1000), before: z.array(row).max(1000), after: z.array(row).max(1000), maskedColumns: z.array(name).max(1000).catch([]) })
    .optional()
    .catch(undefined),
  error: z
    .object({ message: z.string().max(2000), sqlState: z.string().max(5).optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

/** The stored preview JSON, or null when there is none or it cannot be read. */
export function readPreview(json: unknown): WritePreview | null {
  const parsed = storedPreview.safeParse(json);
  return parsed.success ? (parsed.data as WritePreview) : null;
}
