import { z } from "zod";
import { ROLE_LABELS, type Role } from "@/lib/auth/permissions";

// One schema per people form, checked in the browser before sending and again by the server action.

export const ROLES = Object.keys(ROLE_LABELS) as Role[];
export const PASSWORD_MIN = 12;

const roles = z.array(z.enum(ROLES as [Role, ...Role[]])).min(1, "Pick at least one role (disable the account to take all access away)");

export const newPersonSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("Enter an e-mail address").max(320)),
  name: z.string().trim().min(1, "Enter a name").max(200, "Keep the name under 200 characters"),
  roles,
  password: z.string().min(PASSWORD_MIN, `At least ${PASSWORD_MIN} characters`).max(1024, "At most 1024 characters"),
});

export const personUpdateSchema = z.object({
  userId: z.guid("Unknown person"),
  roles,
  disabled: z.boolean(),
});

export type PersonField = "email" | "name" | "roles" | "password" | "userId" | "disabled";

export interface PersonState {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Partial<Record<PersonField, string>>;
}

export function newPersonFromForm(form: FormData): Record<string, unknown> {
  return { email: text(form, "email"), name: text(form, "name"), roles: form.getAll("roles").filter((v) => typeof v === "string"), password: text(form, "password") };
}

export function personUpdateFromForm(form: FormData): Record<string, unknown> {
  return { userId: text(form, "userId"), roles: form.getAll("roles").filter((v) => typeof v === "string"), disabled: form.get("disabled") === "on" };
}

function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === "string" ? value : undefined;
}

export function personFieldErrors(error: z.ZodError): Partial<Record<PersonField, string>> {
  const out: Partial<Record<PersonField, string>> = {};
  for (const issue of error.issues) {
    const key = (issue.path[0] ?? "email") as PersonField;
    out[key] ??= issue.message;
  }
  return out;
}
