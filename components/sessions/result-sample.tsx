import { Badge } from "@/components/ui/badge";
import type { ResultDetail } from "@/lib/sessions/payloads";

// A result's masked sample rows as a table; masked columns are marked. The values are the recorded ones, masked
// by the gateway before they were stored.

export function ResultSample({ detail }: { detail: ResultDetail }) {
  if (!detail.statements.length) return <p className="text-sm text-slate-500">No result recorded.</p>;
  return (
    <div className="space-y-4">
      {detail.statements.map((statement, index) => {
        const masked = new Set(statement.maskedColumns);
        return (
          <div key={index}>
            <p className="mb-2 text-sm text-slate-600">
              <span className="font-medium text-slate-900">{statement.command || "Result"}</span> · {statement.rowCount} row{statement.rowCount === 1 ? "" : "s"}
              {statement.truncated ? " (cut at the row limit)" : ""}
              {statement.durationMs !== undefined ? ` · ${statement.durationMs.toFixed(1)} ms in the database` : ""}
              {statement.maskedColumns.length ? ` · masked: ${statement.maskedColumns.join(", ")}` : ""}
            </p>
            {statement.columns.length ? (
              <div className="overflow-x-auto rounded-lg border border-slate-200">
                <table className="min-w-full divide-y divide-slate-200 text-xs" data-testid="result-sample">
                  <caption className="sr-only">Sample of the masked result ({statement.sample.length} rows)</caption>
                  <thead>
                    <tr>
                      {statement.columns.map((column, c) => (
                        <th key={c} scope="col" className="bg-slate-50 px-3 py-2 text-left font-semibold whitespace-nowrap text-slate-600">
                          {column} {masked.has(column) ? <Badge tone="warn">masked</Badge> : null}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {statement.sample.map((row, r) => (
                      <tr key={r}>
                        {row.map((value, c) => (
                          <td key={c} className={`px-3 py-1.5 font-mono whitespace-nowrap ${masked.has(statement.columns[c] ?? "") ? "bg-amber-50/60 text-amber-900" : "text-slate-700"}`}>
                            {value}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
            {statement.rowCount > statement.sample.length && statement.sample.length ? (
              <p className="mt-1 text-xs text-slate-500">The recording keeps the first {statement.sample.length} rows.</p>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
