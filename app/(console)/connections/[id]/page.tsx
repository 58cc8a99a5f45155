import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AddGrantForm, RemoveGrantButton, TestSavedButton } from "@/components/connections/grant-forms";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DetailHeader } from "@/components/ui/detail-header";
import { FactList } from "@/components/ui/fact-list";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { ENGINE_LABELS, TLS_LABELS } from "@/lib/connections/schema";
import { store } from "@/lib/store/client";
import { addGrantAction, removeGrantAction, testConnectionAction } from "../actions";
import { agentChoices, connectionDetail, type ConnectionDetail } from "../queries";

export const metadata: Metadata = { title: "Connection" };

const SAVED: Record<string, string> = { created: "Connection created. Grant it to agents below.", updated: "Changes saved. The gateway uses them from the next statement." };

export default async function ConnectionPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ saved?: string }> }) {
  const user = await requirePermission("connections.view");
  const editable = can(user.roles, "connections.edit");
  const { id } = await params;
  const { saved } = await searchParams;
  const db = store();
  const [connection, agents] = await Promise.all([connectionDetail(db, id), editable ? agentChoices(db) : []]);
  if (!connection) notFound();

  const facts: [string, ReactNode][] = [
    ["Engine", ENGINE_LABELS[connection.engine]],
    ["Server", <span key="s" className="font-mono text-xs">{`${connection.host}:${connection.port}`}</span>],
    ["Database", connection.database],
    ["User", connection.username],
    ["Password", <span key="p" className="text-slate-500">stored encrypted, never shown</span>],
    ["TLS", TLS_LABELS[connection.tls]],
    ["Row limit", connection.rowLimit.toLocaleString("en")],
    ["Statement timeout", `${connection.timeoutSeconds} s`],
    ["Access", connection.readOnly ? <Badge key="r" tone="info">read-only</Badge> : <Badge key="r">read-write</Badge>],
    ["Write previews", connection.previewWrites ? <Badge key="w" tone="good">dry run before approval</Badge> : <Badge key="w">off</Badge>],
    ["Approvers", <ConnectionApprovers key="a" named={connection.approverIds.length} approvers={connection.approvers} />],
    ["Last changed", <time key="u" dateTime={connection.updatedAt.toISOString()}>{connection.updatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC</time>],
  ];

  return (
    <div className="mx-auto max-w-5xl">
      <DetailHeader
        back={{ href: "/connections", label: "Connections" }}
        title={connection.name}
        summary={connection.description || "A database agents reach through Airlock."}
        edit={editable ? { href: `/connections/${connection.id}/edit`, label: "Edit connection" } : null}
        saved={saved && Object.hasOwn(SAVED, saved) ? SAVED[saved] : undefined}
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Who may reach it">
            {connection.grants.length === 0 ? (
              <p className="text-sm text-slate-500">Nobody yet: no agent can reach this connection until it is granted.</p>
            ) : (
              <ul className="divide-y divide-slate-100" aria-label="Grants">
                {connection.grants.map((grant) => {
                  const label = grant.agent ? `agent ${grant.agent.name}` : `group ${grant.group}`;
                  return (
                    <li key={grant.id} data-grant={label} className="flex items-center justify-between gap-3 py-2.5 first:pt-0 last:pb-0">
                      <span className="text-sm text-slate-800">
                        {grant.agent ? (
                          <>
                            <Badge>agent</Badge>{" "}
                            <Link href={`/agents/${grant.agent.id}`} className="font-medium text-brand-600 hover:text-brand-700">
                              {grant.agent.name}
                            </Link>
                          </>
                        ) : (
                          <>
                            <Badge tone="info">group</Badge> <span className="font-medium">{grant.group}</span>
                          </>
                        )}
                      </span>
                      {editable ? <RemoveGrantButton connectionId={connection.id} grantId={grant.id} label={label} remove={removeGrantAction} /> : null}
                    </li>
                  );
                })}
              </ul>
            )}
          </Card>
          {editable ? (
            <Card title="Grant access">
              <AddGrantForm connectionId={connection.id} agents={agents.filter((agent) => !connection.grants.some((grant) => grant.agent?.id === agent.id))} add={addGrantAction} />
            </Card>
          ) : null}
        </div>
        <div className="space-y-6">
          <Card title="Settings">
            <FactList facts={facts} />
          </Card>
          {editable ? (
            <Card title="Check it">
              <TestSavedButton connectionId={connection.id} test={testConnectionAction} />
            </Card>
          ) : null}
        </div>
      </div>
    </div>
  );
}

/** Who decides this connection's approval requests: its named approvers, or anyone the rules' roles allow. */
function ConnectionApprovers({ named, approvers }: { named: number; approvers: ConnectionDetail["approvers"] }) {
  if (named === 0) return <span className="text-slate-500">anyone the rule&apos;s roles allow</span>;
  if (approvers.length === 0) return <span className="text-red-700">named people no longer exist: nobody can decide</span>;
  return (
    <ul className="space-y-0.5">
      {approvers.map((person) => (
        <li key={person.id} title={person.email}>
          {person.name || person.email}
          {person.disabled ? <span className="text-red-700"> (disabled)</span> : null}
        </li>
      ))}
    </ul>
  );
}
