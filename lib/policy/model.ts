import { z } from "zod";
import { maskStrategySchema } from "./strategy";
import { regexProblem } from "./safe-regex";

// The policy model: what a security team writes (in forms, YAML or JSON) and what is stored as JSON.
// Objects are strict so a misspelt key ("tabels") is an error with its path, not a silently ignored rule.

export const ROLES = ["admin", "approver", "policy_author", "auditor"] as const;
export const STATEMENT_KINDS = [
  "select", "insert", "update", "delete", "merge", "truncate", "ddl", "grant", "copy", "transaction",
  "session", "explain", "procedural", "lock", "maintenance", "other", "unknown",
] as const;

const NAME_PATTERN_MAX = 256;

/** A glob over names: `*` any run, `?` one character, `\` escapes. Case-insensitive. */
export const globSchema = z
  .string()
  .trim()
  .min(1, "pattern is empty")
  .max(NAME_PATTERN_MAX, `pattern is longer than ${NAME_PATTERN_MAX} characters`)
  .refine((s) => !/[\s;'"`]/.test(s), "pattern may not contain whitespace, quotes or semicolons");

/** `table.column` or `schema.table.column`; a bare `column` means that column in any table. */
export const columnGlobSchema = globSchema.refine(
  (s) => !s.startsWith(".") && !s.endsWith("."),
  "column pattern must look like table.column",
);

const globList = z.array(globSchema).max(500);

export const scopeSchema = z.strictObject({
  connections: globList.default([]),
  agentGroups: globList.default([]),
  agents: globList.default([]),
});

export const regexMatchSchema = z
  .strictObject({
    pattern: z.string(),
    flags: z.string().default("i"),
  })
  .superRefine((r, ctx) => {
    const problem = regexProblem(r.pattern, r.flags);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, path: ["pattern"] });
  });

/**
 * What a statement must look like for the rule to apply. Every condition given must hold (AND); a list holds
 * when any entry matches (OR). An empty match applies to every statement in scope.
 */
export const matchSchema = z.strictObject({
  dialects: z.array(z.enum(["postgres", "mysql"])).min(1).optional(),
  /** Statement kinds. A statement also counts as every kind of write it performs (data-modifying CTEs). */
  kinds: z.array(z.enum(STATEMENT_KINDS)).min(1).optional(),
  /** For ddl: create, alter or drop. */
  ddl: z.array(z.enum(["create", "alter", "drop"])).min(1).optional(),
  /** Tables (globs; a pattern without a schema matches any schema). */
  tables: globList.min(1).optional(),
  /** Which side of `tables` counts: read, written, or either (the default). */
  tableAccess: z.enum(["any", "read", "write"]).optional(),
  /** Columns read, returned or used in predicates: `table.column` globs. */
  columns: z.array(columnGlobSchema).min(1).max(500).optional(),
  /** Functions called (globs such as `dblink*`). */
  functions: globList.min(1).optional(),
  /** UPDATE or DELETE without WHERE, including inside a data-modifying CTE. */
  noWhere: z.literal(true).optional(),
  /** The statement writes rows (any kind, including data-modifying CTEs). */
  writes: z.literal(true).optional(),
  /** SELECT without LIMIT. */
  noLimit: z.literal(true).optional(),
  /** The statement is part of a text holding several statements. */
  multiStatement: z.literal(true).optional(),
  /** The statement could not be analysed. */
  unknown: z.literal(true).optional(),
  /** Whole-row access (`*`, row values) to a table that has masked columns. */
  maskedWholeRow: z.literal(true).optional(),
  /** A masked column used in WHERE/JOIN/ORDER BY/GROUP BY/HAVING (probing). */
  maskedPredicate: z.literal(true).optional(),
  copy: z
    .strictObject({
      direction: z.array(z.enum(["to", "from"])).min(1).optional(),
      target: z.array(z.enum(["stdio", "file", "program"])).min(1).optional(),
    })
    .optional(),
  /** Reads or writes server files (MySQL INTO OUTFILE/DUMPFILE, LOAD DATA, LOAD_FILE). */
  fileAccess: z.literal(true).optional(),
  /** Session settings changed (SET ROLE → "role"), globs. */
  settings: globList.min(1).optional(),
  /** Last resort: a regex over the normalized statement text. */
  regex: regexMatchSchema.optional(),
});

const blockActionSchema = z.strictObject({
  type: z.literal("block"),
  message: z.string().trim().min(1).max(500),
  /** What the agent should do instead, shown with the refusal on every door (HTTP `hints`, PostgreSQL HINT, MCP). */
  hint: z.string().trim().min(1).max(500).optional(),
});

