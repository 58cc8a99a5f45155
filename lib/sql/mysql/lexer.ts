// MySQL text preparation, before any parsing: split the input into statements at top-level semicolons
// (never inside strings, quoted identifiers or comments), expand executable comments into code (MySQL
// runs the body of `/*! ... */`, `/*!50000 ... */` and MariaDB's `/*M! ... */`, so hiding a statement
// there must not hide it from analysis), drop ordinary `/* */`, `#` and `-- ` comments (a `--` without the
// whitespace is two minus signs, written `- -` in the code), and build the normalized text (literals → ?)
// used for the fingerprint.

export interface PreparedStatement {
  /** The statement as it appeared in the input (trimmed), executable-comment markers included. */
  readonly text: string;
  /** What MySQL would execute: executable comments expanded, ordinary comments removed, `--` written `- -`. */
  readonly code: string;
  /** `code` with literals replaced by `?` and whitespace collapsed. */
  readonly normalized: string;
  /** Deepest parenthesis nesting seen. */
  readonly depth: number;
}

export type PrepareResult =
  | { readonly ok: true; readonly statements: readonly PreparedStatement[] }
  | { readonly ok: false; readonly message: string };

const enum Ch {
  Tab = 9,
  Newline = 10,
  Space = 32,
  DoubleQuote = 34,
  Hash = 35,
  Quote = 39,
  OpenParen = 40,
  CloseParen = 41,
  Star = 42,
  Dash = 45,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Semicolon = 59,
  Backslash = 92,
  Backtick = 96,
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;
}

/**
 * @param backslashEscapes MySQL's default; with sql_mode NO_BACKSLASH_ESCAPES a backslash is an ordinary
 * character inside strings. Callers compare both readings when the text contains a backslash.
 */
export function prepareMysql(input: string, backslashEscapes = true): PrepareResult {
  const statements: PreparedStatement[] = [];
  let code = "";
  let normalized = "";
  let start = 0;
  let depth = 0;
  let maxDepth = 0;
  let inExecutable = false;
  let i = 0;
  const n = input.length;

  // Whether `code` / `normalized` is empty or ends in a space, kept as the texts grow: reading their last character
  // would flatten the strings `+=` builds at each blank, which made a long statement quadratic (180 kB: 20 s).
  let codeBlank = true;
  let normalizedBlank = true;
  const space = () => {
    if (!codeBlank) code += " ";
    if (!normalizedBlank) normalized += " ";
    codeBlank = normalizedBlank = true;
  };
  const finish = (end: number) => {
    const text = input.slice(start, end).trim();
    const body = code.trim();
    if (body.length > 0) statements.push({ text, code: body, normalized: normalized.trim(), depth: maxDepth });
    code = "";
    normalized = "";
    codeBlank = normalizedBlank = true;
    depth = 0;
    maxDepth = 0;
  };

  while (i < n) {
    const c = input.charCodeAt(i);
    const next = i + 1 < n ? input.charCodeAt(i + 1) : -1;
    // Comments.
    if (c === Ch.Slash && next === Ch.Star) {
      const bang = input.charCodeAt(i + 2);
      const mariadb = bang === 77 /* M */ && input.charCodeAt(i + 3) === 33; /* ! */
      if (bang === 33 || mariadb) {
        if (inExecutable) return { ok: false, message: "nested executable comment" };
        i += mariadb ? 4 : 3;
        while (i < n && input.charCodeAt(i) >= Ch.Zero && input.charCodeAt(i) <= Ch.Nine) i++;
        inExecutable = true;
        space();
        continue;
      }
      const close = input.indexOf("*/", i + 2);
      if (close < 0) return { ok: false, message: "unterminated comment" };
      i = close + 2;
      space();
      continue;
    }
    if (c === Ch.Star && next === Ch.Slash && inExecutable) {
      inExecutable = false;
      i += 2;
      space();
      continue;
    }
    if (c === Ch.Hash || (c === Ch.Dash && next === Ch.Dash && (i + 2 >= n || input.charCodeAt(i + 2) <= Ch.Space))) {
      const eol = input.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
      space();
      continue;
    }
    // `--` not followed by whitespace is not a comment to MySQL (`1 --1` is `1 - -1`), but node-sql-parser
    // reads every `--` as one: the code gets the two minus signs apart, so the parser sees the rest of the line.
    if (c === Ch.Dash && next === Ch.Dash) {
      code += "-";
      codeBlank = false;
      normalized += "-";
      normalizedBlank = false;
      space();
      i++;
      continue;
    }
    // Strings and quoted identifiers.
    if (c === Ch.Quote || c === Ch.DoubleQuote || c === Ch.Backtick) {
      let j = i + 1;
      for (;;) {
        if (j >= n) return { ok: false, message: "unterminated quoted string" };
        const d = input.charCodeAt(j);
        if (d === Ch.Backslash && c !== Ch.Backtick && backslashEscapes) {
          j += 2;
          continue;
        }
        if (d === c) {
          if (j + 1 < n && input.charCodeAt(j + 1) === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      const literal = input.slice(i, j + 1);
      code += literal;
      codeBlank = false;
      normalized += c === Ch.Backtick ? literal : "?";
      normalizedBlank = false;
      i = j + 1;
      continue;
    }
    if (c === Ch.Semicolon) {
      finish(i);
      i++;
      start = i;
      continue;
    }
    if (c <= Ch.Space) {
      space();
      i++;
      continue;
    }
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(input.charCodeAt(j))) j++;
      // A number, with an optional fraction and exponent.
      if (c >= Ch.Zero && c <= Ch.Nine) {
        if (input.charCodeAt(j) === 46 /* . */) {
          j++;
          while (j < n && isWordChar(input.charCodeAt(j))) j++;
        }
        const word = input.slice(i, j);
        code += word;
        codeBlank = false;
        normalized += /^(0x[0-9a-f]+|0b[01]+|\d+(\.\d*)?(e[+-]?\d+)?)$/i.test(word) ? "?" : word.toLowerCase();
        normalizedBlank = false;
        i = j;
        continue;
      }
      const word = input.slice(i, j);
      code += word;
      codeBlank = false;
      // x'..', b'..', n'..' and _charset'..' prefix a string literal: the literal becomes "?".
      const prefixOfLiteral = input.charCodeAt(j) === Ch.Quote && (/^[xbn]$/i.test(word) || word.charCodeAt(0) === 95);
      if (!prefixOfLiteral) {
        normalized += word.toLowerCase();
        normalizedBlank = false;
      }
      i = j;
      continue;
    }
    if (c === Ch.OpenParen) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
    } else if (c === Ch.CloseParen) {
      depth--;
    }
    code += input[i];
    codeBlank = false;
    normalized += input[i];
    normalizedBlank = false;
    i++;
  }
  if (inExecutable) return { ok: false, message: "unterminated executable comment" };
  finish(n);
  return { ok: true, statements };
}

/** The fingerprint text: normalized, with `IN (?, ?, ...)`-style lists folded so list length does not matter. */
export function fingerprintText(normalized: string): string {
  return normalized.replace(/\?(\s*,\s*\?)+/g, "?+").replace(/\s*([(),=<>+\-*/])\s*/g, "$1");
}
