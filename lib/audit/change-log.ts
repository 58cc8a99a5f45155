import { z } from "zod";
import type { Prisma } from "../store/generated/client";
import type { Store } from "../store/client";
import { CHANGE_ACTIONS } from "./changes";

// Reading the audit log of what people changed: the filters (one schema for the page's URL and the export
// route), newest-first keyset pages over the id, and batches for exports that never hold the whole log in memory.

export const CHANGE_TARGETS = ["policy", "connection", "grant", "agent", "token", "approval", "user", "session", "notification_channel"] as const;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD").refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), "not a real day");
const blankAsUndefined = (value: unknown) => (value === "" || value === null ? undefined : value);

export const changeFilterSchema = z.object({
  action: z.preprocess(blankAsUndefined, z.enum(CHANGE_ACTIONS).optional()),
  target: z.preprocess(blankAsUndefined, z.enum(CHANGE_TARGETS).optional()),
  actor: z.preprocess(blankAsUndefined, z.uuid().optional()),
  from: z.preprocess(blankAsUndefined, day.optional()),
  to: z.preprocess(blankAsUndefined, day.optional()),
});

export type ChangeFilter = z.output<typeof changeFilterSchema>;

export type FilterResult = { ok: true; filter: ChangeFilter } | { ok: false; problems: Record<string, string> };

/** The filter from URL parameters; a bad parameter is reported by name, never silently widened. */
export function parseChangeFilter(params: Record<string, string | string[] | undefined>): FilterResult {
  const flat = Object.fromEntries(Object.entries(params).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
  const parsed = changeFilterSchema.safeParse(flat);
  if (!parsed.success) {
    const problems: Record<string, string> = {};
    for (const issue of parsed.error.issues) problems[String(issue.path[0])] ??= issue.message;
    return { ok: false, problems };
  }
  return { ok: true, filter: parsed.data };
}

export interface ChangeRow {
  readonly id: string;
  readonly at: Date;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly details: Prisma.JsonValue;
  readonly actor: { readonly id: string; readonly email: string; readonly name: string } | null;
}

export interface ChangePage {
  readonly rows: ChangeRow[];
  /** The cursor of the next (older) page, or null at the end. */
  readonly next: string | null;
}

export const PAGE_SIZE = 50;

function where(filter: ChangeFilter, before: bigint | null): Prisma.AuditLogWhereInput {
  const at: Prisma.DateTimeFilter = {};
  if (filter.from) at.gte = new Date(`${filter.from}T00:00:00Z`);
  if (filter.to) at.lt = new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000);
  return {
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.target ? { targetType: filter.target } : {}),
    ...(filter.actor ? { actorId: filter.actor } : {}),
    ...(filter.from || filter.to ? { at } : {}),
    ...(before !== null ? { id: { lt: before } } : {}),
  };
}

const select = {
  id: true,
  at: true,
  action: true,
  targetType: true,
  targetId: true,
  details: true,
  actor: { select: { id: true, email: true, name: true } },
} satisfies Prisma.AuditLogSelect;

/** A cursor from the URL: a positive decimal id, else none (the newest page). */
export function parseCursor(value: string | string[] | undefined): bigint | null {
  return typeof value === "string" && /^[1-9]\d{0,18}$/.test(value) ? BigInt(value) : null;
}

/** One page, newest first, older than the cursor. */
export async function listChanges(db: Store, filter: ChangeFilter, before: bigint | null, size = PAGE_SIZE): Promise<ChangePage> {
  const found = await db.auditLog.findMany({ where: where(filter, before), orderBy: { id: "desc" }, take: size + 1, select });
  const rows = found.slice(0, size).map((row) => ({ ...row, id: row.id.toString() }));
  return { rows, next: found.length > size ? rows[rows.length - 1]!.id : null };
}

/** Every matching change, newest first, in batches (for exports). */
export async function* allChanges(db: Store, filter: ChangeFilter, batch = 500): AsyncGenerator<ChangeRow[]> {
  let before: bigint | null = null;
  for (;;) {
    const page = await listChanges(db, filter, before, batch);
    if (page.rows.length) yield page.rows;
    if (page.next === null) return;
    before = BigInt(page.next);
  }
}

/** People who appear as actors, for the filter's choices. */
export function changeActors(db: Store): Promise<{ id: string; email: string; name: string }[]> {
  return db.user.findMany({ where: { auditEntries: { some: {} } }, select: { id: true, email: true, name: true }, orderBy: { email: "asc" } });
}
