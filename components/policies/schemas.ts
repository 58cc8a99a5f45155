import { z } from "zod";
import { POLICY_DOCUMENT_MAX_BYTES, validatePolicy, type PolicyDocumentError } from "@/lib/policy/document";
import type { Policy } from "@/lib/policy/model";

// The schemas shared by the policy forms (checked in the browser before sending) and their server actions
// (checked again with safeParse). The policy document itself is checked by lib/policy's `policySchema` through
// validatePolicy, on both sides, so a field's message is the same wherever it was found.

export const COMMENT_MAX = 500;
export const REPLAY_DEFAULT = 200;
export const REPLAY_MAX = 1000;

const uuid = z.uuid("Unknown policy");
const comment = z.string().trim().max(COMMENT_MAX, `Keep the comment under ${COMMENT_MAX} characters`);

export const saveFieldsSchema = z.object({
  policyId: uuid.optional(),
  expectedVersion: z.coerce.number().int().min(1).optional(),
  comment: comment.default(""),
  document: z.string().min(2, "The policy is empty").max(POLICY_DOCUMENT_MAX_BYTES, "The policy is too large"),
});

/** What the save and import actions answer; the forms show `errors` beside the fields their paths name. */
export interface SaveState {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  /** Problems in the policy document, by path ("rules[0].action.columns"). */
  readonly errors?: readonly PolicyDocumentError[];
  readonly commentError?: string;
}

export type CheckedSave =
  | { readonly ok: true; readonly fields: z.output<typeof saveFieldsSchema>; readonly policy: Policy }
  | { readonly ok: false; readonly state: SaveState };

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A save form's fields → the checked policy, or the state to show. */
export function checkSave(form: FormData): CheckedSave {
  const parsed = saveFieldsSchema.safeParse({
    policyId: text(form, "policyId"),
    expectedVersion: text(form, "expectedVersion"),
    comment: text(form, "comment") ?? "",
    document: text(form, "document") ?? "",
  });
  if (!parsed.success) {
    const commentIssue = parsed.error.issues.find((issue) => issue.path[0] === "comment");
    const other = parsed.error.issues.find((issue) => issue.path[0] !== "comment");
    return { ok: false, state: { status: "error", ...(commentIssue ? { commentError: commentIssue.message } : {}), ...(other ? { message: other.message } : {}) } };
  }
  let data: unknown;
  try {
    data = JSON.parse(parsed.data.document);
  } catch {
    return { ok: false, state: { status: "error", message: "The policy could not be read" } };
  }
  const checked = validatePolicy(data);
  if (!checked.ok) return { ok: false, state: { status: "error", message: problems(checked.errors.length), errors: checked.errors } };
  return { ok: true, fields: parsed.data, policy: checked.policy };
}

export function problems(count: number): string {
  return `The policy has ${count} ${count === 1 ? "problem" : "problems"}; each is shown beside its field.`;
}

export const importFieldsSchema = z.object({
  text: z.string().trim().min(1, "Paste a policy or choose a file").max(POLICY_DOCUMENT_MAX_BYTES, "The document is too large"),
  format: z.enum(["auto", "yaml", "json"]).default("auto"),
  comment: comment.default(""),
});

export const draftSchema = z.object({ policyId: uuid.optional(), document: z.unknown() });

export const simulateSchema = z.object({
  sql: z.string().trim().min(1, "Paste a statement").max(100_000, "The statement is too long"),
  connection: z.string().min(1, "Choose a connection"),
  agentId: z.uuid("Choose an agent"),
  draft: draftSchema.optional(),
});

export const replaySchema = z.object({
  limit: z.coerce.number({ error: "A number of statements" }).int("A whole number").min(1, "At least 1").max(REPLAY_MAX, `At most ${REPLAY_MAX}`).default(REPLAY_DEFAULT),
  draft: draftSchema,
});

/** The first error of each top-level field, for display. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
