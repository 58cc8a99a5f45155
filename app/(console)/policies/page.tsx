import type { Metadata } from "next";
import { ComingSoon } from "@/components/console/coming-soon";
import { requirePermission } from "@/lib/auth/session";
import { section } from "../sections";

export const metadata: Metadata = { title: "Policies" };

export default async function PoliciesPage() {
  await requirePermission("policies.view");
  const { label, summary } = section("/policies");
  return <ComingSoon title={label} summary={summary} />;
}
