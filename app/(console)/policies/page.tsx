import type { Metadata } from "next";
import Link from "next/link";
import { PolicyRowActions } from "@/components/policies/row-actions";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { section } from "../sections";
import { movePolicyAction, setPolicyEnabledAction } from "./actions";
import { policyList, type PolicyRow } from "./queries";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage() {
  const user = await requirePermission("policies.view");
  const editable = can(user.roles, "policies.edit");
  const simulate = can(user.roles, "policies.simulate");
  const policies = await policyList(store());
  const { summary } = section("/policies");

  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader
        title="Policies"
        summary={`${summary} Enabled policies are applied together, in this order; a block beats an approval, which beats an allow.`}
        actions={
          <>
            {simulate ? (
              <Link href="/policies/simulate" className={buttonClass("secondary")}>
                Simulator
              </Link>
            ) : null}
            {editable ? (
              <>
                <Link href="/policies/import" className={buttonClass("secondary")}>
                  Import
                </Link>
                <Link href="/policies/new" className={buttonClass("primary")}>
                  New policy
                </Link>
              </>
            ) : null}
          </>
        }
      />
      {policies.length === 0 ? (
        <EmptyState title="No policies yet">Until there is one, Airlock&apos;s built-in defaults apply. {editable ? "Create or import a policy to start." : ""}</EmptyState>
      ) : (
        <Table caption="Policies in evaluation order">
          <thead>
            <tr>
              <Th>#</Th>
              <Th>Policy</Th>
              <Th>Rules</Th>
              <Th>Status</Th>
              <Th>Version</Th>
              {editable ? <Th className="text-right">Change</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {policies.map((policy, i) => (
              <tr key={policy.id} data-policy={policy.documentId}>
                <Td className="text-slate-500">{i + 1}</Td>
                <Td>
                  <Link href={`/policies/${policy.id}`} className="font-medium text-brand-700 hover:text-brand-800">
                    {policy.name}
                  </Link>
                  <p className="font-mono text-xs text-slate-500">{policy.documentId}</p>
                  {policy.description ? <p className="mt-0.5 max-w-md text-xs text-slate-500">{policy.description}</p> : null}
                </Td>
                <Td>
                  <RuleCounts rules={policy.rules} />
                </Td>
                <Td>{policy.enabled ? <Badge tone="good">enabled</Badge> : <Badge>disabled</Badge>}</Td>
                <Td>
                  <Link href={`/policies/${policy.id}/revisions`} className="text-brand-700 hover:text-brand-800">
                    v{policy.version}
                  </Link>
                  <p className="text-xs text-slate-500">
                    <time dateTime={policy.updatedAt}>{policy.updatedAt.slice(0, 16).replace("T", " ")} UTC</time>
                  </p>
                </Td>
                {editable ? (
                  <Td className="w-64">
                    <PolicyRowActions policyId={policy.id} name={policy.name} enabled={policy.enabled} first={i === 0} last={i === policies.length - 1} toggle={setPolicyEnabledAction} move={movePolicyAction} />
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}

function RuleCounts({ rules }: { rules: PolicyRow["rules"] }) {
  const parts = [
    [rules.mask, "mask"],
    [rules.block, "block"],
    [rules.approval, "approval"],
    [rules.allow, "allow"],
  ] as const;
  return (
    <span className="text-slate-700">
      {rules.total} {rules.total === 1 ? "rule" : "rules"}
      <span className="block text-xs text-slate-500">{parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`).join(" · ") || "none"}</span>
    </span>
  );
}
