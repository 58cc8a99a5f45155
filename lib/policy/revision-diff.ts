// A readable difference between two versions of a policy document, for the revisions page. Rules are matched by
// their id (not their position), so moving a rule reads as "moved", not as every rule after it changing. Values
// are flattened to `path → text` leaves; a list of plain values is one leaf ("[select, update]").
// Pure: takes the stored JSON as it is (it need not be valid) and never throws.

export interface FieldChange {
  /** Inside the policy ("settings.defaultAction") or inside a rule ("action.strategy.kind"). */
  readonly path: string;
  /** Absent when the field was added. */
  readonly before?: string;
  /** Absent when the field was removed. */
  readonly after?: string;
}

export interface RuleChange {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly change: "added" | "removed" | "changed";
  /** Positions (0-based) when the rule moved. */
  readonly moved?: { readonly from: number; readonly to: number };
  /** For "changed": what changed; for "added"/"removed": every field of the rule. */
  readonly fields: readonly FieldChange[];
}

export interface PolicyDiff {
  /** Changes outside the rules (name, description, settings …). */
  readonly policy: readonly FieldChange[];
  readonly rules: readonly RuleChange[];
  readonly identical: boolean;
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export function diffPolicies(before: unknown, after: unknown): PolicyDiff {
  const a = asObject(before);
  const b = asObject(after);
  const policy = diffLeaves(flatten(omit(a, "rules")), flatten(omit(b, "rules")));
  const rulesA = rulesOf(a);
  const rulesB = rulesOf(b);
  const rules: RuleChange[] = [];
  const indexA = new Map(rulesA.map((rule, i) => [rule.id, i]));
  const indexB = new Map(rulesB.map((rule, i) => [rule.id, i]));
  // Rules that exist in both, in their relative order before and after: a rule "moved" only when its place among
  // the surviving rules changed (adding a rule above it does not move it).
  const keptA = rulesA.filter((rule) => indexB.has(rule.id)).map((rule) => rule.id);
  const keptB = rulesB.filter((rule) => indexA.has(rule.id)).map((rule) => rule.id);

  rulesB.forEach((rule, to) => {
    const from = indexA.get(rule.id);
    if (from === undefined) {
      rules.push({ ruleId: rule.id, ruleName: rule.name, change: "added", fields: diffLeaves(new Map(), flatten(rule.body)) });
      return;
    }
    const fields = diffLeaves(flatten(rulesA[from]!.body), flatten(rule.body));
    const moved = keptA.indexOf(rule.id) !== keptB.indexOf(rule.id) ? { from, to } : undefined;
    if (fields.length > 0 || moved) rules.push({ ruleId: rule.id, ruleName: rule.name, change: "changed", fields, ...(moved ? { moved } : {}) });
  });
  rulesA.forEach((rule) => {
    if (!indexB.has(rule.id)) rules.push({ ruleId: rule.id, ruleName: rule.name, change: "removed", fields: diffLeaves(flatten(rule.body), new Map()) });
  });
  return { policy, rules, identical: policy.length === 0 && rules.length === 0 };
}

/** A value as one line of text: strings as they are, lists of plain values in brackets, objects as compact JSON. */
export function renderValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(renderValue).join(", ")}]`;
  return JSON.stringify(value);
}

interface RuleEntry {
  readonly id: string;
  readonly name: string;
  readonly body: Record<string, Json>;
}

function rulesOf(doc: Record<string, Json>): RuleEntry[] {
  const list = Array.isArray(doc.rules) ? (doc.rules as readonly Json[]) : [];
  const seen = new Set<string>();
  return list.map((item, i) => {
    const body = asObject(item);
    let id = typeof body.id === "string" && body.id !== "" ? body.id : `#${i + 1}`;
    if (seen.has(id)) id = `${id}#${i + 1}`; // duplicate ids (an invalid document) stay apart
    seen.add(id);
    return { id, name: typeof body.name === "string" ? body.name : id, body: omit(body, "id") };
  });
}

function flatten(value: Json, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, Json>);
    if (entries.length === 0 && prefix !== "") out.set(prefix, "{}");
    for (const [key, child] of entries) flatten(child, prefix === "" ? key : `${prefix}.${key}`, out);
    return out;
  }
  if (Array.isArray(value) && value.some((item) => item !== null && typeof item === "object")) {
    (value as readonly Json[]).forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
    return out;
  }
  out.set(prefix, renderValue(value));
  return out;
}

function diffLeaves(a: Map<string, string>, b: Map<string, string>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const [path, after] of b) {
    const before = a.get(path);
    if (before === undefined) out.push({ path, after });
    else if (before !== after) out.push({ path, before, after });
  }
  for (const [path, before] of a) if (!b.has(path)) out.push({ path, before });
  return out;
}

function asObject(value: unknown): Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, Json>) : {};
}

function omit(obj: Record<string, Json>, key: string): Record<string, Json> {
  const { [key]: _omitted, ...rest } = obj;
  void _omitted;
  return rest;
}
