import type { ReactNode } from "react";
import { PreviewSample } from "./preview-sample";
import { durationText, estimateText, flagText, rowsAffectedText, type PreviewView } from "./preview-view";

// The approval page's "Dry run" section: what the statement would do, from a run inside a transaction that was
// rolled back (or why it was not run), the planner's estimate, and a masked before/after sample.

const STATUS: Record<PreviewView["status"], { label: string; tone: string; text: string }> = {
  ran: { label: "Ran, rolled back", tone: "bg-emerald-50 text-emerald-800 ring-emerald-200", text: "The statement ran inside a transaction that was rolled back: nothing was changed." },
  explained: { label: "Not run", tone: "bg-amber-50 text-amber-800 ring-amber-200", text: "The statement was not run: only the planner's estimate was read." },
  failed: { label: "Failed", tone: "bg-red-50 text-red-700 ring-red-200", text: "The dry run failed, so its effect is not known. Nothing was changed." },
  off: { label: "Off", tone: "bg-slate-100 text-slate-600 ring-slate-200", text: "Previews are off for this connection." },
};

export function WritePreview({ preview, previewsOn }: { preview: PreviewView | null; previewsOn: boolean }) {
  return (
    <section aria-labelledby="preview-heading" className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="preview-heading" className="text-sm font-semibold text-slate-900">
          Dry run
        </h2>
        {preview ? <span className={`rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS[preview.status].tone}`}>{STATUS[preview.status].label}</span> : null}
      </div>
      {preview ? (
        <PreviewBody preview={preview} />
      ) : (
        <p className="mt-2 text-sm text-slate-500">
          {previewsOn ? "No dry run was recorded for this request." : "Previews are off for this connection: there is no dry run to show."}
        </p>
      )}
    </section>
  );
}

function PreviewBody({ preview }: { preview: PreviewView }) {
  const estimate = estimateText(preview);
  const facts: [string, ReactNode][] = [["Rows affected", <span key="r" data-testid="rows-affected">{rowsAffectedText(preview)}</span>]];
  if (estimate) facts.push(["Planner estimate", estimate]);
  if (preview.durationMs !== null && preview.status !== "off") facts.push(["Took", durationText(preview.durationMs)]);

  // Flags of a statement that was not run are already the "Not run" line; others are worth a note of their own.
  const notes = preview.status === "explained" ? [] : preview.flags.map(flagText);
  return (
    <div className="mt-2 space-y-4">
      <p className="text-sm text-slate-700">{STATUS[preview.status].text}</p>
      {preview.status === "failed" && preview.error ? (
        <p role="note" className="rounded-lg bg-red-50 px-3 py-2 font-mono text-xs break-words text-red-800">
          {preview.error.sqlState ? `${preview.error.sqlState}: ` : ""}
          {preview.error.message}
        </p>
      ) : null}
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
            <dd className="mt-0.5 text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
      {notes.length ? (
        <ul className="space-y-0.5 text-xs text-amber-800">
          {notes.map((note) => (
            <li key={note}>Note: {note}</li>
          ))}
        </ul>
      ) : null}
      {preview.sample ? <PreviewSample sample={preview.sample} rowsAffected={preview.rowsAffected} /> : null}
    </div>
  );
}
