import type { Metadata } from "next";
import Link from "next/link";
import { absoluteTime } from "@/components/approvals/relative-time";
import { ChangeDetails } from "@/components/audit/change-details";
import { ChangeFilters, type FilterValues } from "@/components/audit/change-filters";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { changeActors, listChanges, parseChangeFilter, parseCursor, type ChangeFilter } from "@/lib/audit/change-log";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { section } from "../sections";
import { targetHref } from "./target-href";

export const metadata: Metadata = { title: "Audit" };

type Params = Record<string, string | string[] | undefined>;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Params> }) {
  await requirePermission("audit.view");
  const { label, summary } = section("/audit");
  const params = await searchParams;
  const parsed = parseChangeFilter(params);
  const filter: ChangeFilter = parsed.ok ? parsed.filter : {};
  const cursor = parseCursor(params.before);
  const [page, actors] = parsed.ok ? await Promise.all([listChanges(store(), filter, cursor), changeActors(store())]) : [{ rows: [], next: null }, await changeActors(store())];
  const query = filterQuery(filter);

  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader
        title={label}
        summary={summary}
        actions={
          <>
            <a href={`/api/audit/export?format=csv${query ? `&${query}` : ""}`} className={buttonClass("secondary")} download>
              Export CSV
            </a>
            <a href={`/api/audit/export?format=json${query ? `&${query}` : ""}`} className={buttonClass("secondary")} download>
              Export JSON
            </a>
          </>
        }
      />
      <ChangeFilters values={raw(params)} actors={actors} problems={parsed.ok ? {} : parsed.problems} />
      {!parsed.ok ? (
        <div className="mt-4">
          <Alert tone="error">Some filters are not valid: fix the fields marked above.</Alert>
        </div>
      ) : null}

      <div className="mt-6">
        {page.rows.length ? (
          <Table caption="Changes people made, newest first">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>Action</Th>
                <Th>What</Th>
                <Th>Details</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.rows.map((row) => {
                const href = targetHref(row.targetType, row.targetId);
                return (
                  <tr key={row.id}>
                    <Td className="whitespace-nowrap font-mono text-xs">{absoluteTime(row.at.toISOString())}</Td>
                    <Td>{row.actor ? <span title={row.actor.name}>{row.actor.email}</span> : <span className="text-slate-400">a deleted account</span>}</Td>
                    <Td>
                      <Badge tone={row.action.endsWith("delete") || row.action.endsWith("revoke") || row.action.endsWith("reject") ? "bad" : "neutral"}>{row.action}</Badge>
                    </Td>
                    <Td className="whitespace-nowrap">
                      {row.targetType}
                      {row.targetId ? (
                        <>
                          {" "}
                          {href ? (
                            <Link href={href} className="font-mono text-xs text-brand-700 hover:underline">
                              {row.targetId.slice(0, 8)}
                            </Link>
                          ) : (
                            <span className="font-mono text-xs text-slate-500">{row.targetId.slice(0, 8)}</span>
                          )}
                        </>
                      ) : null}
                    </Td>
                    <Td>
                      <ChangeDetails details={row.details} />
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        ) : (
          <EmptyState title={cursor ? "No older changes" : "No changes match"}>
            Approvals, policy edits, connections, grants, agents and tokens people change are listed here.
          </EmptyState>
        )}
      </div>

      <nav aria-label="Pages" className="mt-4 flex justify-between">
        {cursor ? (
          <Link href={`/audit${query ? `?${query}` : ""}`} className={buttonClass("secondary")}>
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {page.next ? (
          <Link href={`/audit?${query ? `${query}&` : ""}before=${page.next}`} className={buttonClass("secondary")}>
            Older →
          </Link>
        ) : null}
      </nav>
    </div>
  );
}

function raw(params: Params): FilterValues {
  const one = (value: string | string[] | undefined) => (typeof value === "string" ? value : undefined);
  return { action: one(params.action), target: one(params.target), actor: one(params.actor), from: one(params.from), to: one(params.to) };
}

function filterQuery(filter: ChangeFilter): string {
  const entries = Object.entries(filter).filter((entry): entry is [string, string] => typeof entry[1] === "string");
  return new URLSearchParams(entries).toString();
}
