import type { Metadata } from "next";
import { ComingSoon } from "@/components/console/coming-soon";
import { requirePermission } from "@/lib/auth/session";
import { section } from "../sections";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage() {
  await requirePermission("audit.view");
  const { label, summary } = section("/audit");
  return <ComingSoon title={label} summary={summary} />;
}
