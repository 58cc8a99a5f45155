import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConnectionForm } from "@/components/connections/connection-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { testConnectionAction, updateConnectionAction } from "../../actions";
import { approverChoices, connectionDetail } from "../../queries";

export const metadata: Metadata = { title: "Edit connection" };

export default async function EditConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("connections.edit");
  const { id } = await params;
  const db = store();
  const connection = await connectionDetail(db, id);
  if (!connection) notFound();
  const approvers = await approverChoices(db, connection.approverIds);
  const values = {
    id: connection.id,
    name: connection.name,
    description: connection.description,
    engine: connection.engine,
    host: connection.host,
    port: connection.port,
    database: connection.database,
    username: connection.username,
    tls: connection.tls,
    rowLimit: connection.rowLimit,
    timeoutSeconds: connection.timeoutSeconds,
    readOnly: connection.readOnly,
    previewWrites: connection.previewWrites,
    approverIds: connection.approverIds,
  };

  return (
    <div className="mx-auto max-w-3xl">
      <Link href={`/connections/${connection.id}`} className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← {connection.name}
      </Link>
      <div className="mt-3">
        <PageHeader title={`Edit ${connection.name}`} summary="The gateway uses the new settings for the next statement. The password stays as it is unless you type a new one." />
      </div>
      <Card>
        <ConnectionForm values={values} approvers={approvers} save={updateConnectionAction} test={testConnectionAction} />
      </Card>
    </div>
  );
}
