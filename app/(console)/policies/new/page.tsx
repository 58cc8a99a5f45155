import type { Metadata } from "next";
import Link from "next/link";
import { emptyPolicy } from "@/components/policies/form-model";
import { PolicyEditor } from "@/components/policies/policy-editor";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { createPolicyAction } from "../actions";
import { simulationChoices } from "../queries";
import { simulateStatementAction, whatWouldChangeAction } from "../simulate/actions";

export const metadata: Metadata = { title: "New policy" };

export default async function NewPolicyPage() {
  const user = await requirePermission("policies.edit");
  const simulation = can(user.roles, "policies.simulate")
    ? { ...(await simulationChoices(store())), simulate: simulateStatementAction, replay: whatWouldChangeAction }
    : undefined;
  return (
    <div className="mx-auto max-w-5xl">
      <Link href="/policies" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Policies
      </Link>
      <div className="mt-3">
        <PageHeader title="New policy" summary="Rules for blocking, approval and masking. It applies, with the other enabled policies, as soon as it is created." />
      </div>
      <PolicyEditor initial={emptyPolicy()} save={createPolicyAction} simulation={simulation} />
    </div>
  );
}
