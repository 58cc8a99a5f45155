import type { Metadata } from "next";
import Link from "next/link";
import { Simulator } from "@/components/policies/simulator";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { simulationChoices } from "../queries";
import { simulateStatementAction } from "./actions";

export const metadata: Metadata = { title: "Policy simulator" };

export default async function SimulatorPage() {
  await requirePermission("policies.simulate");
  const { connections, agents } = await simulationChoices(store());
  return (
    <div className="mx-auto max-w-4xl">
      <Link href="/policies" className="text-sm font-medium text-brand-600 hover:text-brand-700">
        ← Policies
      </Link>
      <div className="mt-3">
        <PageHeader
          title="Simulator"
          summary="What the gateway would decide for a statement, with the policies in force: the decision, its reasons, and how each result column would leave. To try an unsaved change, use “Try the draft” in the policy editor."
        />
      </div>
      <Card>
        <Simulator connections={connections} agents={agents} simulate={simulateStatementAction} />
      </Card>
    </div>
  );
}
