import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RevisionDiffView } from "@/components/policies/revision-diff-view";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { diffPolicies } from "@/lib/policy/revision-diff";
import { store } from "@/lib/store/client";
import { policyDetail, policyRevisions } from "../../queries";

export const metadata: Metadata = { title: "Policy revisions" };

// Every saved version with who saved it, when and why; the chosen version (newest by default) is compared with
// the one before it, or with any other version (?from=).

export default async function RevisionsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ v?: string; from?: string }> }) {
  await requirePermission("policies.view");
  const { id } = await params;
  const query = await searchParams;
  const [policy, revisions] = await Promise.all([policyDetail(store(), id), policyRevisions(store(), id)]);
  if (!policy) notFound();

  const shown = revisions.find((r) => String(r.version) === query.v) ?? revisions[0];
  const base = shown ? (revisions.find((r) => String(r.version) === query.from && r.version !== shown.version) ?? revisions.find((r) => r.version < shown.version)) : undefined;
  const diff = shown ? diffPolicies(base?.document ?? {}, shown.document) : null;

  return (
    <div className="mx-auto max-w-6xl">
      <Link href={`/policies/${policy.id}`} className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← {policy.name}
      </Link>
      <div className="mt-3">
        <PageHeader title={`Revisions of ${policy.name}`} summary="Every saved version: who saved it, when, why, and what changed." />
      </div>
      {revisions.length === 0 ? (
        <p className="text-sm text-slate-500">This policy has no recorded revisions.</p>
      ) : (
        <div className="grid gap-6 lg:grid-cols-3">
          <nav aria-label="Versions" className="lg:col-span-1">
            <ol className="space-y-2">
              {revisions.map((r) => {
                const current = r.version === shown?.version;
                return (
                  <li key={r.version} data-revision={r.version}>
                    <Link
                      href={`/policies/${policy.id}/revisions?v=${r.version}`}
                      aria-current={current ? "page" : undefined}
                      className={`block rounded-lg border px-3 py-2 text-sm ${current ? "border-brand-300 bg-brand-50" : "border-slate-200 bg-white hover:bg-slate-50"}`}
                    >
                      <span className="font-medium text-slate-900">Version {r.version}</span>
                      <span className="block text-xs text-slate-500">
                        {r.author} · <time dateTime={r.at}>{r.at.slice(0, 16).replace("T", " ")} UTC</time>
                      </span>
                      {r.comment ? <span className="mt-0.5 block text-xs break-words text-slate-700">“{r.comment}”</span> : null}
                    </Link>
                  </li>
                );
              })}
            </ol>
          </nav>
          <div className="lg:col-span-2">
            {shown && diff ? (
              <Card title={base ? `Version ${base.version} → version ${shown.version}` : `Version ${shown.version} (first)`}>
                <p className="mb-3 text-xs text-slate-500">
                  Saved by {shown.author} at {shown.at.slice(0, 19).replace("T", " ")} UTC.
                  {revisions.length > 2 ? " Compare with: " : ""}
                  {revisions.length > 2
                    ? revisions
                        .filter((r) => r.version !== shown.version)
                        .map((r, i) => (
                          <span key={r.version}>
                            {i > 0 ? ", " : ""}
                            <Link className="text-brand-700 hover:text-brand-800" href={`/policies/${policy.id}/revisions?v=${shown.version}&from=${r.version}`}>
                              v{r.version}
                            </Link>
                          </span>
                        ))
                    : null}
                </p>
                <RevisionDiffView diff={diff} />
              </Card>
            ) : null}
          </div>
        </div>
      )}
    </div>
  );
}
