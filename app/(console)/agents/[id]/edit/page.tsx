import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AgentForm } from "@/components/agents/agent-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { updateAgentAction } from "../../actions";
import { agentDetail, ownerChoices } from "../../queries";

export const metadata: Metadata = { title: "Edit agent" };

export default async function EditAgentPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("agents.edit");
  const { id } = await params;
  const db = store();
  const [agent, owners] = await Promise.all([agentDetail(db, id), ownerChoices(db)]);
  if (!agent) notFound();
  const values = { id: agent.id, name: agent.name, description: agent.description, groups: agent.groups, ownerId: agent.ownerId, disabled: agent.disabled };

  return (
    <div className="mx-auto max-w-2xl">
      <Link href={`/agents/${agent.id}`} className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← {agent.name}
      </Link>
      <div className="mt-3">
        <PageHeader title={`Edit ${agent.name}`} summary="Group changes reach the gateway within a second." />
      </div>
      <Card>
        <AgentForm values={values} owners={owners} save={updateAgentAction} />
      </Card>
    </div>
  );
}
