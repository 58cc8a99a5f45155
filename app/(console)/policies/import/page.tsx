import type { Metadata } from "next";
import Link from "next/link";
import { ImportForm } from "@/components/policies/import-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { importPolicyAction } from "../actions";

export const metadata: Metadata = { title: "Import a policy" };

export default async function ImportPolicyPage() {
  await requirePermission("policies.edit");
  return (
    <div className="mx-auto max-w-4xl">
      <Link href="/policies" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Policies
      </Link>
      <div className="mt-3">
        <PageHeader title="Import a policy" summary="From YAML or JSON. A policy whose id is already stored becomes its next version; otherwise a new, enabled policy is created." />
      </div>
      <Card>
        <ImportForm importPolicy={importPolicyAction} />
      </Card>
    </div>
  );
}
