import YAML from "yaml";
import type { z } from "zod";
import { policySchema, type Policy } from "./model";

// Import and export of policy documents. JSON is what is stored; YAML is for people. Both go through the same
// zod schema, and every problem comes back with the path of the offending value ("rules[2].match.tables[0]").

export type PolicyFormat = "yaml" | "json";

export interface PolicyDocumentError {
  /** Where the problem is, e.g. "rules[2].match.tables[0]"; "" for the document itself. */
  readonly path: string;
  readonly message: string;
}

export type PolicyDocumentResult =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly errors: readonly PolicyDocumentError[] };

export const POLICY_DOCUMENT_MAX_BYTES = 1_000_000;

/** Parse a policy from YAML or JSON text. Without a format, text starting with `{` is JSON, anything else YAML. */
export function parsePolicyDocument(text: string, format?: PolicyFormat): PolicyDocumentResult {
  if (text.length > POLICY_DOCUMENT_MAX_BYTES)
    return fail("", `document is larger than ${POLICY_DOCUMENT_MAX_BYTES} characters`);
  const fmt = format ?? (text.trimStart().startsWith("{") ? "json" : "yaml");
  let data: unknown;
  if (fmt === "json") {
    try {
      data = JSON.parse(text);
    } catch (e) {
      return fail("", `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    // uniqueKeys: a repeated key is an error, not "last one wins"; maxAliasCount guards against alias bombs.
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0)
      return { ok: false, errors: doc.errors.map((e) => ({ path: "", message: `invalid YAML: ${e.message}` })) };
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return fail("", `invalid YAML: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return validatePolicy(data);
}

/** Validate an already-parsed value (e.g. the JSON column of the store). */
export function validatePolicy(data: unknown): PolicyDocumentResult {
  const parsed = policySchema.safeParse(data);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return { ok: false, errors: parsed.error.issues.flatMap(toDocumentErrors) };
}

/** Serialize a policy. Defaults are written out, so the document says exactly what will be enforced. */
export function exportPolicy(policy: Policy, format: PolicyFormat): string {
  if (format === "json") return JSON.stringify(policy, null, 2) + "\n";
  const doc = new YAML.Document(policy, { aliasDuplicateObjects: false });
  // Lists of plain values read best on one line: `kinds: [insert, update]`.
  YAML.visit(doc, {
    Seq(_, node) {
      let width = 0;
      for (const item of node.items) {
        if (!YAML.isScalar(item)) return;
        width += String(item.value).length + 2;
      }
      if (width <= 72) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 110 });
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

function toDocumentErrors(issue: z.core.$ZodIssue): PolicyDocumentError[] {
  if (issue.code === "unrecognized_keys")
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: `unknown key "${key}"` }));
  return [{ path: formatPath(issue.path), message: issue.message }];
}

function fail(path: string, message: string): PolicyDocumentResult {
  return { ok: false, errors: [{ path, message }] };
}
