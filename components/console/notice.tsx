import Link from "next/link";
import type { ReactNode } from "react";

/** A full-width message with a way back: the 403 and 404 pages. */
export function Notice({ code, title, children }: { code: string; title: string; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center">
      <p className="text-sm font-semibold text-brand-600">{code}</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <div className="mt-3 text-sm text-slate-500">{children}</div>
      <Link href="/" className="mt-6 inline-block rounded-lg bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700">
        Back to home
      </Link>
    </div>
  );
}
