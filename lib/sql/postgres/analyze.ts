// PostgreSQL entry point: parse the whole text once with the real PostgreSQL parser (libpg-query, WASM),
// cut it into statements by the parser's own byte offsets, and analyse each statement.

import { fingerprintSync, loadModule, normalizeSync, parseSync, type Node } from "libpg-query";
import type { StatementAnalysis } from "../types";
import { describeFailure } from "../errors";
import type { Budget } from "../core/budget";
import { hash64 } from "../core/hash";
import { unknownStatement, type StatementText } from "../core/statement";
import { analyzePgStatement } from "./classify";

let loading: Promise<void> | undefined;
let ready = false;

/** Load the WASM parser once; later calls return the same promise. */
export function loadPostgresParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    ready = true;
  });
  return loading;
}

export function postgresParserReady(): boolean {
  return ready;
}

export function postgresIdentity(text: string): StatementText {
  return {
    text,
    normalized: () => {
      try {
        return normalizeSync(text);
      } catch {
        return text;
      }
    },
    fingerprint: () => {
      try {
        return fingerprintSync(text);
      } catch {
        return hash64(text);
      }
    },
  };
}

/** Identity of text the parser rejected: libpg-query's normalize/fingerprint need parseable input. */
function rawIdentity(text: string): StatementText {
  return { text, normalized: () => text, fingerprint: () => hash64(text) };
}

interface RawStatement {
  stmt?: Node;
  stmt_location?: number;
  stmt_len?: number;
}

export function analyzePostgres(input: string, budget: Budget): StatementAnalysis[] {
  if (input.trim() === "") return [unknownStatement("postgres", rawIdentity(""), "empty_statement")];
  let stmts: RawStatement[];
  try {
    stmts = (parseSync(input) as { stmts?: RawStatement[] }).stmts ?? [];
  } catch (error) {
    const { code, message } = describeFailure(error);
    return [unknownStatement("postgres", rawIdentity(input.trim()), code, message, code === "parse_error" ? { syntaxError: syntaxErrorOf(error, input, message) } : {})];
  }
  if (stmts.length === 0) {
    return [unknownStatement("postgres", rawIdentity(input.trim()), "empty_statement")];
  }
  const slicer = textSlicer(input);
  const out: StatementAnalysis[] = [];
  for (const raw of stmts) {
    const identity = postgresIdentity(slicer(raw.stmt_location ?? 0, raw.stmt_len));
    if (!raw.stmt) {
      out.push(unknownStatement("postgres", identity, "empty_statement"));
      continue;
    }
    try {
      out.push(analyzePgStatement(raw.stmt, identity, budget));
    } catch (error) {
      const { code, message } = describeFailure(error);
      out.push(unknownStatement("postgres", identity, code, message));
    }
  }
  return out;
}

/** Statement offsets are UTF-8 byte offsets; ASCII text is sliced directly, anything else through bytes. */
function textSlicer(input: string): (location: number, length: number | undefined) => string {
  if (/^[\x00-\x7f]*$/.test(input)) {
    return (location, length) => input.slice(location, length ? location + length : undefined).trim();
  }
  const bytes = new TextEncoder().encode(input);
  const decoder = new TextDecoder();
  return (location, length) =>
    decoder.decode(bytes.subarray(location, length ? location + length : undefined)).trim();
}

/** PostgreSQL's own message, and the 1-based character position it points at (libpg-query reports a byte offset). */
function syntaxErrorOf(error: unknown, input: string, message: string): { message: string; position?: number } {
  const cursor = (error as { sqlDetails?: { cursorPosition?: unknown } }).sqlDetails?.cursorPosition;
  if (typeof cursor !== "number" || cursor < 0) return { message };
  const position = new TextDecoder().decode(new TextEncoder().encode(input).subarray(0, cursor)).length + 1;
  return { message, position };
}
