import type { Metadata } from "next";
import { ComingSoon } from "@/components/console/coming-soon";
import { requirePermission } from "@/lib/auth/session";
import { section } from "../sections";

export const metadata: Metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  await requirePermission("connections.view");
  const { label, summary } = section("/connections");
  return <ComingSoon title={label} summary={summary} />;
}
