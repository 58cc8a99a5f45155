import type { ReactNode } from "react";
import { Brand } from "@/components/brand";
import { NavLinks } from "@/components/console/nav-links";
import { UserMenu } from "@/components/console/user-menu";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { sectionsFor } from "./sections";

// Everyone who works in Airlock: approvers, policy authors, auditors, admins. Signed-in users only; each page
// below still checks its own permission.
export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const links = sectionsFor(user.roles).map(({ href, label }) => ({ href, label }));

  return (
    <div className="min-h-screen md:flex">
      <aside className="flex flex-col border-b border-slate-200 bg-white md:sticky md:top-0 md:h-screen md:w-60 md:shrink-0 md:border-r md:border-b-0">
        <div className="px-5 py-4">
          <Brand className="text-slate-900" />
        </div>
        <nav aria-label="Sections" className="flex-1 overflow-x-auto px-3 pb-3 md:overflow-visible">
          <NavLinks links={links} />
        </nav>
        <UserMenu name={user.name} email={user.email} roles={user.roles.map((role) => ROLE_LABELS[role])} />
      </aside>
      <main className="min-w-0 flex-1 px-6 py-8 md:px-10">{children}</main>
    </div>
  );
}
