// The first words of a statement, for two small jobs the drivers leave to us: naming the command when the
// server sent no tag (mysql; a truncated pg cursor), and spotting statements that leave state on a pooled
// session (SET, USE, PREPARE, temporary tables, user variables…), whose connection is then dropped instead of
// going back to the pool for another agent. Policy decides what may run; this only keeps the pool clean.

const SKIP = /^(?:\s+|--[^\n]*(?:\n|$)|#[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/;

/** Up to `count` leading keywords, upper-cased ("SELECT", "CREATE TEMPORARY"…); [] for empty text. */
export function leadingKeywords(sql: string, count = 2): string[] {
  const rest = sql.replace(SKIP, "");
  const words: string[] = [];
  const pattern = /[A-Za-z_]+/y;
  let at = 0;
  while (words.length < count) {
    pattern.lastIndex = at;
    const match = pattern.exec(rest);
    if (match === null) break;
    words.push(match[0].toUpperCase());
    at = pattern.lastIndex;
    while (at < rest.length && /\s/.test(rest[at])) at++;
  }
  return words;
}

/** The command verb for a statement the server did not tag: WITH/TABLE/VALUES read like SELECT. */
export function commandOf(sql: string): string {
  const [first = ""] = leadingKeywords(sql, 1);
  if (first === "WITH" || first === "TABLE" || first === "VALUES") return "SELECT";
  return first;
}

/** pg command tags after which a session is no longer clean. */
const PG_SESSION_TAGS = new Set(["SET", "RESET", "DISCARD", "PREPARE", "DEALLOCATE", "DEALLOCATE ALL", "LISTEN", "UNLISTEN", "DECLARE CURSOR", "LOAD", "SET CONSTRAINTS"]);
const TEMPORARY = /\b(?:temp|temporary)\b/i;

export function pgLeavesSessionState(command: string, sql: string): boolean {
  if (PG_SESSION_TAGS.has(command)) return true;
  return (command.startsWith("CREATE") || command === "SELECT") && TEMPORARY.test(sql);
}

const MYSQL_SESSION_WORDS = new Set([
  "SET", "USE", "PREPARE", "EXECUTE", "DEALLOCATE", "LOCK", "UNLOCK", "BEGIN", "START", "COMMIT", "ROLLBACK",
  "SAVEPOINT", "RELEASE", "XA", "HANDLER", "FLUSH", "RESET", "CALL", "DO",
]);
/** `@name` (a user variable) but not `@@name` (a system variable read). */
const USER_VARIABLE = /(?:^|[^@\w])@[A-Za-z0-9_$.`'"]/;

export function mysqlLeavesSessionState(sql: string): boolean {
  const [first = "", second = ""] = leadingKeywords(sql, 2);
  if (MYSQL_SESSION_WORDS.has(first)) return true;
  if ((first === "CREATE" || first === "DROP") && second === "TEMPORARY") return true;
  return USER_VARIABLE.test(sql);
}
