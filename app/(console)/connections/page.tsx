import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { ENGINE_LABELS } from "@/lib/connections/schema";
import { store } from "@/lib/store/client";
import { section } from "../sections";
import { listConnections } from "./queries";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  const user = await requirePermission("connections.view");
  const editable = can(user.roles, "connections.edit");
  const connections = await listConnections(store());
  const { label, summary } = section("/connections");

  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader
        title={label}
        summary={summary}
        actions={
          editable ? (
            <Link href="/connections/new" className={buttonClass("primary")}>
              Add connection
            </Link>
          ) : null
        }
      />
      {connections.length === 0 ? (
        <EmptyState title="No connections yet">
          {editable ? "Add the first database agents may reach through Airlock." : "An admin adds the databases agents may reach."}
        </EmptyState>
      ) : (
        <Table caption="Connections">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Engine</Th>
              <Th>Server</Th>
              <Th>TLS</Th>
              <Th>Access</Th>
              <Th>Grants</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {connections.map((connection) => (
              <tr key={connection.id} data-connection={connection.name}>
                <Td>
                  <Link href={`/connections/${connection.id}`} className="font-medium text-brand-600 hover:text-brand-700">
                    {connection.name}
                  </Link>
                  {connection.description ? <p className="text-xs text-slate-500">{connection.description}</p> : null}
                </Td>
                <Td>{ENGINE_LABELS[connection.engine]}</Td>
                <Td className="font-mono text-xs">
                  {connection.host}:{connection.port}/{connection.database}
                </Td>
                <Td>
                  <Badge tone={connection.tls === "disable" ? "warn" : "neutral"}>{connection.tls === "verify_full" ? "verify" : connection.tls === "disable" ? "off" : connection.tls}</Badge>
                </Td>
                <Td>{connection.readOnly ? <Badge tone="info">read-only</Badge> : <Badge>read-write</Badge>}</Td>
                <Td>{connection.grants === 0 ? <span className="text-slate-400">none</span> : connection.grants}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
