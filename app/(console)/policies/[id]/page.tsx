import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RuleSummary } from "@/components/policies/rule-summary";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { validatePolicy } from "@/lib/policy/document";
import { store } from "@/lib/store/client";
import { policyDetail } from "../queries";

export const metadata: Metadata = { title: "Policy" };

export default async function PolicyPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ saved?: string; imported?: string }> }) {
  const user = await requirePermission("policies.view");
  const { id } = await params;
  const { saved, imported } = await searchParams;
  const policy = await policyDetail(store(), id);
  if (!policy) notFound();
  const parsed = validatePolicy(policy.document);

  return (
    <div className="mx-auto max-w-5xl">
      <Link href="/policies" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Policies
      </Link>
      <div className="mt-3">
        <PageHeader
          title={policy.name}
          summary={policy.description || undefined}
          actions={
            <>
              <Link href={`/policies/${policy.id}/revisions`} className={buttonClass("secondary")}>
                Revisions
              </Link>
              <a href={`/api/policies/${policy.id}/export?format=yaml`} className={buttonClass("secondary")}>
                Export YAML
              </a>
              <a href={`/api/policies/${policy.id}/export?format=json`} className={buttonClass("secondary")}>
                Export JSON
              </a>
              {can(user.roles, "policies.edit") ? (
                <Link href={`/policies/${policy.id}/edit`} className={buttonClass("primary")}>
                  Edit
                </Link>
              ) : null}
            </>
          }
        />
      </div>
      <div className="space-y-6">
        {saved ? <Alert tone="success">Saved as version {policy.version}. The gateway applies it within about a second.</Alert> : null}
        {imported ? <Alert tone="success">Imported as version {policy.version}.</Alert> : null}
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          {policy.enabled ? <Badge tone="good">enabled</Badge> : <Badge>disabled</Badge>}
          <span>Version {policy.version}</span>·<span>order {policy.priority}</span>·
          <span>
            updated <time dateTime={policy.updatedAt.toISOString()}>{policy.updatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC</time>
          </span>
        </p>
        {parsed.ok ? (
          <>
            <Card title="Settings">
              <dl className="grid gap-3 text-sm sm:grid-cols-3">
                <div>
                  <dt className="text-slate-500">When no rule decides</dt>
                  <dd className="text-slate-900">{parsed.policy.settings.defaultAction.replace("_", " ")}</dd>
                </div>
                <div>
                  <dt className="text-slate-500">Most rows a result may return</dt>
                  <dd className="text-slate-900">{parsed.policy.settings.maxRows ?? "no limit from this policy"}</dd>
                </div>
                <div>
                  <dt className="text-slate-500">Value detectors</dt>
                  <dd className="text-slate-900">{parsed.policy.settings.detectors}</dd>
                </div>
              </dl>
            </Card>
            <Card title={`Rules (${parsed.policy.rules.length})`}>
              {parsed.policy.rules.length === 0 ? (
                <p className="text-sm text-slate-500">No rules: this policy only sets its defaults.</p>
              ) : (
                <ol className="divide-y divide-slate-100">
                  {parsed.policy.rules.map((rule, i) => (
                    <RuleSummary key={rule.id} rule={rule} index={i} />
                  ))}
                </ol>
              )}
            </Card>
          </>
        ) : (
          <Alert tone="error">
            The stored document is not valid, so the gateway skips this policy: {parsed.errors.slice(0, 3).map((e) => `${e.path || "policy"}: ${e.message}`).join("; ")}
          </Alert>
        )}
      </div>
    </div>
  );
}
