import type { Metadata } from "next";
import Link from "next/link";
import { can } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { countActiveSessions, countBlockedSince, countPendingApprovals, startOfDay } from "./attention";
import { sectionsFor } from "./sections";

export const metadata: Metadata = { title: "Home" };

interface Tile {
  readonly label: string;
  readonly count: number;
  readonly href: string;
  readonly action: string;
  readonly empty: string;
  readonly busy: (count: number) => string;
  readonly urgent?: boolean;
}

export default async function HomePage() {
  const user = await requireUser();
  const db = store();
  const now = new Date();
  const seesApprovals = can(user.roles, "approvals.view");
  const seesSessions = can(user.roles, "sessions.view");

  const [pending, blocked, active] = await Promise.all([
    seesApprovals ? countPendingApprovals(db, now) : null,
    seesSessions ? countBlockedSince(db, startOfDay(now)) : null,
    seesSessions ? countActiveSessions(db) : null,
  ]);

  const tiles: Tile[] = [];
  if (pending !== null) {
    tiles.push({
      label: "Pending approvals",
      count: pending,
      href: "/approvals",
      action: "Review approvals",
      empty: "Nothing is waiting on a decision. Statements that need approval will show up here.",
      busy: (n) => `${n === 1 ? "An agent is" : "Agents are"} waiting on ${n === 1 ? "this statement" : "these statements"}.`,
      urgent: pending > 0,
    });
  }
  if (blocked !== null) {
    tiles.push({
      label: "Blocked today",
      count: blocked,
      href: "/sessions",
      action: "See sessions",
      empty: "No statement has been blocked since midnight.",
      busy: (n) => `${n === 1 ? "Statement" : "Statements"} stopped by policy since midnight.`,
    });
  }
  if (active !== null) {
    tiles.push({
      label: "Active agent sessions",
      count: active,
      href: "/sessions",
      action: "See sessions",
      empty: "No agent is connected right now.",
      busy: (n) => `${n === 1 ? "Agent session" : "Agent sessions"} connected right now.`,
    });
  }

  const otherSections = sectionsFor(user.roles).filter((section) => section.href !== "/");
  const firstName = user.name.trim().split(/\s+/)[0] || user.email;

  return (
    <div className="mx-auto max-w-5xl">
      <p className="text-sm text-slate-500">Welcome back, {firstName}</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">What needs attention</h1>

      {tiles.length ? (
        <ul className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {tiles.map((tile) => (
            <li key={tile.label} className={`flex flex-col rounded-xl border bg-white p-5 shadow-xs ${tile.urgent ? "border-amber-300" : "border-slate-200"}`}>
              <p className="text-sm font-medium text-slate-500">{tile.label}</p>
              <p className={`mt-2 text-3xl font-semibold tabular-nums ${tile.urgent ? "text-amber-600" : "text-slate-900"}`}>{tile.count}</p>
              <p className="mt-2 flex-1 text-sm text-slate-500">{tile.count === 0 ? tile.empty : tile.busy(tile.count)}</p>
              <Link href={tile.href} className="mt-4 text-sm font-medium text-brand-600 hover:text-brand-700">
                {tile.action} →
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <div className="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center">
          <p className="font-medium text-slate-900">Nothing here needs you right now.</p>
          <p className="mt-1 text-sm text-slate-500">Approvals and agent activity show up here for approvers and auditors.</p>
        </div>
      )}

      {otherSections.length ? (
        <section className="mt-10">
          <h2 className="text-sm font-semibold text-slate-900">Your sections</h2>
          <ul className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            {otherSections.map((section) => (
              <li key={section.href}>
                <Link href={section.href} className="block h-full rounded-lg border border-slate-200 bg-white px-4 py-3 hover:border-brand-600">
                  <span className="text-sm font-medium text-slate-900">{section.label}</span>
                  <span className="mt-0.5 block text-xs text-slate-500">{section.summary}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
