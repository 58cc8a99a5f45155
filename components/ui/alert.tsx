import type { ReactNode } from "react";

/** The outcome of a form or action: an error to act on, or a confirmation. */
export function Alert({ tone, children }: { tone: "error" | "success" | "info"; children: ReactNode }) {
  const classes = { error: "bg-red-50 text-red-700", success: "bg-emerald-50 text-emerald-800", info: "bg-sky-50 text-sky-800" }[tone];
  return (
    <p role={tone === "error" ? "alert" : "status"} className={`rounded-lg px-3 py-2 text-sm ${classes}`}>
      {children}
    </p>
  );
}
