import Link from "next/link";

/** Pending | History, under the Approvals heading. */
export function ApprovalsTabs({ current }: { current: "pending" | "history" }) {
  const tabs = [
    { key: "pending", href: "/approvals", label: "Pending" },
    { key: "history", href: "/approvals/history", label: "History" },
  ] as const;
  return (
    <nav aria-label="Approvals" className="mt-5 border-b border-slate-200">
      <ul className="-mb-px flex gap-6">
        {tabs.map((tab) => {
          const active = tab.key === current;
          return (
            <li key={tab.key}>
              <Link
                href={tab.href}
                aria-current={active ? "page" : undefined}
                className={`inline-block border-b-2 px-0.5 pb-2.5 text-sm font-medium ${
                  active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-800"
                }`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
