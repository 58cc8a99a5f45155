import { pendingApprovals } from "@/app/(console)/approvals/queries";
import type { PendingResponse } from "@/components/approvals/view";
import { guardRoute } from "@/lib/auth/session";
import { store } from "@/lib/store/client";

// GET /api/approvals/pending — the inbox's live feed: pending requests, newest first, display fields only.
// The inbox page polls it every couple of seconds; it checks approvals.view itself (401/403 problem+json).

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const user = await guardRoute("approvals.view");
  if (user instanceof Response) return user;
  const now = new Date();
  const body: PendingResponse = { now: now.toISOString(), approvals: await pendingApprovals(store(), now) };
  return Response.json(body, { headers: { "cache-control": "no-store" } });
}
