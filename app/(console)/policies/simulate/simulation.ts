import { analyze, initSqlParsers, statementShape } from "@/lib/sql";
import type { Dialect } from "@/lib/sql/types";
import { compilePolicy, type CompiledPolicy } from "@/lib/policy/compile";
import { evaluate } from "@/lib/policy/evaluate";
import type { Decision } from "@/lib/policy/decision";
import type { Policy } from "@/lib/policy/model";
import { decisionGist, gistChanged } from "@/lib/policy/decision-change";
import type { Store } from "@/lib/store/client";
import { policiesInForce } from "@/lib/store/policies";
import type { ChangedStatement } from "@/components/policies/decision-view";

// The simulator's server side: the policies in force (read and compiled as the gateway does: enabled, by
// priority then name, invalid ones skipped, the built-in defaults when none is valid), optionally with one policy
// replaced by an unsaved draft, evaluated with lib/policy's pure evaluate(). No catalog of the target is read, so
// a `*` over a table with masked columns shows as blocked here where the gateway would expand it.

export interface Draft {
  /** The stored policy the draft replaces; absent for a new policy. */
  readonly policyId?: string;
  readonly policy: Policy;
}

/** The policies in force, with the draft in place of the policy it edits (or added, for a new one). */
export function policiesWithDraft(db: Store, draft?: Draft): Promise<Policy[]> {
  return policiesInForce(db, draft ? { replace: draft } : {});
}

export async function compiledPolicies(db: Store, draft?: Draft): Promise<CompiledPolicy> {
  return compilePolicy(await policiesWithDraft(db, draft));
}

export interface Subject {
  readonly connection: { readonly name: string; readonly engine: string };
  readonly agent: { readonly id: string; readonly name: string; readonly groups: readonly string[] };
}

export function dialectOf(engine: string): Dialect {
  return engine === "mysql" ? "mysql" : "postgres";
}

export async function decide(compiled: CompiledPolicy, sql: string, subject: Subject, now: Date): Promise<Decision> {
  await initSqlParsers();
  const dialect = dialectOf(subject.connection.engine);
  return evaluate(compiled, analyze(sql, dialect), {
    connection: subject.connection.name,
    agentId: subject.agent.id,
    agentName: subject.agent.name,
    agentGroups: subject.agent.groups,
    dialect,
    now,
  });
}

export interface ReplayResult {
  readonly scanned: number;
  readonly skipped: number;
  readonly changed: readonly ChangedStatement[];
  /** The statements are shown by their shape only: constants as `?`, no comments (see lib/sql/shape.ts). */
  readonly constantsHidden: boolean;
}

export interface ReplayOptions {
  /**
   * Whether the viewer may read recorded statements as they were sent (sessions.view). Without it each statement
   * is shown by its shape, so the values an agent wrote into its SQL stay with the roles that replay sessions.
   */
  readonly showConstants: boolean;
}

/** The last `limit` recorded statements, decided by the policies in force and by the draft: those that differ. */
export async function whatWouldChange(db: Store, draft: Draft, limit: number, now: Date, options: ReplayOptions): Promise<ReplayResult> {
  const [current, proposed, events] = await Promise.all([
    compiledPolicies(db),
    compiledPolicies(db, draft),
    db.sessionEvent.findMany({
      where: { type: "statement", sqlText: { not: null } },
      orderBy: [{ at: "desc" }, { id: "desc" }],
      take: limit,
      select: {
        id: true,
        at: true,
        sqlText: true,
        session: { select: { agent: { select: { id: true, name: true, groups: true } }, connection: { select: { name: true, engine: true } } } },
      },
    }),
  ]);
  await initSqlParsers();
  const changed: ChangedStatement[] = [];
  let skipped = 0;
  for (const event of events) {
    const { agent, connection } = event.session;
    if (!connection || event.sqlText === null) {
      skipped += 1;
      continue;
    }
    const subject: Subject = { connection, agent };
    const before = decisionGist(await decide(current, event.sqlText, subject, now));
    const after = decisionGist(await decide(proposed, event.sqlText, subject, now));
    if (!gistChanged(before, after)) continue;
    const sql = options.showConstants ? event.sqlText : statementShape(event.sqlText, dialectOf(connection.engine));
    changed.push({ eventId: event.id.toString(), at: event.at.toISOString(), agent: agent.name, connection: connection.name, sql, before, after });
  }
  return { scanned: events.length, skipped, changed, constantsHidden: !options.showConstants };
}
