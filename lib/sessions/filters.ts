import { z } from "zod";
import { decodeCursor, encodeCursor, type Cursor } from "./cursor";

// What the sessions table shows, as it lives in the URL: filters, order and the keyset cursor. Parsing never
// throws: a value that does not parse is dropped (and named in `problems`, shown beside its field), so a shared
// or hand-edited link always opens a page. `tableSearch` writes the state back, in a stable parameter order.
//
//   /sessions?agent=<uuid>&connection=<uuid>&door=http&decision=block&from=2026-11-25T20:00&to=…&q=customers
//            &order=oldest&after=<cursor> | &before=<cursor>

export const DECISIONS = ["allow", "require_approval", "block"] as const;
export type DecisionFilter = (typeof DECISIONS)[number];
export const FRONT_DOORS = ["http", "mcp", "pgwire", "mysqlwire"] as const;
export type FrontDoorFilter = (typeof FRONT_DOORS)[number];
export type Order = "newest" | "oldest";

export const MAX_TEXT = 200;

export interface StatementFilters {
  readonly agentId?: string;
  readonly connectionId?: string;
  readonly frontDoor?: FrontDoorFilter;
  readonly decision?: DecisionFilter;
  /** Inclusive lower bound on the statement's time. */
  readonly from?: Date;
  /** Exclusive upper bound. */
  readonly to?: Date;
  /** Case-insensitive substring of the statement's SQL. */
  readonly text?: string;
}

export interface TableQuery {
  readonly filters: StatementFilters;
  readonly order: Order;
  /** Rows after this one in `order` (the next page)… */
  readonly after?: Cursor;
  /** …or rows before it (the previous page). */
  readonly before?: Cursor;
}

export type FilterField = "agent" | "connection" | "door" | "decision" | "from" | "to" | "q";
export type SearchParams = Readonly<Record<string, string | string[] | undefined>>;

const uuid = z.uuid();
/** `datetime-local` input values, read as UTC: 2026-11-25T22:35 (seconds optional). */
const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)$/;

export function parseTableQuery(params: SearchParams): { query: TableQuery; problems: Partial<Record<FilterField, string>> } {
  const problems: Partial<Record<FilterField, string>> = {};
  const one = (name: string): string | undefined => {
    const value = params[name];
    const text = (Array.isArray(value) ? value[0] : value)?.trim();
    return text ? text : undefined;
  };
  const filters: { -readonly [K in keyof StatementFilters]: StatementFilters[K] } = {};

  const agent = one("agent");
  if (agent !== undefined) {
    if (uuid.safeParse(agent).success) filters.agentId = agent.toLowerCase();
    else problems.agent = "Choose an agent from the list";
  }
  const connection = one("connection");
  if (connection !== undefined) {
    if (uuid.safeParse(connection).success) filters.connectionId = connection.toLowerCase();
    else problems.connection = "Choose a connection from the list";
  }
  const door = one("door");
  if (door !== undefined) {
    if ((FRONT_DOORS as readonly string[]).includes(door)) filters.frontDoor = door as FrontDoorFilter;
    else problems.door = "Choose a front door from the list";
  }
  const decision = one("decision");
  if (decision !== undefined) {
    if ((DECISIONS as readonly string[]).includes(decision)) filters.decision = decision as DecisionFilter;
    else problems.decision = "Choose a decision from the list";
  }
  for (const field of ["from", "to"] as const) {
    const value = one(field);
    if (value === undefined) continue;
    const at = parseUtcTime(value);
    if (at) filters[field] = at;
    else problems[field] = "Enter a date and time, e.g. 2026-11-25T14:30";
  }
  if (filters.from && filters.to && filters.from >= filters.to) {
    problems.to = "Must be after “From”";
    delete filters.to;
  }
  const text = one("q");
  if (text !== undefined) {
    if (text.length <= MAX_TEXT) filters.text = text;
    else problems.q = `At most ${MAX_TEXT} characters`;
  }

  const order: Order = one("order") === "oldest" ? "oldest" : "newest";
  const after = decodeCursor(one("after"));
  const before = after ? null : decodeCursor(one("before"));
  return { query: { filters, order, ...(after ? { after } : {}), ...(before ? { before } : {}) }, problems };
}

/** A `datetime-local` value as a UTC instant, or null. */
export function parseUtcTime(value: string): Date | null {
  const match = LOCAL_TIME.exec(value);
  if (!match) return null;
  const at = new Date(`${match[1]}T${match[2]}Z`);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== match[1]) return null;
  return at;
}

/** The instant as a `datetime-local` value in UTC (minutes, or seconds when it has them). */
export function utcInputValue(at: Date): string {
  const iso = at.toISOString();
  return at.getUTCSeconds() || at.getUTCMilliseconds() ? iso.slice(0, 19) : iso.slice(0, 16);
}

/** The URL search string (with "?", or "" when empty) for a table state. */
export function tableSearch(query: TableQuery): string {
  const { filters } = query;
  const params = new URLSearchParams();
  if (filters.agentId) params.set("agent", filters.agentId);
  if (filters.connectionId) params.set("connection", filters.connectionId);
  if (filters.frontDoor) params.set("door", filters.frontDoor);
  if (filters.decision) params.set("decision", filters.decision);
  if (filters.from) params.set("from", utcInputValue(filters.from));
  if (filters.to) params.set("to", utcInputValue(filters.to));
  if (filters.text) params.set("q", filters.text);
  if (query.order === "oldest") params.set("order", "oldest");
  if (query.after) params.set("after", encodeCursor(query.after));
  else if (query.before) params.set("before", encodeCursor(query.before));
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function hasFilters(filters: StatementFilters): boolean {
  return Object.values(filters).some((value) => value !== undefined);
}
