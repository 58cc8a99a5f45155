// Reading the agent and its groups out of verified JWT claims. A claim name is looked up as a top-level
// key first (namespaced claims such as "https://corp.example/groups" contain dots), then as a dotted path
// into nested objects ("realm_access.roles").

export const MAX_GROUPS = 200;
export const MAX_GROUP_LENGTH = 200;
export const MAX_SUBJECT_LENGTH = 200;
/** NUL and lone surrogates cannot be stored in PostgreSQL text (or would be stored as U+FFFD, merging names). */
const UNSTORABLE = /[\u0000\p{Cs}]/u;

export function readClaim(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Groups from a claim value: an array of strings, or one string. Blank, non-string and oversized entries
 *  are dropped; duplicates removed; at most MAX_GROUPS kept. A missing claim means no groups. */
export function groupsFrom(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  const groups = new Set<string>();
  for (const entry of list) {
    if (typeof entry !== "string") continue;
    const group = entry.trim();
    if (group === "" || group.length > MAX_GROUP_LENGTH || UNSTORABLE.test(group)) continue;
    groups.add(group);
    if (groups.size === MAX_GROUPS) break;
  }
  return [...groups];
}

/** The agent's subject: a non-blank string (or a number, written as a string) of sane length; else null. */
export function subjectFrom(value: unknown): string | null {
  const text = typeof value === "string" ? value.trim() : typeof value === "number" && Number.isFinite(value) ? String(value) : null;
  if (!text || text.length > MAX_SUBJECT_LENGTH || /[\u0000-\u001f\u007f\p{Cs}]/u.test(text)) return null;
  return text;
}

export function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const left = [...a].sort();
  const right = [...b].sort();
  return left.every((group, i) => group === right[i]);
}
