import type { Metadata } from "next";
import { ComingSoon } from "@/components/console/coming-soon";
import { requirePermission } from "@/lib/auth/session";
import { section } from "../sections";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  await requirePermission("agents.view");
  const { label, summary } = section("/agents");
  return <ComingSoon title={label} summary={summary} />;
}
