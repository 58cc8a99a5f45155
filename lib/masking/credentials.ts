// Passwords written into SQL text: `ALTER ROLE app PASSWORD 'x'`, `CREATE USER u IDENTIFIED BY 'x'`, a user
// mapping's `OPTIONS (password 'x')`, a dblink connection string's `password=x`. The value detectors do not know a
// password when they see one, so the statement's text is scrubbed by its shape before it leaves for a wider
// audience than the approval page (Slack, webhooks).

const REDACTED = "'***'";

/** A SQL string literal: '…' (with '' inside), E'…' (with \' too), or a dollar-quoted body. */
const LITERAL = String.raw`(?:[eE]'(?:[^'\\]|\\[\s\S]|'')*'|'(?:[^']|'')*'|(\$[A-Za-z_0-9]*\$)[\s\S]*?\2)`;

/** PASSWORD 'x', ENCRYPTED PASSWORD 'x', IDENTIFIED [WITH plugin] BY|AS 'x', OPTIONS (… password 'x' …). */
const AFTER_KEYWORD = new RegExp(String.raw`(\b(?:password|identified(?:\s+with\s+[\w'"]+)?\s+(?:by|as))\s*(?:=\s*)?)` + LITERAL, "gi");

/** MySQL SET PASSWORD [FOR user] = 'x' (or = PASSWORD('x')). */
const SET_PASSWORD = new RegExp(String.raw`(\bset\s+password\b[^=;]*=\s*(?:password\s*\(\s*)?)` + LITERAL, "gi");

/** password=x inside a connection string (dblink, postgres_fdw): up to the next blank or quote. */
const IN_CONNINFO = /(\bpassword\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s'"]+)/gi;

export function redactCredentials(sql: string): string {
  return sql
    .replace(SET_PASSWORD, (_match, keyword: string) => `${keyword}${REDACTED}`)
    .replace(AFTER_KEYWORD, (_match, keyword: string) => `${keyword}${REDACTED}`).replace(IN_CONNINFO, (_match, keyword: string) => `${keyword}***`);
}
