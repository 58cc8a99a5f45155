export { approvalBinding, type BindingInput } from "./binding";
export { decideApproval, type DecideErrorCode, type DecideInput, type DecideResult, type DecidedRequest } from "./decide";
export { expireApprovals, listPendingApprovals, type ListPendingOptions, type PendingApproval } from "./pending";
export { APPROVAL_CHANNEL, notifyApprovalChanged } from "./notify";
