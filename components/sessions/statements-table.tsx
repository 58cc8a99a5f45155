"use client";

import Link from "next/link";
import { createColumnHelper, tableFeatures, useTable } from "@tanstack/react-table";
import { Badge } from "@/components/ui/badge";
import type { StatementRow } from "@/lib/sessions/statements";
import { decisionLabel, frontDoorLabel, utcTime } from "./labels";

// The sessions table: one recorded statement a row. Rows, order and pages come from the server (the URL holds
// them); TanStack Table lays out the columns. The time header links to the other order.

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, StatementRow>();

export function StatementsTable({ rows, order, otherOrderHref }: { rows: readonly StatementRow[]; order: "newest" | "oldest"; otherOrderHref: string }) {
  const columns = helper.columns([
    helper.accessor("at", {
      header: () => (
        <Link href={otherOrderHref} className="inline-flex items-center gap-1 hover:text-brand-700" aria-label={`Time, ${order} first; show ${order === "newest" ? "oldest" : "newest"} first`}>
          Time <span aria-hidden="true">{order === "newest" ? "↓" : "↑"}</span>
        </Link>
      ),
      cell: (info) => <time dateTime={info.getValue()} className="whitespace-nowrap tabular-nums">{utcTime(info.getValue())}</time>,
    }),
    helper.accessor("agent", { header: "Agent", cell: (info) => <span className="font-medium text-slate-900">{info.getValue()}</span> }),
    helper.accessor("connection", { header: "Connection", cell: (info) => info.getValue() ?? <span className="text-slate-400">—</span> }),
    helper.accessor("frontDoor", { header: "Front door", cell: (info) => <span className="whitespace-nowrap">{frontDoorLabel(info.getValue())}</span> }),
    helper.accessor("sql", {
      header: "Statement",
      cell: (info) => <code className="line-clamp-2 font-mono text-xs break-all text-slate-800">{info.getValue()}</code>,
    }),
    helper.accessor("decision", {
      header: "Decision",
      cell: (info) => {
        const { label, tone } = decisionLabel(info.getValue());
        return <Badge tone={tone}>{label}</Badge>;
      },
    }),
    helper.display({
      id: "replay",
      header: () => <span className="sr-only">Replay</span>,
      cell: (info) => {
        const row = info.row.original;
        return (
          <Link href={`/sessions/${row.sessionId}?seq=${row.seq}`} className="font-medium whitespace-nowrap text-brand-600 hover:text-brand-700" aria-label={`Replay the session of ${row.agent} at ${utcTime(row.at)}`}>
            Replay →
          </Link>
        );
      },
    }),
  ]);
  const table = useTable({ features, columns, data: rows as StatementRow[], getRowId: (row) => row.eventId });

  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-xs">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="statements-table">
        <caption className="sr-only">Recorded statements, {order} first</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th
                  key={header.id}
                  scope="col"
                  aria-sort={header.column.id === "at" ? (order === "newest" ? "descending" : "ascending") : undefined}
                  className="bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase"
                >
                  {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100">
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-event-id={row.original.eventId} data-session-id={row.original.sessionId} className="hover:bg-slate-50">
              {row.getAllCells().map((cell) => (
                <td key={cell.id} className={`px-4 py-2.5 align-top text-slate-700 ${cell.column.id === "sql" ? "max-w-md" : ""}`}>
                  <table.FlexRender cell={cell} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
