import type { Store } from "@/lib/store/client";

// The policies pages' reads, each with an explicit select. Callers check permissions. Ids that are not UUIDs
// are answered as "not found" without asking the store.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PolicyRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly priority: number;
  readonly version: number;
  readonly updatedAt: string;
  readonly documentId: string;
  readonly rules: { readonly total: number; readonly mask: number; readonly block: number; readonly approval: number; readonly allow: number };
}

function ruleCounts(document: unknown): PolicyRow["rules"] {
  const rules = (document as { rules?: { action?: { type?: string } }[] } | null)?.rules;
  const list = Array.isArray(rules) ? rules : [];
  const count = (type: string) => list.filter((rule) => rule?.action?.type === type).length;
  return { total: list.length, mask: count("mask"), block: count("block"), approval: count("require_approval"), allow: count("allow") };
}

function documentId(document: unknown): string {
  const id = (document as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : "";
}

/** Every policy, in evaluation order. */
export async function policyList(db: Store): Promise<PolicyRow[]> {
  const rows = await db.policy.findMany({
    orderBy: [{ priority: "asc" }, { name: "asc" }],
    select: { id: true, name: true, description: true, enabled: true, priority: true, version: true, updatedAt: true, document: true },
  });
  return rows.map(({ document, updatedAt, ...row }) => ({ ...row, updatedAt: updatedAt.toISOString(), documentId: documentId(document), rules: ruleCounts(document) }));
}

export async function policyDetail(db: Store, id: string) {
  if (!UUID.test(id)) return null;
  return db.policy.findUnique({
    where: { id },
    select: { id: true, name: true, description: true, enabled: true, priority: true, version: true, updatedAt: true, document: true },
  });
}

export interface RevisionRow {
  readonly version: number;
  readonly at: string;
  readonly author: string;
  readonly comment: string;
  readonly document: unknown;
}

/** Every revision of a policy, newest first. */
export async function policyRevisions(db: Store, id: string): Promise<RevisionRow[]> {
  if (!UUID.test(id)) return [];
  const rows = await db.policyRevision.findMany({
    where: { policyId: id },
    orderBy: { version: "desc" },
    select: { version: true, createdAt: true, comment: true, document: true, author: { select: { name: true, email: true } } },
  });
  return rows.map((row) => ({ version: row.version, at: row.createdAt.toISOString(), author: row.author ? row.author.name || row.author.email : "Airlock", comment: row.comment, document: row.document }));
}

/** What the simulator offers: connection names and engines (never hosts or secrets), agents by name. */
export async function simulationChoices(db: Store) {
  const [connections, agents] = await Promise.all([
    db.connection.findMany({ orderBy: { name: "asc" }, select: { name: true, engine: true } }),
    db.agent.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { connections, agents };
}
