import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { section } from "../sections";
import { listAgents } from "./queries";
import { When } from "@/components/agents/when";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const user = await requirePermission("agents.view");
  const editable = can(user.roles, "agents.edit");
  const now = new Date();
  const agents = await listAgents(store(), now);
  const { label, summary } = section("/agents");

  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader
        title={label}
        summary={summary}
        actions={
          editable ? (
            <Link href="/agents/new" className={buttonClass("primary")}>
              Add agent
            </Link>
          ) : null
        }
      />
      {agents.length === 0 ? (
        <EmptyState title="No agents yet">{editable ? "Add an agent, then issue it a token." : "An admin adds agents and issues their tokens."}</EmptyState>
      ) : (
        <Table caption="Agents">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Groups</Th>
              <Th>Owner</Th>
              <Th>Tokens</Th>
              <Th>Last seen</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {agents.map((agent) => (
              <tr key={agent.id} data-agent={agent.name}>
                <Td>
                  <Link href={`/agents/${agent.id}`} className="font-medium text-brand-600 hover:text-brand-700">
                    {agent.name}
                  </Link>{" "}
                  {agent.disabled ? <Badge tone="bad">disabled</Badge> : null}
                  {agent.description ? <p className="text-xs text-slate-500">{agent.description}</p> : null}
                </Td>
                <Td>
                  <span className="flex flex-wrap gap-1">
                    {agent.groups.length ? agent.groups.map((group) => <Badge key={group} tone="info">{group}</Badge>) : <span className="text-slate-400">none</span>}
                  </span>
                </Td>
                <Td>{agent.owner ? <span title={agent.owner.email}>{agent.owner.name || agent.owner.email}</span> : <span className="text-slate-400">nobody</span>}</Td>
                <Td>{agent.activeTokens === 0 ? <span className="text-slate-400">none active</span> : `${agent.activeTokens} active`}</Td>
                <Td>
                  <When at={agent.lastSeenAt} now={now} never="never" />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
