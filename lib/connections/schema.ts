import { z } from "zod";

// One schema for the connection form: the browser checks it before sending, the server actions check it again
// (safeParse) before saving or testing. The secret is write-only: an empty secret on an existing connection means
// "keep the stored one"; `noSecret` says the database user has no password at all. Checkboxes follow HTML forms:
// absent is off, so the form itself starts `previewWrites` ticked for a new connection.

export const ENGINES = ["postgres", "mysql"] as const;
export const TLS_MODES = ["disable", "prefer", "require", "verify_full"] as const;

export type EngineName = (typeof ENGINES)[number];
export type TlsModeName = (typeof TLS_MODES)[number];

export const ENGINE_LABELS: Record<EngineName, string> = { postgres: "PostgreSQL", mysql: "MySQL / MariaDB" };
export const DEFAULT_PORTS: Record<EngineName, number> = { postgres: 5432, mysql: 3306 };
export const TLS_LABELS: Record<TlsModeName, string> = {
  disable: "Off",
  prefer: "Prefer (TLS when offered, unverified)",
  require: "Require (encrypted, certificate not verified)",
  verify_full: "Verify (certificate and host name checked)",
};

export const SECRET_MAX = 1024;
/** Roles a person named as a connection's approver must hold one of (the approval rules' default approver roles). */
export const APPROVER_ROLES = ["approver", "admin"] as const;
/** Most people a connection can name as its approvers. */
export const APPROVERS_MAX = 50;
export const ROW_LIMIT_MAX = 100_000;
export const TIMEOUT_MAX_SECONDS = 3600;

