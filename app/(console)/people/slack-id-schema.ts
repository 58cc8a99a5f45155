import { z } from "zod";

// One schema for a person's Slack member id, checked by the form before sending and again by the server action.
// The id is the Slack user (U… or W… on Enterprise Grid) whose clicks on an approval message's buttons act as this
// person; empty clears it. Slack ids are upper case, so what is typed is trimmed and upper-cased first.

export const SLACK_ID_PATTERN = /^[UW][A-Z0-9]{2,}$/;
export const SLACK_ID_MAX = 32;

export const slackIdSchema = z.object({
  userId: z.guid("Unknown person"),
  slackUserId: z
    .string()
    .trim()
    .toUpperCase()
    .max(SLACK_ID_MAX, `A Slack member id is at most ${SLACK_ID_MAX} characters`)
    .refine((value) => value === "" || SLACK_ID_PATTERN.test(value), "A Slack member id looks like U012AB3CD (Slack: profile → ⋯ → Copy member ID)")
    .transform((value) => (value === "" ? null : value)),
});

export type SlackIdInput = z.output<typeof slackIdSchema>;
export type SlackIdField = "userId" | "slackUserId";

export interface SlackIdState {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Partial<Record<SlackIdField, string>>;
}

export function slackIdFromForm(form: FormData): Record<string, unknown> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  return { userId: field("userId"), slackUserId: field("slackUserId") ?? "" };
}

export function slackIdFieldErrors(error: z.ZodError): Partial<Record<SlackIdField, string>> {
  const out: Partial<Record<SlackIdField, string>> = {};
  for (const issue of error.issues) {
    const key = (issue.path[0] ?? "slackUserId") as SlackIdField;
    out[key] ??= issue.message;
  }
  return out;
}
