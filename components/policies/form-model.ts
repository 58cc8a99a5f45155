import { STATEMENT_KINDS, type Policy, type Rule } from "@/lib/policy/model";
import type { PolicyDocumentError } from "@/lib/policy/document";

// The policy editor's form state, and its two translations: a stored policy → form fields, and form fields → the
// document that `policySchema` (lib/policy/model.ts) validates, in the browser before sending and again in the
// server action. Lists of names are typed as comma- or line-separated text; every schema error comes back with
// its document path ("rules[2].action.columns[0]"), which `errorAt` hands to the field that owns it.

export const RULE_TYPES = [
  { value: "mask", label: "Mask columns" },
  { value: "block", label: "Block" },
  { value: "require_approval", label: "Require approval" },
  { value: "allow", label: "Allow" },
] as const;
export type RuleType = (typeof RULE_TYPES)[number]["value"];

export const FLAGS = [
  { key: "noWhere", label: "UPDATE/DELETE without WHERE" },
  { key: "writes", label: "Writes rows" },
  { key: "noLimit", label: "SELECT without LIMIT" },
  { key: "multiStatement", label: "Part of a multi-statement text" },
  { key: "unknown", label: "Could not be analysed" },
  { key: "fileAccess", label: "Reads or writes server files" },
  { key: "maskedWholeRow", label: "Whole-row access to a masked table" },
  { key: "maskedPredicate", label: "Masked column in a predicate" },
] as const;
export type FlagKey = (typeof FLAGS)[number]["key"];

export const KINDS = STATEMENT_KINDS;
export const STRATEGIES = ["redact", "partial", "hash", "null", "email", "card"] as const;
export const APPROVER_ROLES = ["approver", "admin", "policy_author", "auditor"] as const;

export interface RuleForm {
  /** React key; not stored. */
  readonly key: string;
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  type: RuleType;
  connections: string;
  agents: string;
  agentGroups: string;
  dialects: string[];
  kinds: string[];
  ddl: string[];
  tables: string;
  tableAccess: "any" | "read" | "write";
  columns: string;
  functions: string;
  settings: string;
  flags: Partial<Record<FlagKey, boolean>>;
  copyDirection: string[];
  copyTarget: string[];
  regex: string;
  regexFlags: string;
  message: string;
  /** What the agent should do instead (block and approval rules). */
  hint: string;
  approverRoles: string[];
  /** Identity-provider groups, comma-separated (empty: any person with the roles). */
  approverGroups: string;
  minApprovals: string;
  expirySeconds: string;
  requireReason: boolean;
  /** Seconds until the escalation channels are reminded (empty: no reminder). */
  remindAfterSeconds: string;
  maskColumns: string;
  strategy: (typeof STRATEGIES)[number];
  keepFirst: string;
  keepLast: string;
  alternative: string;
  derived: "redact" | "null" | "block";
  predicates: "block" | "allow";
}

export interface PolicyForm {
  id: string;
  name: string;
  description: string;
  defaultAction: "allow" | "require_approval" | "block";
  maxRows: string;
  detectors: "off" | "unknown" | "all";
  /** `table.column` globs, comma-separated: columns the detectors leave alone. */
  safeColumns: string;
  /** `table.column` globs, comma-separated: free text anyone may have written, marked untrusted in agents' results. */
  untrustedColumns: string;
  rules: RuleForm[];
}

let counter = 0;
const nextKey = () => `rule-${++counter}`;

export function emptyRule(type: RuleType = "mask"): RuleForm {
  return {
    key: nextKey(),
    id: "",
    name: "",
    description: "",
    enabled: true,
    type,
    connections: "",
    agents: "",
    agentGroups: "",
    dialects: [],
    kinds: [],
    ddl: [],
    tables: "",
    tableAccess: "any",
    columns: "",
    functions: "",
    settings: "",
    flags: {},
    copyDirection: [],
    copyTarget: [],
    regex: "",
    regexFlags: "i",
    message: "",
    hint: "",
    approverRoles: ["approver", "admin"],
    approverGroups: "",
    minApprovals: "1",
    expirySeconds: "900",
    requireReason: false,
    remindAfterSeconds: "",
    maskColumns: "",
    strategy: "redact",
    keepFirst: "0",
    keepLast: "4",
    alternative: "",
    derived: "redact",
    predicates: "block",
  };
}

