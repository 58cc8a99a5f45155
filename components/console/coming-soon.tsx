/** A section whose page is not built yet. */
export function ComingSoon({ title, summary }: { title: string; summary: string }) {
  return (
    <div className="mx-auto max-w-5xl">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <p className="mt-1 text-sm text-slate-500">{summary}</p>
      <div className="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center">
        <p className="font-medium text-slate-900">Coming soon</p>
        <p className="mt-1 text-sm text-slate-500">This part of Airlock is on its way.</p>
      </div>
    </div>
  );
}
