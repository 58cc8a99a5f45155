import { agentRelation } from "@/lib/approvals/decide";
import { can, ROLE_LABELS, type Role } from "@/lib/auth/permissions";

// Why the person looking at a pending request gets no Approve/Reject buttons. The same rules, in the same order,
// as lib/approvals/decide.ts (which enforces them; this only explains them before anyone clicks): the permission to
// decide at all, one of the request's approver roles (and groups, when it names any), not the agent's owner, creator or identity (decide.ts's own
// `agentRelation`), one of the connection's named approvers when it names any, and one vote each.

export interface DecideContext {
  readonly approverRoles: readonly string[];
  /** When not empty, the viewer must be in one of these identity-provider groups. */
  readonly approverGroups: readonly string[];
  readonly approvals: number;
  readonly minApprovals: number;
  readonly agent: { readonly ownerId: string | null; readonly createdById: string | null; readonly name: string };
  /** The connection's named approvers (ids as stored); empty when anyone the roles allow may decide. */
  readonly connectionApproverIds: readonly string[];
  /** Their names, for the sentence (people since deleted are left out). */
  readonly connectionApproverNames: readonly string[];
  readonly votes: readonly { readonly user: { readonly id: string }; readonly verdict: "approve" | "reject" }[];
}

export interface Viewer {
  readonly id: string;
  readonly roles: readonly Role[];
  /** The identity provider's subject of the viewer's account; an agent named `oidc:<subject>` acts as them. */
  readonly oidcSubject: string | null;
  /** The viewer's identity-provider groups at their last sign-in. */
  readonly groups: readonly string[];
}

/** A sentence saying why this viewer may not decide the request, or null when they may. */
export function whyUserCannotDecide(request: DecideContext, viewer: Viewer): string | null {
  if (!can(viewer.roles, "approvals.decide")) return "You can see this request, but your roles don't include deciding approvals.";
  // As decide.ts: only a listed role that itself grants deciding counts (a policy naming `auditor` makes no approver).
  if (!request.approverRoles.some((role) => viewer.roles.includes(role as Role) && can([role], "approvals.decide"))) {
    const roles = request.approverRoles.map((role) => ROLE_LABELS[role as Role] ?? role).join(" or ");
    return `This request's policy asks ${roles || "nobody"} to decide it; your roles are not among them.`;
  }
  if (request.approverGroups.length > 0 && !request.approverGroups.some((group) => viewer.groups.includes(group))) {
    return `This request's policy asks people in ${request.approverGroups.join(" or ")} to decide it; you are in none of these groups (as of your last sign-in).`;
  }
  const relation = agentRelation(request.agent, viewer.id, viewer.oidcSubject);
  if (relation) return `${relation.charAt(0).toUpperCase()}${relation.slice(1)}, so another approver must decide it.`;
  const named = request.connectionApproverIds;
  if (named.length > 0 && !named.includes(viewer.id)) {
    const names = request.connectionApproverNames.length ? ` (${request.connectionApproverNames.join(", ")})` : "";
    return `Only this connection's named approvers${names} decide its requests, and you are not one of them.`;
  }
  const mine = request.votes.find((vote) => vote.user.id === viewer.id);
  if (mine) {
    if (mine.verdict === "reject") return "You rejected this request.";
    const more = Math.max(0, request.minApprovals - request.approvals);
    return more > 0
      ? `You approved this. It needs ${more} more ${more === 1 ? "approval" : "approvals"} from other approvers.`
      : "You approved this.";
  }
  return null;
}
