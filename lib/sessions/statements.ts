import { Prisma } from "../store/generated/client";
import type { Store } from "../store/client";
import type { Cursor } from "./cursor";
import type { StatementFilters, TableQuery } from "./filters";

// The sessions table: one row per recorded statement (a `statement` event), with the decision recorded right
// after it (the engine records the statement and its decision together, so the decision is the event at seq + 1
// of the same session), the session's agent, connection and front door. Keyset pages over (at, id) in either
// order, on the index SessionEvent(type, at, id): a page reads its rows and one more, never counts the table.
// Callers check permissions.

export const PAGE_SIZE = 50;
/** The table shows the start of each statement; the replay shows it whole. */
export const SQL_PREVIEW_CHARS = 300;

export interface StatementRow {
  readonly eventId: string;
  readonly sessionId: string;
  readonly seq: number;
  /** ISO instant with milliseconds (UTC). */
  readonly at: string;
  readonly sql: string;
  /** allow | require_approval | block, or null when no decision was recorded. */
  readonly decision: string | null;
  readonly agent: string;
  readonly connection: string | null;
  readonly frontDoor: string;
}

export interface StatementPage {
  readonly rows: readonly StatementRow[];
  /** Cursor for the page after this one (in the table's order), or null on the last page. */
  readonly next: Cursor | null;
  /** Cursor for the page before this one, or null on the first page. */
  readonly previous: Cursor | null;
}

interface RawRow {
  eventId: string;
  sessionId: string;
  seq: number;
  at: string;
  sql: string | null;
  decision: string | null;
  agent: string;
  connection: string | null;
  frontDoor: string;
}

export async function statementPage(db: Store, query: TableQuery, pageSize = PAGE_SIZE): Promise<StatementPage> {
  const forward = !query.before;
  const cursor = query.after ?? query.before ?? null;
  // Reading backwards (the page before `before`) walks the index the other way, then flips the rows back.
  const descending = (query.order === "newest") === forward;
  const raw = await readRows(db, query.filters, cursor, descending, pageSize + 1);
  const more = raw.length > pageSize;
  const rows = raw.slice(0, pageSize).map(toRow);
  if (!forward) {
    // Fewer than a page before `before`: that is the first page, shown whole.
    if (!more && rows.length < pageSize) return statementPage(db, { filters: query.filters, order: query.order }, pageSize);
    rows.reverse();
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasNext = forward ? more : true;
  const hasPrevious = forward ? Boolean(query.after) : more;
  return {
    rows,
    next: hasNext && last ? cursorOf(last) : null,
    previous: hasPrevious && first ? cursorOf(first) : null,
  };
}

function cursorOf(row: StatementRow): Cursor {
  return { at: new Date(row.at), id: row.eventId };
}

function toRow(row: RawRow): StatementRow {
  return { ...row, sql: row.sql ?? "" };
}

/** The timestamp(3) column holds UTC wall time; compare it with UTC instants whatever the session's TimeZone. */
function utc(at: Date): Prisma.Sql {
  return Prisma.sql`(${at.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
}

/** `%`, `_` and `\` match themselves. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function conditions(filters: StatementFilters): Prisma.Sql[] {
  const where: Prisma.Sql[] = [Prisma.sql`s.type = 'statement'::"SessionEventType"`];
  if (filters.agentId) where.push(Prisma.sql`a."agentId" = ${filters.agentId}::uuid`);
  if (filters.connectionId) where.push(Prisma.sql`a."connectionId" = ${filters.connectionId}::uuid`);
  if (filters.frontDoor) where.push(Prisma.sql`a."frontDoor" = ${filters.frontDoor}::"FrontDoor"`);
  if (filters.decision) where.push(Prisma.sql`d.decision = ${filters.decision}`);
  if (filters.from) where.push(Prisma.sql`s.at >= ${utc(filters.from)}`);
  if (filters.to) where.push(Prisma.sql`s.at < ${utc(filters.to)}`);
  if (filters.text) where.push(Prisma.sql`s."sqlText" ILIKE ${likePattern(filters.text)}`);
  return where;
}

async function readRows(db: Store, filters: StatementFilters, cursor: Cursor | null, descending: boolean, limit: number): Promise<RawRow[]> {
  return db.$queryRaw<RawRow[]>(statementPageSql(filters, cursor, descending, limit));
}

/** The page's one statement (exported for the benchmark's EXPLAIN ANALYZE). */
export function statementPageSql(filters: StatementFilters, cursor: Cursor | null, descending: boolean, limit: number): Prisma.Sql {
  const where = conditions(filters);
  if (cursor) {
    where.push(
      descending
        ? Prisma.sql`(s.at, s.id) < (${utc(cursor.at)}, ${cursor.id}::bigint)`
        : Prisma.sql`(s.at, s.id) > (${utc(cursor.at)}, ${cursor.id}::bigint)`,
    );
  }
  const order = descending ? Prisma.sql`ORDER BY s.at DESC, s.id DESC` : Prisma.sql`ORDER BY s.at ASC, s.id ASC`;
  return Prisma.sql`
    SELECT s.id::text AS "eventId",
           s."sessionId"::text AS "sessionId",
           s.seq,
           to_char(s.at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
           left(s."sqlText", ${SQL_PREVIEW_CHARS}::int) AS sql,
           d.decision,
           ag.name AS agent,
           c.name AS connection,
           a."frontDoor"::text AS "frontDoor"
      FROM "SessionEvent" s
      JOIN "AgentSession" a ON a.id = s."sessionId"
      JOIN "Agent" ag ON ag.id = a."agentId"
      LEFT JOIN "Connection" c ON c.id = a."connectionId"
      LEFT JOIN "SessionEvent" d ON d."sessionId" = s."sessionId" AND d.seq = s.seq + 1 AND d.type = 'decision'::"SessionEventType"
     WHERE ${Prisma.join(where, " AND ")}
     ${order}
     LIMIT ${limit}::int`;
}

export interface FilterOptions {
  readonly agents: readonly { readonly id: string; readonly name: string }[];
  readonly connections: readonly { readonly id: string; readonly name: string }[];
}

/** The choices for the agent and connection filters. */
export async function filterOptions(db: Store): Promise<FilterOptions> {
  const [agents, connections] = await Promise.all([
    db.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true }, take: 1000 }),
    db.connection.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true }, take: 1000 }),
  ]);
  return { agents, connections };
}