export function emptyPolicy(): PolicyForm {
  return { id: "", name: "", description: "", defaultAction: "require_approval", maxRows: "", detectors: "unknown", safeColumns: "", untrustedColumns: "", rules: [emptyRule()] };
}

const list = (values: readonly string[] | undefined) => (values ?? []).join(", ");

export function ruleToForm(rule: Rule): RuleForm {
  const form = emptyRule(rule.action.type);
  form.id = rule.id;
  form.name = rule.name;
  form.description = rule.description ?? "";
  form.enabled = rule.enabled;
  form.connections = list(rule.scope.connections);
  form.agents = list(rule.scope.agents);
  form.agentGroups = list(rule.scope.agentGroups);
  const m = rule.match;
  form.dialects = [...(m.dialects ?? [])];
  form.kinds = [...(m.kinds ?? [])];
  form.ddl = [...(m.ddl ?? [])];
  form.tables = list(m.tables);
  form.tableAccess = m.tableAccess ?? "any";
  form.columns = list(m.columns);
  form.functions = list(m.functions);
  form.settings = list(m.settings);
  for (const { key } of FLAGS) if (m[key] === true) form.flags[key] = true;
  form.copyDirection = [...(m.copy?.direction ?? [])];
  form.copyTarget = [...(m.copy?.target ?? [])];
  form.regex = m.regex?.pattern ?? "";
  form.regexFlags = m.regex?.flags ?? "i";
  const a = rule.action;
  if (a.type === "block") {
    form.message = a.message;
    form.hint = a.hint ?? "";
  }
  if (a.type === "require_approval") {
    form.message = a.message ?? "";
    form.hint = a.hint ?? "";
    form.approverRoles = [...a.approverRoles];
    form.minApprovals = String(a.minApprovals);
    form.expirySeconds = String(a.expirySeconds);
    form.approverGroups = list(a.approverGroups);
    form.requireReason = a.requireReason;
    form.remindAfterSeconds = a.remindAfterSeconds === undefined ? "" : String(a.remindAfterSeconds);
  }
  if (a.type === "mask") {
    form.maskColumns = list(a.columns);
    form.strategy = a.strategy.kind;
    if (a.strategy.kind === "partial") {
      form.keepFirst = String(a.strategy.keepFirst);
      form.keepLast = String(a.strategy.keepLast);
    }
    form.alternative = a.alternative ?? "";
    form.derived = a.derived;
    form.predicates = a.predicates;
  }
  return form;
}

export function policyToForm(policy: Policy): PolicyForm {
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description ?? "",
    defaultAction: policy.settings.defaultAction,
    maxRows: policy.settings.maxRows === undefined ? "" : String(policy.settings.maxRows),
    detectors: policy.settings.detectors,
    safeColumns: list(policy.settings.safeColumns),
    untrustedColumns: list(policy.settings.untrustedColumns),
    rules: policy.rules.map(ruleToForm),
  };
}

/** "a, b\nc" → ["a", "b", "c"]; empty → undefined (the key is left out). */
export function splitList(text: string): string[] | undefined {
  const items = text.split(/[,\n]/).map((item) => item.trim()).filter((item) => item !== "");
  return items.length > 0 ? items : undefined;
}

/** "" → undefined; anything else → a number (NaN for non-numbers, which the schema reports beside the field). */
function num(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text.trim());
}

