"use client";

import { Button } from "@/components/ui/button";
import { Checkbox, describedBy, Field, Select, TextInput } from "@/components/ui/field";
import type { PolicyDocumentError } from "@/lib/policy/document";
import { CheckGroup, ListField } from "./controls";
import { APPROVER_ROLES, errorAt, FLAGS, KINDS, RULE_TYPES, STRATEGIES, type RuleForm, type RuleType } from "./form-model";

// One rule of the policy editor: what it is (type, id, name), where it applies (scope), which statements it
// matches (matchers; mask rules match by their columns instead) and what it does (the action's parameters).

interface Props {
  readonly rule: RuleForm;
  readonly index: number;
  readonly count: number;
  readonly errors?: readonly PolicyDocumentError[];
  readonly onChange: (patch: Partial<RuleForm>) => void;
  readonly onMove: (by: -1 | 1) => void;
  readonly onRemove: () => void;
}

export function RuleFields({ rule, index, count, errors, onChange, onMove, onRemove }: Props) {
  const p = `rules[${index}]`;
  const id = (name: string) => `r${index}-${name}`;
  const err = (path: string) => errorAt(errors, `${p}.${path}`);
  const ruleError = errors?.find((e) => e.path === p)?.message;

  return (
    <section data-rule-index={index} aria-labelledby={id("title")} className="rounded-xl border border-slate-200 bg-white shadow-xs">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-5 py-3">
        <h3 id={id("title")} className="text-sm font-semibold text-slate-900">
          Rule {index + 1}
          {rule.name ? `: ${rule.name}` : ""}
        </h3>
        <div className="flex gap-2">
          <Button onClick={() => onMove(-1)} disabled={index === 0} aria-label={`Move rule ${index + 1} up`}>↑</Button>
          <Button onClick={() => onMove(1)} disabled={index === count - 1} aria-label={`Move rule ${index + 1} down`}>↓</Button>
          <Button variant="danger" onClick={onRemove} aria-label={`Remove rule ${index + 1}`}>Remove</Button>
        </div>
      </div>
      <div className="space-y-5 p-5">
        {ruleError ? <p className="text-sm text-red-600">{ruleError}</p> : null}
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id={id("type")} label="Rule type" error={err("action.type")}>
            <Select id={id("type")} value={rule.type} onChange={(e) => onChange({ type: e.target.value as RuleType })} {...describedBy(id("type"), err("action.type"), false)}>
              {RULE_TYPES.map((t) => (
                <option key={t.value} value={t.value}>{t.label}</option>
              ))}
            </Select>
          </Field>
          <Field id={id("id")} label="Rule id" help="a-z, 0-9, _ . - (unique in the policy)" error={err("id")}>
            <TextInput id={id("id")} value={rule.id} onChange={(e) => onChange({ id: e.target.value })} className="font-mono" {...describedBy(id("id"), err("id"))} />
          </Field>
          <Field id={id("name")} label="Rule name" help="Shown to approvers and in decisions" error={err("name")}>
            <TextInput id={id("name")} value={rule.name} onChange={(e) => onChange({ name: e.target.value })} {...describedBy(id("name"), err("name"))} />
          </Field>
        </div>
        <Field id={id("description")} label="Description (optional)" error={err("description")}>
          <TextInput id={id("description")} value={rule.description} onChange={(e) => onChange({ description: e.target.value })} {...describedBy(id("description"), err("description"), false)} />
        </Field>
        <Checkbox id={id("enabled")} label="Rule enabled" checked={rule.enabled} onChange={(e) => onChange({ enabled: e.target.checked })} />

        <fieldset className="space-y-3">
          <legend className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Scope (empty: everywhere)</legend>
          <div className="grid gap-4 sm:grid-cols-3">
            <ListField id={id("connections")} label="Connections" value={rule.connections} error={err("scope.connections")} onChange={(connections) => onChange({ connections })} />
            <ListField id={id("agents")} label="Agents (names or ids)" value={rule.agents} error={err("scope.agents")} onChange={(agents) => onChange({ agents })} />
            <ListField id={id("groups")} label="Agent groups" value={rule.agentGroups} error={err("scope.agentGroups")} onChange={(agentGroups) => onChange({ agentGroups })} />
          </div>
        </fieldset>

        {rule.type === "mask" ? <MaskAction rule={rule} id={id} err={err} onChange={onChange} /> : <Matchers rule={rule} id={id} err={err} onChange={onChange} />}
        {rule.type === "block" || rule.type === "require_approval" ? <DecidingAction rule={rule} id={id} err={err} onChange={onChange} /> : null}
      </div>
    </section>
  );
}

