import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm } from "@/components/sessions/filter-form";
import { StatementsTable } from "@/components/sessions/statements-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/session";
import { hasFilters, parseTableQuery, tableSearch, type SearchParams, type TableQuery } from "@/lib/sessions/filters";
import { filterOptions, statementPage, PAGE_SIZE } from "@/lib/sessions/statements";
import { store } from "@/lib/store/client";

export const metadata: Metadata = { title: "Sessions" };

// Every statement agents sent, newest first, with filters; each row opens its session's replay. Filters, order
// and the page (a keyset cursor) live in the URL.

export default async function SessionsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePermission("sessions.view");
  const { query, problems } = parseTableQuery(await searchParams);
  const db = store();
  const [page, options] = await Promise.all([statementPage(db, query), filterOptions(db)]);
  const base: TableQuery = { filters: query.filters, order: query.order };
  const href = (state: TableQuery) => `/sessions${tableSearch(state)}`;
  const filtered = hasFilters(query.filters);
  const paged = Boolean(query.after || query.before);

  return (
    <div className="mx-auto max-w-7xl">
      <PageHeader title="Sessions" summary="Every statement agents sent through Airlock, with its decision. Open one to replay its session." />
      <FilterForm filters={query.filters} options={options} problems={problems} order={query.order} />

      {page.rows.length ? (
        <StatementsTable rows={page.rows} order={query.order} otherOrderHref={href({ filters: query.filters, order: query.order === "newest" ? "oldest" : "newest" })} />
      ) : (
        <EmptyState title={filtered ? "No statements match these filters" : paged ? "No more statements" : "No statements recorded yet"}>
          {filtered ? (
            <Link href="/sessions" className="font-medium text-brand-600 hover:text-brand-700">
              Clear the filters
            </Link>
          ) : (
            "Statements appear here as soon as an agent sends one through the gateway."
          )}
        </EmptyState>
      )}

      <nav aria-label="Pages" className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm">
        <div className="flex gap-4">
          {page.previous ? (
            <>
              <Link href={href(base)} className="font-medium text-brand-600 hover:text-brand-700">
                ⇤ {query.order === "newest" ? "Newest" : "Oldest"}
              </Link>
              <Link href={href({ ...base, before: page.previous })} className="font-medium text-brand-600 hover:text-brand-700" rel="prev">
                ← Previous
              </Link>
            </>
          ) : null}
        </div>
        <p className="text-slate-500">
          {page.rows.length ? `${page.rows.length} statement${page.rows.length === 1 ? "" : "s"} on this page (up to ${PAGE_SIZE})` : null}
        </p>
        <div>
          {page.next ? (
            <Link href={href({ ...base, after: page.next })} className="font-medium text-brand-600 hover:text-brand-700" rel="next">
              Next →
            </Link>
          ) : null}
        </div>
      </nav>
    </div>
  );
}