const whole = (label: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${label} must be a number` })
    .int(`${label} must be a whole number`)
    .min(min, `${label} must be at least ${min}`)
    .max(max, `${label} must be at most ${max}`);

const checkbox = z
  .union([z.boolean(), z.literal("on"), z.literal("")])
  .optional()
  .transform((value) => value === true || value === "on");

export const connectionSchema = z
  .object({
    /** Absent when creating. */
    id: z.guid("Unknown connection").optional(),
    name: z
      .string()
      .trim()
      .min(1, "Give the connection a name")
      .max(63, "Keep the name under 64 characters")
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "Letters, digits, - and _ only (agents type this name)"),
    description: z.string().trim().max(500, "Keep the description under 500 characters").default(""),
    engine: z.enum(ENGINES, { error: "Choose PostgreSQL or MySQL" }),
    host: z
      .string()
      .trim()
      .min(1, "Enter the database server's host name or IP address")
      .max(253, "That host name is too long")
      .regex(/^[A-Za-z0-9._:%-]+$/, "A host name or IP address, without a scheme or port"),
    port: whole("The port", 1, 65535),
    database: z.string().trim().min(1, "Enter the database name").max(128, "That database name is too long"),
    username: z.string().trim().min(1, "Enter the database user").max(128, "That user name is too long"),
    secret: z.string().max(SECRET_MAX, `Keep the password under ${SECRET_MAX} characters`).default(""),
    noSecret: checkbox,
    tls: z.enum(TLS_MODES, { error: "Choose a TLS mode" }),
    rowLimit: whole("The row limit", 1, ROW_LIMIT_MAX),
    timeoutSeconds: whole("The timeout", 1, TIMEOUT_MAX_SECONDS),
    readOnly: checkbox,
    /** Writes that wait for approval get a dry run (always rolled back) that approvers see. */
    previewWrites: checkbox,
    /** When not empty, only these people decide the connection's approval requests (lib/approvals/decide.ts). */
    approverIds: z
      .array(z.guid("Unknown person"), { error: "Choose approvers from the list" })
      .max(APPROVERS_MAX, `Name at most ${APPROVERS_MAX} approvers`)
      .default([])
      .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))]),
  })
  .superRefine((value, context) => {
    if (value.noSecret && value.secret !== "") {
      context.addIssue({ code: "custom", path: ["secret"], message: "Leave the password empty when the user has none" });
    }
    if (!value.id && !value.noSecret && value.secret === "") {
      context.addIssue({ code: "custom", path: ["secret"], message: "Enter the database user's password (or tick “no password”)" });
    }
  });

export type ConnectionInput = z.output<typeof connectionSchema>;
export type ConnectionField = keyof z.input<typeof connectionSchema>;

export const CONNECTION_FIELDS = [
  "id",
  "name",
  "description",
  "engine",
  "host",
  "port",
  "database",
  "username",
  "secret",
  "noSecret",
  "tls",
  "rowLimit",
  "timeoutSeconds",
  "readOnly",
  "previewWrites",
] as const satisfies readonly ConnectionField[];

/** Form fields → the schema's input (missing fields become undefined, so the schema reports them). */
export function connectionFromForm(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of CONNECTION_FIELDS) {
    const value = form.get(name);
    out[name] = typeof value === "string" ? value : undefined;
  }
  if (out.id === "") out.id = undefined;
  out.approverIds = form.getAll("approverIds").filter((value): value is string => typeof value === "string" && value !== "");
  return out;
}

/** Which settings the stored secret may be sent to: a changed server needs the secret typed again, so that
 *  someone who can edit a connection cannot point it (or a test) at their own server to collect the password. */
export function sameServer(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  return a.host.trim().toLowerCase() === b.host.trim().toLowerCase() && a.port === b.port;
}

/** Whether the stored secret may be sent with the new settings: the same server, over TLS at least as strict (a
 *  weaker mode would let someone on the network path read it). Otherwise the secret must be typed again. */
export function storedSecretMayFollow(before: { host: string; port: number; tls: TlsModeName }, after: { host: string; port: number; tls: TlsModeName }): boolean {
  return sameServer(before, after) && TLS_MODES.indexOf(after.tls) >= TLS_MODES.indexOf(before.tls);
}

export const RETYPE_SECRET = "Enter the password again: the stored one is only sent to the server it was saved for, over TLS at least as strict.";

// ── Grants ──────────────────────────────────────────────────────────────────────────────────────────

export const GROUP_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** A grant names exactly one of an agent or a group of agents. */
export const grantSchema = z
  .object({
    connectionId: z.guid("Unknown connection"),
    kind: z.enum(["agent", "group"], { error: "Choose an agent or a group" }),
    agentId: z.string().trim().default(""),
    agentGroup: z.string().trim().default(""),
  })
  .transform((value, context) => {
    if (value.kind === "agent") {
      const id = z.guid().safeParse(value.agentId);
      if (!id.success) {
        context.addIssue({ code: "custom", path: ["agentId"], message: "Choose an agent" });
        return z.NEVER;
      }
      if (value.agentGroup !== "") {
        context.addIssue({ code: "custom", path: ["agentGroup"], message: "A grant names an agent or a group, not both" });
        return z.NEVER;
      }
      return { connectionId: value.connectionId, agentId: id.data, agentGroup: null };
    }
    if (!GROUP_PATTERN.test(value.agentGroup) || value.agentGroup.length > 63) {
      context.addIssue({ code: "custom", path: ["agentGroup"], message: "Enter a group name: letters, digits, . _ : - (up to 63)" });
      return z.NEVER;
    }
    if (value.agentId !== "") {
      context.addIssue({ code: "custom", path: ["agentId"], message: "A grant names an agent or a group, not both" });
      return z.NEVER;
    }
    return { connectionId: value.connectionId, agentId: null, agentGroup: value.agentGroup };
  });

export type GrantInput = z.output<typeof grantSchema>;

export function grantFromForm(form: FormData): Record<string, unknown> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : undefined;
  };
  return { connectionId: field("connectionId"), kind: field("kind"), agentId: field("agentId") ?? "", agentGroup: field("agentGroup") ?? "" };
}

export const grantRemovalSchema = z.object({ connectionId: z.guid("Unknown connection"), grantId: z.guid("Unknown grant") });

// ── Form state ──────────────────────────────────────────────────────────────────────────────────────

/** What a form's server action answers; the form shows `message` and each field's first error beside it. */
export interface FormState {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Readonly<Record<string, string>>;
}

/** The first error of each field, for display. */
export function firstFieldErrors(error: z.ZodError, fallback = "form"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? fallback);
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
