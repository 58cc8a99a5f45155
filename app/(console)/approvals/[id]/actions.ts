"use server";

import { revalidatePath } from "next/cache";
import { forbidden } from "next/navigation";
import { decisionFromForm, decisionSchema, firstFieldErrors, type DecisionState } from "@/components/approvals/decision-schema";
import { decideApproval, type DecideErrorCode } from "@/lib/approvals/decide";
import { can } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/session";
import { store } from "@/lib/store/client";

// Approve or reject a paused statement. Checks approvals.decide itself (a hidden button is no protection: anyone
// can post to a server action): someone signed out gets an error to act on, someone without the permission a 403.
// Then the shared schema, then decideApproval, which enforces the request's own rules (approver roles, not your
// own agent, expiry, one vote each) inside its transaction.

const REFUSALS: Record<DecideErrorCode, string> = {
  not_found: "This approval request does not exist (any more).",
  not_pending: "Someone already decided this request.",
  expired: "This request expired before it was decided. The agent has to send the statement again.",
  forbidden_role: "This request's policy does not list any of your roles as approvers.",
  forbidden_group: "This request's policy asks people of certain identity-provider groups to decide it, and you are in none of them.",
  own_agent: "You own, created or act as this agent, so someone else must approve its statements.",
  not_connection_approver: "This connection's requests are decided only by its named approvers, and you are not one of them.",
  already_decided: "You have already voted on this request.",
  reason_required: "Say why you are rejecting it: the agent is shown this reason.",
  user_disabled: "Your account is disabled.",
};

export async function decideAction(_previous: DecisionState, form: FormData): Promise<DecisionState> {
  const user = await currentUser();
  if (!user) return { status: "error", message: "Your session has ended. Sign in again, then decide." };
  if (!can(user.roles, "approvals.decide")) forbidden();

  const parsed = decisionSchema.safeParse(decisionFromForm(form));
  if (!parsed.success) return { status: "error", fieldErrors: firstFieldErrors(parsed.error) };
  const { requestId, verdict, reason } = parsed.data;

  const result = await decideApproval(store(), { requestId, userId: user.id, verdict, reason });
  revalidatePath("/approvals", "layout");
  revalidatePath("/");
  if (!result.ok) {
    if (result.code === "reason_required") return { status: "error", fieldErrors: { reason: REFUSALS.reason_required } };
    return { status: "error", message: REFUSALS[result.code] };
  }

  const { status, approvals, minApprovals } = result.request;
  if (status === "rejected") return { status: "done", message: "Rejected. The agent is told your reason." };
  if (status === "approved") return { status: "done", message: "Approved. The statement runs once, when the agent collects it." };
  const more = minApprovals - approvals;
  return { status: "done", message: `Your approval is recorded. It needs ${more} more ${more === 1 ? "approval" : "approvals"}.` };
}