const approvalActionSchema = z.strictObject({
  type: z.literal("require_approval"),
  approverRoles: z.array(z.enum(ROLES)).min(1).default(["approver", "admin"]),
  minApprovals: z.number().int().min(1).max(10).default(1),
  /** Only people in one of these identity-provider groups (as of their last sign-in) decide it, besides approverRoles. */
  approverGroups: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
  expirySeconds: z.number().int().min(30).max(7 * 24 * 3600).default(900),
  /** The agent must say why (HTTP/MCP `reason`, `SET airlock.reason`, `/* reason: … *\/`); without one it is refused. */
  requireReason: z.boolean().default(false),
  /** Still pending after this long: a reminder goes to the escalation channels. */
  remindAfterSeconds: z.number().int().min(30).max(7 * 24 * 3600).optional(),
  message: z.string().trim().min(1).max(500).optional(),
  /** What the agent should know while it waits, or how to avoid the wait. */
  hint: z.string().trim().min(1).max(500).optional(),
});

const maskActionSchema = z.strictObject({
  type: z.literal("mask"),
  /** `table.column` globs. */
  columns: z.array(columnGlobSchema).min(1).max(500),
  strategy: maskStrategySchema,
  /** Shown to the agent, e.g. "customers.card_last4 is available". */
  alternative: z.string().trim().min(1).max(300).optional(),
  /**
   * An output computed from a masked column (upper(), ||, substring, casts, aggregates, JSON building):
   * its value is hidden whole ("redact" or "null"; never a partial strategy that an expression could defeat)
   * or the statement is blocked.
   */
  derived: z.enum(["redact", "null", "block"]).default("redact"),
  /** A masked column in WHERE/JOIN/ORDER BY/GROUP BY/HAVING lets an agent probe values: block or allow. */
  predicates: z.enum(["block", "allow"]).default("block"),
});

export const actionSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("allow") }),
  blockActionSchema,
  approvalActionSchema,
  maskActionSchema,
]);

export const ruleIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "id must be 1-64 characters of a-z, 0-9, _ . - starting with a letter or digit");

export const ruleSchema = z
  .strictObject({
    id: ruleIdSchema,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    enabled: z.boolean().default(true),
    scope: scopeSchema.default({ connections: [], agentGroups: [], agents: [] }),
    match: matchSchema.default({}),
    action: actionSchema,
  })
  .superRefine((rule, ctx) => {
    if (rule.action.type === "mask" && Object.keys(rule.match).length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["match"],
        message: "mask rules apply by scope and columns only; leave match empty",
      });
    }
  });

export const policySettingsSchema = z.strictObject({
  /** What happens to a statement no rule decides. */
  defaultAction: z.enum(["allow", "require_approval", "block"]).default("require_approval"),
  /** The most rows a result may return; the gateway enforces it, the agent is told to use LIMIT. */
  maxRows: z.number().int().min(1).max(10_000_000).optional(),
  /**
   * When value detectors run on results: on every column (the default: sensitive values are found wherever they
   * sit, free text included), only on columns whose origin is unknown, or never.
   */
  detectors: z.enum(["off", "unknown", "all"]).default("all"),
  /**
   * Columns known to hold nothing sensitive (`table.column` globs, e.g. `orders.tracking_number`, `*.created_at`):
   * the detectors skip them when they are returned as they are. A computed value keeps its detectors.
   */
  safeColumns: z.array(columnGlobSchema).max(500).optional(),
  /**
   * Free-text columns anyone may have written (`table.column` globs, e.g. `reviews.body`, `*.comment`): the agents'
   * doors flag them in results as untrusted content, so a model reads their values as data, never as instructions.
   * A value computed from one is flagged too. It changes no decision and no mask.
   */
  untrustedColumns: z.array(columnGlobSchema).max(500).optional(),
});

export const policySchema = z
  .strictObject({
    version: z.literal(1).default(1),
    id: ruleIdSchema,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    settings: policySettingsSchema.default({ defaultAction: "require_approval", detectors: "all" }),
    rules: z.array(ruleSchema).max(1000),
  })
  .superRefine((policy, ctx) => {
    const seen = new Map<string, number>();
    policy.rules.forEach((rule, i) => {
      const first = seen.get(rule.id);
      if (first !== undefined)
        ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id (also rules[${first}])` });
      else seen.set(rule.id, i);
    });
  });

export type Role = (typeof ROLES)[number];
export type Scope = z.output<typeof scopeSchema>;
export type Match = z.output<typeof matchSchema>;
export type Action = z.output<typeof actionSchema>;
export type MaskAction = z.output<typeof maskActionSchema>;
export type ApprovalAction = z.output<typeof approvalActionSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type PolicySettings = z.output<typeof policySettingsSchema>;
export type Policy = z.output<typeof policySchema>;
/** What an author may write: defaults may be left out. */
export type PolicyInput = z.input<typeof policySchema>;
export type RuleInput = z.input<typeof ruleSchema>;
