// A small SQL tokenizer for display only: it splits text into runs the highlighter colours. It never decides
// anything and never rejects input: every character of the text ends up in exactly one token, in order, so
// joining the tokens' text gives the input back.

export type SqlTokenKind = "keyword" | "string" | "number" | "comment" | "identifier" | "operator" | "text";

export interface SqlToken {
  readonly kind: SqlTokenKind;
  readonly text: string;
}

const KEYWORDS = new Set(
  (
    "add all alter analyze and any as asc begin between by call case cast check column commit constraint copy create cross " +
    "current_date current_time current_timestamp database default delete desc distinct do drop else end except exists explain " +
    "false fetch first for foreign from full function grant group having if ilike in index inner insert intersect into is join " +
    "key lateral left like limit lock merge natural not null nulls offset on or order outer over partition primary procedure " +
    "references rename replace returning revoke right rollback row rows savepoint schema select set show table then to " +
    "transaction true truncate union unique update use using vacuum values view when where window with"
  ).split(" "),
);

/** The tokens of `sql`; their texts concatenated are exactly `sql`. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const push = (kind: SqlTokenKind, end: number) => {
    const text = sql.slice(i, end);
    const last = tokens[tokens.length - 1];
    // Adjacent plain runs are merged so the output stays small.
    if (last && last.kind === kind && (kind === "text" || kind === "operator")) tokens[tokens.length - 1] = { kind, text: last.text + text };
    else tokens.push({ kind, text });
    i = end;
  };

  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") push("comment", lineEnd(sql, i));
    else if (c === "#" ) push("comment", lineEnd(sql, i)); // MySQL comment; harmless in PostgreSQL display
    else if (c === "/" && next === "*") push("comment", blockEnd(sql, i));
    else if (c === "'") push("string", quotedEnd(sql, i, "'"));
    else if ((c === "e" || c === "E" || c === "n" || c === "N" || c === "x" || c === "X" || c === "b" || c === "B") && next === "'") push("string", quotedEnd(sql, i + 1, "'"));
    else if (c === '"' || c === "`") push("identifier", quotedEnd(sql, i, c));
    else if (c === "$") {
      const dollar = dollarQuoteEnd(sql, i);
      if (dollar > i) push("string", dollar);
      else push("operator", wordEnd(sql, i + 1, /[0-9]/)); // $1 parameter
    } else if (/[0-9]/.test(c) || (c === "." && next !== undefined && /[0-9]/.test(next))) push("number", numberEnd(sql, i));
    else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const end = wordEnd(sql, i, /[A-Za-z0-9_$\u0080-\uffff]/);
      push(KEYWORDS.has(sql.slice(i, end).toLowerCase()) ? "keyword" : "text", end);
    } else if (/\s/.test(c)) push("text", wordEnd(sql, i, /\s/));
    else push("operator", i + 1);
  }
  return tokens;
}

function lineEnd(sql: string, from: number): number {
  const end = sql.indexOf("\n", from);
  return end === -1 ? sql.length : end;
}

function blockEnd(sql: string, from: number): number {
  const end = sql.indexOf("*/", from + 2);
  return end === -1 ? sql.length : end + 2;
}

/** End of a quoted run starting at `from` (the opening quote); a doubled quote or a backslash escapes. */
function quotedEnd(sql: string, from: number, quote: string): number {
  let i = from + 1;
  while (i < sql.length) {
    if (sql[i] === "\\" && quote === "'") i += 2;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

/** End of a PostgreSQL dollar-quoted string ($$…$$ or $tag$…$tag$) starting at `from`, or `from` when there is none. */
function dollarQuoteEnd(sql: string, from: number): number {
  const open = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(from, from + 64));
  if (!open) return from;
  const close = sql.indexOf(open[0], from + open[0].length);
  return close === -1 ? sql.length : close + open[0].length;
}

function numberEnd(sql: string, from: number): number {
  const match = /^(?:0x[0-9a-f]+|\d*\.?\d+(?:e[+-]?\d+)?)/i.exec(sql.slice(from, from + 400));
  return from + Math.max(1, match ? match[0].length : 1);
}

function wordEnd(sql: string, from: number, part: RegExp): number {
  let i = from;
  while (i < sql.length && part.test(sql[i]!)) i += 1;
  return i;
}
