import type { Metadata } from "next";
import Link from "next/link";
import { ConnectionForm, NEW_CONNECTION } from "@/components/connections/connection-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { createConnectionAction, testConnectionAction } from "../actions";
import { approverChoices } from "../queries";

export const metadata: Metadata = { title: "Add connection" };

export default async function NewConnectionPage() {
  await requirePermission("connections.edit");
  const approvers = await approverChoices(store());
  return (
    <div className="mx-auto max-w-3xl">
      <Link href="/connections" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Connections
      </Link>
      <div className="mt-3">
        <PageHeader title="Add connection" summary="A database agents may reach through Airlock once you grant it to them." />
      </div>
      <Card>
        <ConnectionForm values={NEW_CONNECTION} approvers={approvers} save={createConnectionAction} test={testConnectionAction} />
      </Card>
    </div>
  );
}
