"use client";

import { useRouter } from "next/navigation";
import type { FormEvent, ReactNode } from "react";

// The filter form's submit, with script: the same GET to /sessions, minus the blank fields, so a shared link
// holds only the filters in use. Without script the browser submits the plain form (blanks are ignored).

export function FilterUrlForm({ children, label }: { children: ReactNode; label: string }) {
  const router = useRouter();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(event.currentTarget)) {
      if (typeof value === "string" && value.trim() !== "") params.append(name, value.trim());
    }
    const search = params.toString();
    router.push(search ? `/sessions?${search}` : "/sessions");
  };
  return (
    <form method="get" action="/sessions" role="search" aria-label={label} onSubmit={submit} className="mb-5 rounded-xl border border-slate-200 bg-white p-4 shadow-xs">
      {children}
    </form>
  );
}