interface PartProps {
  readonly rule: RuleForm;
  readonly id: (name: string) => string;
  readonly err: (path: string) => string | undefined;
  readonly onChange: (patch: Partial<RuleForm>) => void;
}

function Matchers({ rule, id, err, onChange }: PartProps) {
  return (
    <fieldset className="space-y-4">
      <legend className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Matches statements that (all given must hold)</legend>
      {err("match") && !err("match.kinds") ? <p className="text-sm text-red-600">{err("match")}</p> : null}
      <CheckGroup id={id("kinds")} legend="Statement kinds" options={KINDS} value={rule.kinds} error={err("match.kinds")} onChange={(kinds) => onChange({ kinds })} />
      <div className="grid gap-4 sm:grid-cols-3">
        <ListField id={id("tables")} label="Tables" value={rule.tables} error={err("match.tables")} onChange={(tables) => onChange({ tables })} placeholder="customers, public.orders" />
        <Field id={id("access")} label="Table access" error={err("match.tableAccess")}>
          <Select id={id("access")} value={rule.tableAccess} onChange={(e) => onChange({ tableAccess: e.target.value as RuleForm["tableAccess"] })}>
            <option value="any">read or written</option>
            <option value="read">read</option>
            <option value="write">written</option>
          </Select>
        </Field>
        <ListField id={id("columns")} label="Columns" value={rule.columns} error={err("match.columns")} onChange={(columns) => onChange({ columns })} placeholder="customers.ssn" />
        <ListField id={id("functions")} label="Functions called" value={rule.functions} error={err("match.functions")} onChange={(functions) => onChange({ functions })} />
        <ListField id={id("settings")} label="Settings changed" value={rule.settings} error={err("match.settings")} onChange={(settings) => onChange({ settings })} />
        <Field id={id("regex")} label="Text matches (regex, last resort)" error={err("match.regex")}>
          <TextInput id={id("regex")} value={rule.regex} onChange={(e) => onChange({ regex: e.target.value })} className="font-mono" {...describedBy(id("regex"), err("match.regex"), false)} />
        </Field>
      </div>
      <CheckGroup id={id("flags")} legend="Only statements that are" options={FLAGS.map(({ key, label }) => ({ value: key, label }))} value={FLAGS.filter(({ key }) => rule.flags[key]).map(({ key }) => key)} onChange={(keys) => onChange({ flags: Object.fromEntries(keys.map((k) => [k, true])) })} />
      <div className="grid gap-4 sm:grid-cols-2">
        <CheckGroup id={id("ddl")} legend="DDL action" options={["create", "alter", "drop"]} value={rule.ddl} error={err("match.ddl")} onChange={(ddl) => onChange({ ddl })} />
        <CheckGroup id={id("dialects")} legend="Dialects" options={["postgres", "mysql"]} value={rule.dialects} error={err("match.dialects")} onChange={(dialects) => onChange({ dialects })} />
        <CheckGroup id={id("copy-direction")} legend="COPY direction" options={["to", "from"]} value={rule.copyDirection} error={err("match.copy.direction")} onChange={(copyDirection) => onChange({ copyDirection })} />
        <CheckGroup id={id("copy-target")} legend="COPY target" options={["stdio", "file", "program"]} value={rule.copyTarget} error={err("match.copy.target")} onChange={(copyTarget) => onChange({ copyTarget })} />
      </div>
    </fieldset>
  );
}

