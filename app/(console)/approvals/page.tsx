import type { Metadata } from "next";
import { ComingSoon } from "@/components/console/coming-soon";
import { requirePermission } from "@/lib/auth/session";
import { section } from "../sections";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  await requirePermission("approvals.view");
  const { label, summary } = section("/approvals");
  return <ComingSoon title={label} summary={summary} />;
}