function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function ruleFromForm(form: RuleForm): Record<string, unknown> {
  const scope = { connections: splitList(form.connections) ?? [], agentGroups: splitList(form.agentGroups) ?? [], agents: splitList(form.agents) ?? [] };
  let action: Record<string, unknown>;
  switch (form.type) {
    case "allow":
      action = { type: "allow" };
      break;
    case "block":
      action = defined({ type: "block", message: form.message, hint: form.hint.trim() === "" ? undefined : form.hint });
      break;
    case "require_approval":
      action = defined({
        type: "require_approval",
        approverRoles: form.approverRoles,
        minApprovals: num(form.minApprovals),
        expirySeconds: num(form.expirySeconds),
        approverGroups: splitList(form.approverGroups),
        requireReason: form.requireReason,
        remindAfterSeconds: form.remindAfterSeconds.trim() === "" ? undefined : num(form.remindAfterSeconds),
        message: form.message.trim() === "" ? undefined : form.message,
        hint: form.hint.trim() === "" ? undefined : form.hint,
      });
      break;
    case "mask":
      action = defined({
        type: "mask",
        columns: splitList(form.maskColumns) ?? [],
        strategy: form.strategy === "partial" ? defined({ kind: "partial", keepFirst: num(form.keepFirst), keepLast: num(form.keepLast) }) : { kind: form.strategy },
        alternative: form.alternative.trim() === "" ? undefined : form.alternative,
        derived: form.derived,
        predicates: form.predicates,
      });
      break;
  }
  const match =
    form.type === "mask"
      ? {}
      : defined({
          dialects: form.dialects.length > 0 ? form.dialects : undefined,
          kinds: form.kinds.length > 0 ? form.kinds : undefined,
          ddl: form.ddl.length > 0 ? form.ddl : undefined,
          tables: splitList(form.tables),
          tableAccess: form.tableAccess === "any" ? undefined : form.tableAccess,
          columns: splitList(form.columns),
          functions: splitList(form.functions),
          settings: splitList(form.settings),
          ...Object.fromEntries(FLAGS.filter(({ key }) => form.flags[key]).map(({ key }) => [key, true])),
          copy:
            form.copyDirection.length + form.copyTarget.length > 0
              ? defined({ direction: form.copyDirection.length > 0 ? form.copyDirection : undefined, target: form.copyTarget.length > 0 ? form.copyTarget : undefined })
              : undefined,
          regex: form.regex.trim() === "" ? undefined : { pattern: form.regex, flags: form.regexFlags },
        });
  return defined({ id: form.id.trim(), name: form.name, description: form.description.trim() === "" ? undefined : form.description, enabled: form.enabled, scope, match, action });
}

/** The document `policySchema` checks. */
export function policyFromForm(form: PolicyForm): Record<string, unknown> {
  return {
    version: 1,
    id: form.id.trim(),
    name: form.name,
    ...(form.description.trim() === "" ? {} : { description: form.description }),
    settings: defined({
      defaultAction: form.defaultAction,
      maxRows: num(form.maxRows),
      detectors: form.detectors,
      safeColumns: splitList(form.safeColumns),
      untrustedColumns: splitList(form.untrustedColumns),
    }),
    rules: form.rules.map(ruleFromForm),
  };
}

/** zod's generic wording, said the way a form says it; the schema's own messages pass unchanged. */
export function friendly(message: string): string {
  if (/^Too small: expected string to have >=1 characters?$/.test(message)) return "Required";
  if (/^Too small: expected array to have >=1 items?$/.test(message)) return "Give at least one";
  if (/expected number, received NaN$/.test(message)) return "Enter a whole number";
  const small = /^Too small: expected number to be >=(\d+)$/.exec(message);
  if (small) return `At least ${small[1]}`;
  const big = /^Too big: expected (?:number to be <=(\d+)|string to have <=(\d+) characters)$/.exec(message);
  if (big) return big[1] !== undefined ? `At most ${big[1]}` : `At most ${big[2]} characters`;
  if (/^Invalid option: expected one of/.test(message)) return message.replace(/^Invalid option: expected/, "Choose");
  return message;
}

/** The first error at `path` or inside it ("rules[0].action.columns" owns "rules[0].action.columns[2]"). */
export function errorAt(errors: readonly PolicyDocumentError[] | undefined, path: string): string | undefined {
  if (!errors) return undefined;
  const hit = errors.find((e) => e.path === path || e.path.startsWith(`${path}[`) || e.path.startsWith(`${path}.`));
  if (!hit) return undefined;
  const inner = hit.path.slice(path.length);
  return inner === "" ? friendly(hit.message) : `${inner.replace(/^\./, "")}: ${friendly(hit.message)}`;
}
