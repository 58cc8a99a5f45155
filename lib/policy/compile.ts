import { indexCatalog, type CatalogIndex } from "./catalog";
import { compileConditions, type Condition } from "./conditions";
import type { Catalog, EvaluationContext, RuleRef } from "./decision";
import { compileGlobSet, compileQualifiedGlob, splitQualified, type GlobSet } from "./glob";
import { compileColumnSet, compileMasks, type ColumnSet, type MaskIndex } from "./masks";
import type { Action, MaskAction, Policy, PolicySettings, Scope } from "./model";

// compilePolicy runs once per policy change: globs, regexes and the masked-column index are built here so
// that evaluate() only walks closures. Several policies compile into one (the built-in defaults plus the
// install's own); their rules are combined by the same precedence as rules of one policy.

export interface CompiledScope {
  readonly everywhere: boolean;
  applies(ctx: EvaluationContext): boolean;
  readonly describe: string;
}

export type DecidingAction = Exclude<Action, MaskAction>;

export interface CompiledRule {
  readonly ref: RuleRef;
  readonly action: DecidingAction;
  readonly scope: CompiledScope;
  readonly conditions: readonly Condition[];
}

export interface CompiledPolicy {
  readonly policyIds: readonly string[];
  /** Enabled allow/block/require_approval rules, in policy then rule order. */
  readonly rules: readonly CompiledRule[];
  /** Scope of each enabled mask rule, by mask slot. */
  readonly maskScopes: readonly CompiledScope[];
  readonly masks: MaskIndex;
  readonly catalog: CatalogIndex;
  /** The strictest default action of the policies. */
  readonly defaultAction: PolicySettings["defaultAction"];
  readonly defaultActionPolicy: string;
  /** The smallest maxRows of the policies. */
  readonly maxRows?: number;
  /** The most thorough detector setting of the policies. */
  readonly detectors: PolicySettings["detectors"];
  /** Columns the policies' settings call safe: no detectors on them when returned as they are. */
  readonly safeColumns: ColumnSet;
  /** Free-text columns the policies' settings call untrusted (every policy's list counts). */
  readonly untrustedColumns: UntrustedColumns;
}

/** `settings.untrustedColumns`, compiled: flags for results, never a decision. */
export interface UntrustedColumns extends ColumnSet {
  /** Some pattern names a column of this name (in any table): for a result column whose table is unknown. */
  named(column: string): boolean;
  /** Some pattern may name a column of this table (a row value of it, `row_to_json(t)`, carries them). */
  inTable(table: string): boolean;
}

const ACTION_RANK = { allow: 0, require_approval: 1, block: 2 } as const;
const DETECTOR_RANK = { off: 0, unknown: 1, all: 2 } as const;

export function compilePolicy(policies: Policy | readonly Policy[], catalog?: Catalog): CompiledPolicy {
  const list: readonly Policy[] = Array.isArray(policies) ? policies : [policies as Policy];
  const rules: CompiledRule[] = [];
  const maskRules: { ref: RuleRef; action: MaskAction }[] = [];
  const maskScopes: CompiledScope[] = [];
  let defaultAction: PolicySettings["defaultAction"] = "allow";
  let defaultActionPolicy = "";
  let maxRows: number | undefined;
  let detectors: PolicySettings["detectors"] = "off";
  const safeColumns: string[] = [];
  const untrustedColumns: string[] = [];
  if (list.length === 0) defaultAction = "require_approval";
  for (const policy of list) {
    const s = policy.settings;
    if (defaultActionPolicy === "" || ACTION_RANK[s.defaultAction] > ACTION_RANK[defaultAction]) {
      defaultAction = s.defaultAction;
      defaultActionPolicy = policy.id;
    }
    if (s.maxRows !== undefined) maxRows = maxRows === undefined ? s.maxRows : Math.min(maxRows, s.maxRows);
    if (DETECTOR_RANK[s.detectors] > DETECTOR_RANK[detectors]) detectors = s.detectors;
    safeColumns.push(...(s.safeColumns ?? []));
    untrustedColumns.push(...(s.untrustedColumns ?? []));
    for (const rule of policy.rules) {
      if (!rule.enabled) continue;
      const ref: RuleRef = { policyId: policy.id, ruleId: rule.id, ruleName: rule.name };
      const scope = compileScope(rule.scope);
      if (rule.action.type === "mask") {
        maskRules.push({ ref, action: rule.action });
        maskScopes.push(scope);
      } else {
        rules.push({ ref, action: rule.action, scope, conditions: compileConditions(rule.match, rule.action.type !== "allow") });
      }
    }
  }
  return {
    policyIds: list.map((p) => p.id),
    rules,
    maskScopes,
    masks: compileMasks(maskRules),
    catalog: indexCatalog(catalog),
    defaultAction,
    defaultActionPolicy,
    ...(maxRows !== undefined ? { maxRows } : {}),
    detectors,
    safeColumns: compileColumnSet(safeColumns),
    untrustedColumns: compileUntrusted(untrustedColumns),
  };
}

function compileUntrusted(patterns: readonly string[]): UntrustedColumns {
  const columns = compileColumnSet(patterns);
  const parts = patterns.map((pattern) => splitQualified(pattern));
  const names = compileGlobSet(parts.map(([, column]) => column));
  const tables = parts.map(([table]) => (table === undefined || table === "*" ? undefined : compileQualifiedGlob(table)));
  return {
    size: columns.size,
    has: (table, column) => columns.has(table, column),
    named: (column) => names.matches(column),
    inTable: (table) => tables.some((glob) => glob === undefined || glob.matches(table)),
  };
}

export function compileScope(scope: Scope): CompiledScope {
  const connections = compileGlobSet(scope.connections);
  const agents = compileGlobSet(scope.agents);
  const groups = compileGlobSet(scope.agentGroups);
  const everywhere = connections.empty && agents.empty && groups.empty;
  const parts: string[] = [];
  if (!connections.empty) parts.push(`connections [${scope.connections.join(", ")}]`);
  if (!agents.empty) parts.push(`agents [${scope.agents.join(", ")}]`);
  if (!groups.empty) parts.push(`agent groups [${scope.agentGroups.join(", ")}]`);
  return {
    everywhere,
    describe: everywhere ? "everywhere" : parts.join(" and "),
    applies: everywhere
      ? () => true
      : (ctx) =>
          (connections.empty || connections.matches(ctx.connection)) &&
          (agents.empty || agents.matches(ctx.agentId) || (ctx.agentName !== undefined && agents.matches(ctx.agentName))) &&
          (groups.empty || anyMatches(groups, ctx.agentGroups)),
  };
}

function anyMatches(set: GlobSet, names: readonly string[]): boolean {
  for (const n of names) if (set.matches(n)) return true;
  return false;
}
