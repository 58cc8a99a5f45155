"use server";

import { forbidden } from "next/navigation";
import { decisionView, type ChangedStatement, type DecisionView } from "@/components/policies/decision-view";
import { fieldErrors, replaySchema, simulateSchema } from "@/components/policies/schemas";
import { can } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/session";
import { validatePolicy, type PolicyDocumentError } from "@/lib/policy/document";
import { store } from "@/lib/store/client";
import { compiledPolicies, decide, whatWouldChange, type Draft } from "./simulation";

// The simulator: decide a pasted statement as the gateway would (with the policies in force, or with one of them
// replaced by the editor's unsaved draft), and replay the last recorded statements under a draft to list those
// whose decision would change. Read-only; checks policies.simulate first thing.

export interface SimulateState {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Record<string, string>;
  readonly draftErrors?: readonly PolicyDocumentError[];
  readonly decision?: DecisionView;
  readonly withDraft?: boolean;
}

export interface ReplayState {
  readonly status: "idle" | "error" | "done";
  readonly message?: string;
  readonly fieldErrors?: Record<string, string>;
  readonly draftErrors?: readonly PolicyDocumentError[];
  readonly scanned?: number;
  readonly skipped?: number;
  readonly changed?: readonly ChangedStatement[];
  readonly constantsHidden?: boolean;
}

const SIGNED_OUT = { status: "error", message: "Your session has ended. Sign in again, then simulate." } as const;

/** The signed-in user allowed to simulate; null when signed out. */
async function simulator() {
  const user = await currentUser();
  if (!user) return null;
  if (!can(user.roles, "policies.simulate")) forbidden();
  return user;
}

function checkDraft(draft: { policyId?: string; document: unknown } | undefined): { draft?: Draft; errors?: readonly PolicyDocumentError[] } {
  if (!draft) return {};
  const checked = validatePolicy(draft.document);
  if (!checked.ok) return { errors: checked.errors };
  return { draft: { ...(draft.policyId ? { policyId: draft.policyId } : {}), policy: checked.policy } };
}

export async function simulateStatementAction(input: unknown): Promise<SimulateState> {
  if (!(await simulator())) return SIGNED_OUT;
  const parsed = simulateSchema.safeParse(input);
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const { sql, connection: connectionName, agentId } = parsed.data;
  const { draft, errors } = checkDraft(parsed.data.draft);
  if (errors) return { status: "error", message: "Fix the draft's problems first; each is shown beside its field.", draftErrors: errors };
  const db = store();
  const [connection, agent] = await Promise.all([
    db.connection.findUnique({ where: { name: connectionName }, select: { name: true, engine: true } }),
    db.agent.findUnique({ where: { id: agentId }, select: { id: true, name: true, groups: true } }),
  ]);
  if (!connection || !agent)
    return { status: "error", fieldErrors: { ...(connection ? {} : { connection: "No such connection" }), ...(agent ? {} : { agentId: "No such agent" }) } };
  const decision = await decide(await compiledPolicies(db, draft), sql, { connection, agent }, new Date());
  return { status: "done", decision: decisionView(decision), withDraft: draft !== undefined };
}

export async function whatWouldChangeAction(input: unknown): Promise<ReplayState> {
  const user = await simulator();
  if (!user) return SIGNED_OUT;
  const parsed = replaySchema.safeParse(input);
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrors(parsed.error) };
  const { draft, errors } = checkDraft(parsed.data.draft);
  if (errors || !draft) return { status: "error", message: "Fix the draft's problems first; each is shown beside its field.", draftErrors: errors ?? [] };
  // Recorded statements as sent are for the roles that replay sessions; everyone else sees their shape.
  const result = await whatWouldChange(store(), draft, parsed.data.limit, new Date(), { showConstants: can(user.roles, "sessions.view") });
  return { status: "done", ...result };
}
