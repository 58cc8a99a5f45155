// The sessions table's keyset cursor: the (at, id) of a statement event, the row a page starts after (or ends
// before). Written into the URL as `<ISO instant with ms>_<event id>`, readable and stable; anything else is
// treated as no cursor (the first page), never as an error a visitor could trip over.

export interface Cursor {
  /** The event's `at`, to the millisecond (the column is timestamp(3)). */
  readonly at: Date;
  /** The event's id (a bigint, kept as decimal text). */
  readonly id: string;
}

const PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_(\d{1,19})$/;
const MAX_BIGINT = 9223372036854775807n;

export function encodeCursor(cursor: Cursor): string {
  return `${cursor.at.toISOString()}_${cursor.id}`;
}

export function decodeCursor(text: string | null | undefined): Cursor | null {
  if (!text) return null;
  const match = PATTERN.exec(text);
  if (!match) return null;
  const at = new Date(match[1]!);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== match[1]) return null;
  const id = BigInt(match[2]!);
  if (id > MAX_BIGINT) return null;
  return { at, id: id.toString() };
}
