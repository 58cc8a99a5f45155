import { z } from "zod";
import type { FormState } from "../connections/schema";

// One schema per agent form, shared by the browser (checked before sending) and the server actions (checked
// again with safeParse). Groups are typed as one text, separated by commas or new lines.

export const GROUP_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const GROUPS_MAX = 20;
export const TOKEN_LIFETIMES = ["", "7", "30", "90", "365"] as const;

const checkbox = z
  .union([z.boolean(), z.literal("on"), z.literal("")])
  .optional()
  .transform((value) => value === true || value === "on");

/** "a, b\nc" → ["a", "b", "c"], trimmed, without blanks or repeats, in the order typed. */
export function splitGroups(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((group) => group.trim()).filter((group) => group !== ""))];
}

export const agentSchema = z.object({
  /** Absent when creating. */
  id: z.guid("Unknown agent").optional(),
  name: z
    .string()
    .trim()
    .min(1, "Give the agent a name")
    .max(63, "Keep the name under 64 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Letters, digits, . - and _ only"),
  description: z.string().trim().max(500, "Keep the description under 500 characters").default(""),
  groups: z
    .string()
    .default("")
    .transform(splitGroups)
    .pipe(
      z
        .array(z.string().max(63, "Keep each group under 64 characters").regex(GROUP_PATTERN, "Group names: letters, digits, . _ : - (separate them with commas)"))
        .max(GROUPS_MAX, `At most ${GROUPS_MAX} groups`),
    ),
  ownerId: z
    .string()
    .default("")
    .transform((value) => value.trim())
    .pipe(z.union([z.literal(""), z.guid("Choose an owner from the list")]))
    .transform((value) => (value === "" ? null : value)),
  disabled: checkbox,
});

export type AgentInput = z.output<typeof agentSchema>;

export const AGENT_FIELDS = ["id", "name", "description", "groups", "ownerId", "disabled"] as const;

export const tokenSchema = z.object({
  agentId: z.guid("Unknown agent"),
  name: z.string().trim().min(1, "Say what this token is for (e.g. “laptop”, “CI”)").max(100, "Keep the name under 100 characters"),
  expiresInDays: z.enum(TOKEN_LIFETIMES, { error: "Choose when the token expires" }).default(""),
});

export type TokenInput = z.output<typeof tokenSchema>;

export const revokeSchema = z.object({ agentId: z.guid("Unknown agent"), tokenId: z.guid("Unknown token") });

/** Named form fields → a plain object (missing fields become undefined, so the schema reports them). */
export function fieldsFrom(form: FormData, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = form.get(name);
    out[name] = typeof value === "string" && !(name === "id" && value === "") ? value : undefined;
  }
  return out;
}

/** The expiry for a lifetime in days ("" = never), from `now`. */
export function expiryFrom(now: Date, days: TokenInput["expiresInDays"]): Date | null {
  return days === "" ? null : new Date(now.getTime() + Number(days) * 86_400_000);
}

/** What issuing a token answers: the token itself, once, in this response only. */
export interface IssuedState extends FormState {
  readonly token?: string;
  readonly prefix?: string;
}
