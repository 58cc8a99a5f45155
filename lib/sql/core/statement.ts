// Assembling frozen StatementAnalysis values: from a walk's facts, or as an `unknown` with a reason.

import type {
  AnalysisErrorCode,
  CopyInfo,
  DdlAction,
  Dialect,
  OutputColumn,
  StatementAnalysis,
  StatementKind,
} from "../types";
import { ANALYSIS_ERROR_TEXT } from "../errors";
import type { StatementFacts } from "./facts";

/** What a dialect's classifier decides about one statement besides the accumulated facts. */
export interface Classification {
  kind: StatementKind;
  ddl?: { action: DdlAction; objectType: string };
  outputColumns?: readonly OutputColumn[];
  hasWhere?: boolean;
  hasLimit?: boolean;
  limit?: number;
  copy?: CopyInfo;
  explain?: { analyze: boolean; inner: StatementAnalysis };
  setting?: string;
}

/** Text identity of a statement; normalized and fingerprint may be computed lazily on first read. */
export interface StatementText {
  readonly text: string;
  readonly normalized: () => string;
  readonly fingerprint: () => string;
}

function deepFreezeColumns(columns: readonly OutputColumn[]): readonly OutputColumn[] {
  for (const column of columns) {
    for (const source of column.sources) Object.freeze(source);
    Object.freeze(column.sources);
    Object.freeze(column);
  }
  return Object.freeze(columns);
}

/** Define `normalized` and `fingerprint` as enumerable getters that compute once, then freeze. */
function withLazyText<T extends object>(target: T, identity: StatementText): T {
  let normalized: string | undefined;
  let fingerprint: string | undefined;
  Object.defineProperty(target, "normalized", {
    enumerable: true,
    get: () => (normalized ??= identity.normalized()),
  });
  Object.defineProperty(target, "fingerprint", {
    enumerable: true,
    get: () => (fingerprint ??= identity.fingerprint()),
  });
  return Object.freeze(target);
}

export function buildStatement(
  dialect: Dialect,
  identity: StatementText,
  c: Classification,
  facts: StatementFacts,
): StatementAnalysis {
  const writes = Object.freeze(facts.writes.map((w) => Object.freeze({ ...w })));
  const base = {
    dialect,
    kind: c.kind,
    text: identity.text,
    ...(c.ddl ? { ddl: Object.freeze({ ...c.ddl }) } : {}),
    tablesRead: Object.freeze([...facts.read]),
    tablesWritten: Object.freeze([...facts.written]),
    outputColumns: deepFreezeColumns(c.outputColumns ?? []),
    predicateColumns: Object.freeze(facts.predicateColumns().map((s) => Object.freeze(s))),
    ...(facts.storedColumns().length > 0 ? { storedColumns: Object.freeze(facts.storedColumns().map((s) => Object.freeze(s))) } : {}),
    functions: Object.freeze([...facts.functions]),
    hasWhere: c.hasWhere ?? true,
    hasLimit: c.hasLimit ?? false,
    ...(c.limit !== undefined ? { limit: c.limit } : {}),
    ...(c.copy ? { copy: Object.freeze({ ...c.copy }) } : {}),
    ...(facts.fileAccess ? { fileAccess: true } : {}),
    ...(c.explain ? { explain: Object.freeze({ ...c.explain }) } : {}),
    ...(c.setting !== undefined ? { setting: c.setting } : {}),
    ...(writes.length > 0 ? { writes } : {}),
  };
  return withLazyText(base, identity) as unknown as StatementAnalysis;
}

export interface UnknownDetails {
  /** Facts a fallback scan could still establish (functions seen, file access), kept for policy. */
  facts?: StatementFacts;
  /** The dialect's own grammar rejected the text (see StatementAnalysis.syntaxError). */
  syntaxError?: { message: string; position?: number };
}

export function unknownStatement(
  dialect: Dialect,
  identity: StatementText,
  code: AnalysisErrorCode,
  message: string = ANALYSIS_ERROR_TEXT[code],
  details: UnknownDetails = {},
): StatementAnalysis {
  const facts = details.facts;
  const base = {
    dialect,
    kind: "unknown" as const,
    text: identity.text,
    tablesRead: Object.freeze(facts ? [...facts.read] : []),
    tablesWritten: Object.freeze(facts ? [...facts.written] : []),
    outputColumns: Object.freeze([]),
    predicateColumns: Object.freeze([]),
    functions: Object.freeze(facts ? [...facts.functions] : []),
    hasWhere: false,
    hasLimit: false,
    ...(facts?.fileAccess ? { fileAccess: true } : {}),
    error: message,
    errorCode: code,
    ...(details.syntaxError ? { syntaxError: Object.freeze({ ...details.syntaxError }) } : {}),
  };
  return withLazyText(base, identity) as unknown as StatementAnalysis;
}

/** Identity for text that needs no dialect help (rejected before parsing). */
export function plainIdentity(text: string, fingerprint: () => string): StatementText {
  return { text, normalized: () => text, fingerprint };
}

/** The same analysis for another text of the same shape (lib/sql/shape-key.ts): every field but the text's own. */
export function withText(template: StatementAnalysis, identity: StatementText): StatementAnalysis {
  const base: Record<string, unknown> = {};
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(template))) {
    if (key === "normalized" || key === "fingerprint") continue;
    base[key] = key === "text" ? identity.text : descriptor.value;
  }
  return withLazyText(base, identity) as unknown as StatementAnalysis;
}
