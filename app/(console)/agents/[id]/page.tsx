import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { IssueTokenForm, RevokeTokenButton } from "@/components/agents/token-forms";
import { When } from "@/components/agents/when";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { DetailHeader } from "@/components/ui/detail-header";
import { FactList } from "@/components/ui/fact-list";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { issueTokenAction, revokeTokenAction } from "../actions";
import { agentDetail, type TokenRow } from "../queries";

export const metadata: Metadata = { title: "Agent" };

const SAVED: Record<string, string> = { created: "Agent created. Issue it a token below, then grant it connections.", updated: "Changes saved." };

function tokenStatus(token: TokenRow, now: Date): { label: string; tone: "good" | "bad" | "neutral" } {
  if (token.revokedAt) return { label: "revoked", tone: "bad" };
  if (token.expiresAt && token.expiresAt <= now) return { label: "expired", tone: "neutral" };
  return { label: "active", tone: "good" };
}

export default async function AgentPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ saved?: string }> }) {
  const user = await requirePermission("agents.view");
  const editable = can(user.roles, "agents.edit");
  const issues = can(user.roles, "tokens.issue");
  const { id } = await params;
  const { saved } = await searchParams;
  const now = new Date();
  const agent = await agentDetail(store(), id);
  if (!agent) notFound();

  const facts: [string, ReactNode][] = [
    ["Groups", agent.groups.length ? <span key="g" className="flex flex-wrap justify-end gap-1">{agent.groups.map((group) => <Badge key={group} tone="info">{group}</Badge>)}</span> : "none"],
    ["Owner", agent.owner ? <span key="o" title={agent.owner.email}>{agent.owner.name || agent.owner.email}</span> : "nobody"],
    ["Status", agent.disabled ? <Badge key="s" tone="bad">disabled</Badge> : <Badge key="s" tone="good">enabled</Badge>],
    ["Last seen", <When key="l" at={agent.lastSeenAt} now={now} never="never" />],
    ["Created", <When key="c" at={agent.createdAt} now={now} />],
  ];

  return (
    <div className="mx-auto max-w-5xl">
      <DetailHeader
        back={{ href: "/agents", label: "Agents" }}
        title={agent.name}
        summary={agent.description || "An agent that reaches connections through Airlock."}
        edit={editable ? { href: `/agents/${agent.id}/edit`, label: "Edit agent" } : null}
        saved={saved && Object.hasOwn(SAVED, saved) ? SAVED[saved] : undefined}
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <section aria-labelledby="tokens-heading" className="space-y-3">
            <h2 id="tokens-heading" className="text-sm font-semibold text-slate-900">
              Tokens
            </h2>
            {agent.tokens.length === 0 ? (
              <p className="rounded-xl border border-dashed border-slate-300 bg-white p-5 text-sm text-slate-500">No tokens yet: this agent cannot sign in to the gateway.</p>
            ) : (
              <Table caption="Tokens">
                <thead>
                  <tr>
                    <Th>Token</Th>
                    <Th>Status</Th>
                    <Th>Created</Th>
                    <Th>Expires</Th>
                    <Th>Last used</Th>
                    {issues ? <Th className="text-right">Actions</Th> : null}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {agent.tokens.map((token) => {
                    const status = tokenStatus(token, now);
                    return (
                      <tr key={token.id} data-token-prefix={token.prefix}>
                        <Td>
                          <span className="font-mono text-xs">{token.prefix}…</span>
                          {token.name ? <p className="text-xs text-slate-500">{token.name}</p> : null}
                        </Td>
                        <Td>
                          <Badge tone={status.tone}>{status.label}</Badge>
                        </Td>
                        <Td>
                          <When at={token.createdAt} now={now} />
                        </Td>
                        <Td>
                          <When at={token.expiresAt} now={now} never="never" />
                        </Td>
                        <Td>
                          <When at={token.lastUsedAt} now={now} never="never" />
                        </Td>
                        {issues ? (
                          <Td className="text-right">
                            {status.label === "active" ? <RevokeTokenButton agentId={agent.id} tokenId={token.id} label={`token ${token.prefix}`} revoke={revokeTokenAction} /> : null}
                          </Td>
                        ) : null}
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            )}
          </section>
          {issues ? (
            <Card title="Issue a token">
              <IssueTokenForm agentId={agent.id} issue={issueTokenAction} />
            </Card>
          ) : null}
        </div>
        <div className="space-y-6">
          <Card title="Agent">
            <FactList facts={facts} />
          </Card>
          <Card title="Reaches">
            {agent.reaches.length === 0 ? (
              <p className="text-sm text-slate-500">No connection is granted to this agent or its groups.</p>
            ) : (
              <ul className="space-y-1.5 text-sm">
                {agent.reaches.map((reach) => (
                  <li key={`${reach.id}-${reach.via}`} className="flex justify-between gap-3">
                    <Link href={`/connections/${reach.id}`} className="font-medium text-brand-600 hover:text-brand-700">
                      {reach.name}
                    </Link>
                    <span className="text-slate-500">via {reach.via}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </div>
  );
}
