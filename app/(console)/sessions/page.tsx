import type { Metadata } from "next";
import { ComingSoon } from "@/components/console/coming-soon";
import { requirePermission } from "@/lib/auth/session";
import { section } from "../sections";

export const metadata: Metadata = { title: "Sessions" };

export default async function SessionsPage() {
  await requirePermission("sessions.view");
  const { label, summary } = section("/sessions");
  return <ComingSoon title={label} summary={summary} />;
}