function DecidingAction({ rule, id, err, onChange }: PartProps) {
  const approval = rule.type === "require_approval";
  return (
    <fieldset className="space-y-4">
      <legend className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Action</legend>
      <Field id={id("message")} label={approval ? "Message (optional)" : "Message to the agent"} help="Safe to show the agent: say why, and what to do instead" error={err("action.message")}>
        <TextInput id={id("message")} value={rule.message} onChange={(e) => onChange({ message: e.target.value })} {...describedBy(id("message"), err("action.message"))} />
      </Field>
      <Field id={id("hint")} label="Hint (optional)" help="What the agent should do instead; shown with the refusal on every door" error={err("action.hint")}>
        <TextInput id={id("hint")} value={rule.hint} onChange={(e) => onChange({ hint: e.target.value })} {...describedBy(id("hint"), err("action.hint"))} />
      </Field>
      {approval ? (
        <div className="grid gap-4 sm:grid-cols-3">
          <CheckGroup id={id("roles")} legend="Who may approve" options={APPROVER_ROLES} value={rule.approverRoles} error={err("action.approverRoles")} onChange={(approverRoles) => onChange({ approverRoles })} />
          <Field id={id("min")} label="Approvals needed" error={err("action.minApprovals")}>
            <TextInput id={id("min")} inputMode="numeric" value={rule.minApprovals} onChange={(e) => onChange({ minApprovals: e.target.value })} {...describedBy(id("min"), err("action.minApprovals"), false)} />
          </Field>
          <Field id={id("expiry")} label="Expires after (seconds)" error={err("action.expirySeconds")}>
            <TextInput id={id("expiry")} inputMode="numeric" value={rule.expirySeconds} onChange={(e) => onChange({ expirySeconds: e.target.value })} {...describedBy(id("expiry"), err("action.expirySeconds"), false)} />
          </Field>
          <ListField id={id("groups")} label="Only people in these groups (optional)" help="Identity-provider groups, comma-separated: the approver must be in one of them too" value={rule.approverGroups} error={err("action.approverGroups")} onChange={(approverGroups) => onChange({ approverGroups })} placeholder="dba, payments-leads" />
          <Field id={id("remind")} label="Remind after (seconds, optional)" help="Still pending then: the escalation channels are told" error={err("action.remindAfterSeconds")}>
            <TextInput id={id("remind")} inputMode="numeric" value={rule.remindAfterSeconds} onChange={(e) => onChange({ remindAfterSeconds: e.target.value })} {...describedBy(id("remind"), err("action.remindAfterSeconds"))} />
          </Field>
          <Checkbox id={id("require-reason")} label="The agent must say why" checked={rule.requireReason} onChange={(e) => onChange({ requireReason: e.target.checked })} />
        </div>
      ) : null}
    </fieldset>
  );
}

function MaskAction({ rule, id, err, onChange }: PartProps) {
  return (
    <fieldset className="space-y-4">
      <legend className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Masking (applies wherever these columns leave, by scope)</legend>
      {err("match") ? <p className="text-sm text-red-600">{err("match")}</p> : null}
      <ListField id={id("mask-columns")} label="Columns to mask" help="table.column, comma-separated; a bare column means it in any table" value={rule.maskColumns} error={err("action.columns")} onChange={(maskColumns) => onChange({ maskColumns })} placeholder="customers.phone" />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id={id("strategy")} label="Mask strategy" error={err("action.strategy")}>
          <Select id={id("strategy")} value={rule.strategy} onChange={(e) => onChange({ strategy: e.target.value as RuleForm["strategy"] })} {...describedBy(id("strategy"), err("action.strategy"), false)}>
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>{s}</option>
            ))}
          </Select>
        </Field>
        {rule.strategy === "partial" ? (
          <>
            <Field id={id("keep-first")} label="Keep first characters" error={err("action.strategy.keepFirst")}>
              <TextInput id={id("keep-first")} inputMode="numeric" value={rule.keepFirst} onChange={(e) => onChange({ keepFirst: e.target.value })} {...describedBy(id("keep-first"), err("action.strategy.keepFirst"), false)} />
            </Field>
            <Field id={id("keep-last")} label="Keep last characters" error={err("action.strategy.keepLast")}>
              <TextInput id={id("keep-last")} inputMode="numeric" value={rule.keepLast} onChange={(e) => onChange({ keepLast: e.target.value })} {...describedBy(id("keep-last"), err("action.strategy.keepLast"), false)} />
            </Field>
          </>
        ) : null}
        <Field id={id("derived")} label="Values computed from it" error={err("action.derived")}>
          <Select id={id("derived")} value={rule.derived} onChange={(e) => onChange({ derived: e.target.value as RuleForm["derived"] })}>
            <option value="redact">redact</option>
            <option value="null">null</option>
            <option value="block">block the statement</option>
          </Select>
        </Field>
        <Field id={id("predicates")} label="Used in WHERE/JOIN/ORDER BY" error={err("action.predicates")}>
          <Select id={id("predicates")} value={rule.predicates} onChange={(e) => onChange({ predicates: e.target.value as RuleForm["predicates"] })}>
            <option value="block">block (prevents probing)</option>
            <option value="allow">allow</option>
          </Select>
        </Field>
      </div>
      <Field id={id("alternative")} label="Alternative for the agent (optional)" help="e.g. `customers.card_last4` is available" error={err("action.alternative")}>
        <TextInput id={id("alternative")} value={rule.alternative} onChange={(e) => onChange({ alternative: e.target.value })} {...describedBy(id("alternative"), err("action.alternative"))} />
      </Field>
    </fieldset>
  );
}
