import type { SampleCell, SampleRow, SampleTable } from "./preview-view";

// The dry run's before/after sample as a small table: for each row changed, its values before and after, the
// cells that changed highlighted; inserted rows in green, deleted ones struck through. Masked columns are marked
// in the header, and a masked cell whose masked values are equal is shaded (a change under a mask cannot be seen).
// Every value is rendered as React text.

const ROW_LABEL: Record<SampleRow["kind"], [string, string]> = {
  updated: ["before", "after"],
  inserted: ["", "new"],
  deleted: ["deleted", ""],
};

export function PreviewSample({ sample, rowsAffected }: { sample: SampleTable; rowsAffected: number | null }) {
  const masked = new Set(sample.maskedColumns);
  const shown = sample.rows.length;
  return (
    <div>
      <p className="text-sm text-slate-600">
        Sample of <span className="font-mono text-slate-900">{sample.table}</span>
        {rowsAffected !== null && rowsAffected > shown ? ` · ${shown} of ${rowsAffected.toLocaleString("en")} rows` : ` · ${shown} ${shown === 1 ? "row" : "rows"}`}
        {sample.maskedColumns.length ? ` · masked: ${sample.maskedColumns.join(", ")}` : ""}
      </p>
      {shown === 0 ? (
        <p className="mt-1.5 text-sm text-slate-500">No row changed in the dry run.</p>
      ) : (
        <div className="mt-2 overflow-x-auto rounded-lg border border-slate-200">
          <table className="min-w-full text-xs" data-testid="preview-sample">
            <caption className="sr-only">Rows before and after the dry run; changed values are marked</caption>
            <thead>
              <tr>
                <th scope="col" className="bg-slate-50 px-3 py-2">
                  <span className="sr-only">Row</span>
                </th>
                {sample.columns.map((column) => (
                  <th key={column} scope="col" className="bg-slate-50 px-3 py-2 text-left font-semibold whitespace-nowrap text-slate-600">
                    {column}
                    {masked.has(column) ? <span className="ml-1.5 rounded bg-violet-100 px-1.5 py-0.5 text-[10px] font-medium text-violet-800 uppercase">masked</span> : null}
                  </th>
                ))}
              </tr>
            </thead>
            {sample.rows.map((row, index) => (
              <tbody key={index} className="border-t border-slate-200" data-row-kind={row.kind}>
                {row.before ? <SampleLine label={ROW_LABEL[row.kind][0]} cells={row.before} side={row.kind === "deleted" ? "deleted" : "before"} /> : null}
                {row.after ? <SampleLine label={ROW_LABEL[row.kind][1]} cells={row.after} side={row.kind === "inserted" ? "inserted" : "after"} /> : null}
              </tbody>
            ))}
          </table>
        </div>
      )}
      <p className="mt-1.5 text-xs text-slate-500">
        Changed values are highlighted. Values are masked as the agent would see them; a shaded masked cell may have changed underneath.
      </p>
    </div>
  );
}

type Side = "before" | "after" | "inserted" | "deleted";

function SampleLine({ label, cells, side }: { label: string; cells: readonly SampleCell[]; side: Side }) {
  return (
    <tr>
      <th scope="row" className="px-3 py-1.5 text-left text-[11px] font-medium whitespace-nowrap text-slate-400 uppercase">
        {label}
      </th>
      {cells.map((cell, c) => (
        <td key={c} data-change={cell.change} className={`px-3 py-1.5 font-mono whitespace-nowrap ${cellClass(side, cell)}`} title={cell.change === "hidden" ? "Masked: a change cannot be seen" : undefined}>
          {cell.text === null ? <span className="text-slate-400 italic">NULL</span> : cell.text}
          {cell.change === "changed" && (side === "after" || side === "before") ? <span className="sr-only"> (changed)</span> : null}
        </td>
      ))}
    </tr>
  );
}

function cellClass(side: Side, cell: SampleCell): string {
  if (side === "inserted") return "bg-emerald-50 text-emerald-900";
  if (side === "deleted") return "bg-red-50 text-red-800 line-through decoration-red-300";
  if (cell.change === "hidden") return "bg-violet-50 text-violet-900";
  if (cell.change === "same") return "text-slate-500";
  return side === "after" ? "bg-emerald-50 font-semibold text-emerald-900" : "bg-red-50 text-red-800 line-through decoration-red-300";
}
