import { z } from "zod";

// One schema for the approve/reject form: the browser checks it before sending, the server action checks it
// again (safeParse) before deciding. `reason` is the approver's comment, returned to the agent with the decision
// (an approval's too): optional when approving, required when rejecting, so the agent learns why.

export const REASON_MAX = 1000;

const requestId = z.guid("Unknown approval request");
const reason = z.string().trim().max(REASON_MAX, `Keep the comment under ${REASON_MAX} characters`);

export const decisionSchema = z.discriminatedUnion("verdict", [
  z.object({ requestId, verdict: z.literal("approve"), reason: reason.optional().default("") }),
  z.object({ requestId, verdict: z.literal("reject"), reason: reason.min(1, "Say why you are rejecting it: the agent is shown this comment") }),
], { error: "Choose approve or reject" });

export type DecisionInput = z.input<typeof decisionSchema>;

export type DecisionField = "requestId" | "verdict" | "reason";

/** What the server action answers; the form shows `message` and each field's first error beside it. */
export interface DecisionState {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Partial<Record<DecisionField, string>>;
}

/** Form fields → the schema's input (missing fields become undefined, so the schema reports them). */
export function decisionFromForm(form: FormData): Record<string, unknown> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  return { requestId: field("requestId"), verdict: field("verdict"), reason: field("reason") ?? "" };
}

/** The first error of each field, for display. */
export function firstFieldErrors(error: z.ZodError): Partial<Record<DecisionField, string>> {
  const out: Partial<Record<DecisionField, string>> = {};
  for (const issue of error.issues) {
    const key = (issue.path[0] ?? "verdict") as DecisionField;
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
