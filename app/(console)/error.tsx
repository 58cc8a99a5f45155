"use client";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-semibold text-red-600">Something went wrong</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">This page could not be loaded</h1>
      <p className="mt-3 text-sm text-slate-500">
        Airlock may have lost its connection to the store. Try again in a moment.
        {error.digest ? <span className="mt-2 block font-mono text-xs text-slate-400">Reference {error.digest}</span> : null}
      </p>
      <button type="button" onClick={reset} className="mt-6 rounded-lg bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
        Try again
      </button>
    </div>
  );
}
