import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { emptyPolicy, policyToForm } from "@/components/policies/form-model";
import { PolicyEditor } from "@/components/policies/policy-editor";
import { Alert } from "@/components/ui/alert";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { validatePolicy } from "@/lib/policy/document";
import { store } from "@/lib/store/client";
import { updatePolicyAction } from "../../actions";
import { policyDetail, simulationChoices } from "../../queries";
import { simulateStatementAction, whatWouldChangeAction } from "../../simulate/actions";

export const metadata: Metadata = { title: "Edit policy" };

export default async function EditPolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("policies.edit");
  const { id } = await params;
  const policy = await policyDetail(store(), id);
  if (!policy) notFound();
  const parsed = validatePolicy(policy.document);
  const simulation = can(user.roles, "policies.simulate")
    ? { ...(await simulationChoices(store())), simulate: simulateStatementAction, replay: whatWouldChangeAction }
    : undefined;
  return (
    <div className="mx-auto max-w-5xl">
      <Link href={`/policies/${policy.id}`} className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← {policy.name}
      </Link>
      <div className="mt-3">
        <PageHeader title={`Edit ${policy.name}`} summary={`Version ${policy.version}. Saving makes version ${policy.version + 1}; the gateway applies it within about a second.`} />
      </div>
      {parsed.ok ? null : (
        <div className="mb-4">
          <Alert tone="error">The stored document of this policy is not valid ({parsed.errors[0]?.path}: {parsed.errors[0]?.message}); the gateway skips it. Import a corrected version, or start the form again here.</Alert>
        </div>
      )}
      <PolicyEditor initial={parsed.ok ? policyToForm(parsed.policy) : emptyPolicy()} policyId={policy.id} version={policy.version} save={updatePolicyAction} simulation={simulation} />
    </div>
  );
}
