export { createApprovalRequest, type CreateApprovalInput, type CreatedApproval } from "./create";
export { consumeApproval, type ConsumeErrorCode, type ConsumeInput, type ConsumeResult } from "./consume";
export { ApprovalWaiter, type ApprovalWaiterOptions, type WaitOptions, type WaitStatus } from "./waiter";
