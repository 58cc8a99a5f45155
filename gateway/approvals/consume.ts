import { notifyApprovalChanged } from "../../lib/approvals/notify";
import type { Store } from "../../lib/store/client";

// Spending an approval: once, for exactly the statement it was granted for, before it expires.
//
// One atomic conditional UPDATE does the work, so two consumers racing cannot both win; only when it changes
// nothing is the row read again, to say why.

export type ConsumeErrorCode = "not_found" | "not_approved" | "rejected" | "expired" | "already_used" | "binding_mismatch";

export interface ConsumeInput {
  readonly requestId: string;
  /** approvalBinding(...) of the statement about to run. */
  readonly binding: string;
  readonly now: Date;
}

export type ConsumeResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: ConsumeErrorCode;
      /** The reviewer's reason, when the request was rejected. */
      readonly reason?: string;
    };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function consumeApproval(store: Store, input: ConsumeInput): Promise<ConsumeResult> {
  if (!UUID.test(input.requestId)) return { ok: false, code: "not_found" };
  const updated = await store.$executeRaw`
    UPDATE "ApprovalRequest" SET status = 'consumed', "consumedAt" = ${input.now}
     WHERE id = ${input.requestId}::uuid AND status = 'approved' AND "bindingHash" = ${input.binding} AND "expiresAt" > ${input.now}`;
  if (updated === 1) {
    await notifyApprovalChanged(store, [input.requestId]);
    return { ok: true };
  }

  const row = await store.approvalRequest.findUnique({
    where: { id: input.requestId },
    select: { status: true, bindingHash: true, expiresAt: true },
  });
  if (!row) return { ok: false, code: "not_found" };
  // A replay for another statement is reported as such whatever the state, so a probe learns nothing more.
  if (row.bindingHash !== input.binding) return { ok: false, code: "binding_mismatch" };
  switch (row.status) {
    case "consumed":
      return { ok: false, code: "already_used" };
    case "rejected":
      return { ok: false, code: "rejected", reason: await rejectionReason(store, input.requestId) };
    case "expired":
      return { ok: false, code: "expired" };
    case "pending":
      return row.expiresAt.getTime() <= input.now.getTime() ? { ok: false, code: "expired" } : { ok: false, code: "not_approved" };
    case "approved":
      // Approved and bound to this statement, so the update failed on the clock.
      return { ok: false, code: "expired" };
  }
}

async function rejectionReason(store: Store, requestId: string): Promise<string> {
  const rejection = await store.approvalDecision.findFirst({
    where: { requestId, verdict: "reject" },
    orderBy: { createdAt: "desc" },
    select: { reason: true },
  });
  return rejection?.reason ?? "";
}
