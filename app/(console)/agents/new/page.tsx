import type { Metadata } from "next";
import Link from "next/link";
import { AgentForm } from "@/components/agents/agent-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { createAgentAction } from "../actions";
import { ownerChoices } from "../queries";

export const metadata: Metadata = { title: "Add agent" };

export default async function NewAgentPage() {
  const user = await requirePermission("agents.edit");
  const owners = await ownerChoices(store());
  return (
    <div className="mx-auto max-w-2xl">
      <Link href="/agents" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Agents
      </Link>
      <div className="mt-3">
        <PageHeader title="Add agent" summary="Then issue it a token and grant it connections." />
      </div>
      <Card>
        <AgentForm values={{ name: "", description: "", groups: [], ownerId: user.id, disabled: false }} owners={owners} save={createAgentAction} />
      </Card>
    </div>
  );
}
