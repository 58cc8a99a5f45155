// Case-insensitive globs for names: `*` is any run of characters, `?` is one character, `\` escapes the next.
// Matching is the classic linear-backtracking wildcard walk (O(pattern × name) at worst, never exponential),
// so a policy author cannot write a glob that stalls the gateway.

export interface Glob {
  readonly source: string;
  /** True when the pattern has no wildcard: matching is string equality. */
  readonly literal: boolean;
  matches(name: string): boolean;
}

type Token = { readonly kind: "char"; readonly ch: string } | { readonly kind: "any" } | { readonly kind: "one" };

export function compileGlob(pattern: string): Glob {
  const source = pattern.toLowerCase();
  const tokens: Token[] = [];
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\" && i + 1 < source.length) tokens.push({ kind: "char", ch: source[++i] });
    else if (ch === "*") {
      if (tokens.length === 0 || tokens[tokens.length - 1].kind !== "any") tokens.push({ kind: "any" });
    } else if (ch === "?") tokens.push({ kind: "one" });
    else tokens.push({ kind: "char", ch });
  }
  if (tokens.every((t) => t.kind === "char")) {
    const text = tokens.map((t) => (t.kind === "char" ? t.ch : "")).join("");
    return { source: pattern, literal: true, matches: (name) => name.toLowerCase() === text };
  }
  if (tokens.length === 1 && tokens[0].kind === "any") return { source: pattern, literal: false, matches: () => true };
  return { source: pattern, literal: false, matches: (name) => wildcard(tokens, name.toLowerCase()) };
}

function wildcard(tokens: readonly Token[], name: string): boolean {
  let t = 0;
  let n = 0;
  let starT = -1;
  let starN = 0;
  while (n < name.length) {
    const tok = tokens[t];
    if (tok !== undefined && (tok.kind === "one" || (tok.kind === "char" && tok.ch === name[n]))) {
      t++;
      n++;
    } else if (tok !== undefined && tok.kind === "any") {
      starT = t++;
      starN = n;
    } else if (starT >= 0) {
      t = starT + 1;
      n = ++starN;
    } else return false;
  }
  while (t < tokens.length && tokens[t].kind === "any") t++;
  return t === tokens.length;
}

/** A set of globs matched as one: literal patterns go to a Set, the rest are walked. */
export interface GlobSet {
  readonly empty: boolean;
  matches(name: string): boolean;
  /** The first pattern that matches, for explanations. */
  which(name: string): string | undefined;
}

export function compileGlobSet(patterns: readonly string[]): GlobSet {
  const exact = new Map<string, string>();
  const wild: Glob[] = [];
  for (const p of patterns) {
    const g = compileGlob(p);
    if (g.literal) exact.set(compileLiteral(p), p);
    else wild.push(g);
  }
  const which = (name: string): string | undefined => {
    const lower = name.toLowerCase();
    const hit = exact.get(lower);
    if (hit !== undefined) return hit;
    for (const g of wild) if (g.matches(lower)) return g.source;
    return undefined;
  };
  return {
    empty: patterns.length === 0,
    matches: (name) => which(name) !== undefined,
    which,
  };
}

function compileLiteral(pattern: string): string {
  return pattern.replace(/\\(.)/g, "$1").toLowerCase();
}

/** "public.customers" → ["public", "customers"]; "customers" → [undefined, "customers"]. Splits at the last dot. */
export function splitQualified(name: string): readonly [string | undefined, string] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? [undefined, name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/**
 * A glob over qualified names (tables, functions). A pattern without a schema matches the name in any schema;
 * a pattern with a schema also matches an unqualified name (the statement may resolve it through the search
 * path, so a rule must not be dodged by leaving the schema out).
 */
export interface QualifiedGlob {
  readonly source: string;
  matches(name: string): boolean;
}

export function compileQualifiedGlob(pattern: string): QualifiedGlob {
  const [schema, object] = splitQualified(pattern);
  const objectGlob = compileGlob(object);
  const schemaGlob = schema === undefined ? undefined : compileGlob(schema);
  return {
    source: pattern,
    matches(name) {
      const [s, o] = splitQualified(name);
      if (!objectGlob.matches(o)) return false;
      return schemaGlob === undefined || s === undefined || schemaGlob.matches(s);
    },
  };
}

export interface QualifiedGlobSet {
  readonly empty: boolean;
  matches(name: string): boolean;
  which(name: string): string | undefined;
}

export function compileQualifiedGlobSet(patterns: readonly string[]): QualifiedGlobSet {
  // Unqualified literal patterns (the common case: "pg_read_file", "customers") are one Map lookup.
  const byObject = new Map<string, string>();
  const rest: QualifiedGlob[] = [];
  for (const p of patterns) {
    const [schema, object] = splitQualified(p);
    const g = compileGlob(object);
    if (schema === undefined && g.literal) byObject.set(compileLiteral(object), p);
    else rest.push(compileQualifiedGlob(p));
  }
  const which = (name: string): string | undefined => {
    if (byObject.size > 0) {
      const hit = byObject.get(splitQualified(name)[1].toLowerCase());
      if (hit !== undefined) return hit;
    }
    for (const g of rest) if (g.matches(name)) return g.source;
    return undefined;
  };
  return { empty: patterns.length === 0, matches: (name) => which(name) !== undefined, which };
}
