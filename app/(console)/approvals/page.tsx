import type { Metadata } from "next";
import { ApprovalsTabs } from "@/components/approvals/approvals-tabs";
import { LiveInbox } from "@/components/approvals/live-inbox";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { section } from "../sections";
import { pendingApprovals } from "./queries";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  await requirePermission("approvals.view");
  const { label, summary } = section("/approvals");
  const now = new Date();
  const approvals = await pendingApprovals(store(), now);

  return (
    <div className="mx-auto max-w-5xl">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{label}</h1>
      <p className="mt-1 text-sm text-slate-500">{summary}</p>
      <ApprovalsTabs current="pending" />
      <LiveInbox initial={{ now: now.toISOString(), approvals }} />
    </div>
  );
}
