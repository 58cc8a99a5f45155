import { describe, expect, test } from "vitest";
import { whyUserCannotDecide, type DecideContext, type Viewer } from "./why-cannot-decide";

// The page's explanation follows lib/approvals/decide.ts's rules, in its order.

const ME = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";

const request: DecideContext = {
  approverRoles: ["approver", "admin"],
  approverGroups: [],
  approvals: 0,
  minApprovals: 1,
  agent: { ownerId: OTHER, createdById: OTHER, name: "claude-ci" },
  connectionApproverIds: [],
  connectionApproverNames: [],
  votes: [],
};
const me: Viewer = { id: ME, roles: ["approver"], oidcSubject: "idp|me", groups: ["staff"] };

describe("whyUserCannotDecide", () => {
  test("an approver with no tie to the agent may decide", () => {
    expect(whyUserCannotDecide(request, me)).toBeNull();
  });

  test("roles: no decide permission, then none of the request's approver roles", () => {
    expect(whyUserCannotDecide(request, { ...me, roles: ["auditor"] })).toMatch(/don't include deciding/);
    // An approver who is also an auditor, on a request whose policy lists only auditors: the auditor role decides nothing.
    expect(whyUserCannotDecide({ ...request, approverRoles: ["auditor"] }, { ...me, roles: ["auditor", "approver"] })).toMatch(/your roles are not among them/);
    expect(whyUserCannotDecide({ ...request, approverRoles: ["admin"] }, me)).toBe("This request's policy asks Admin to decide it; your roles are not among them.");
  });

  test("a request that names approver groups admits only their members", () => {
    expect(whyUserCannotDecide({ ...request, approverGroups: ["dba"] }, me)).toMatch(/people in dba to decide it; you are in none/);
    expect(whyUserCannotDecide({ ...request, approverGroups: ["dba", "staff"] }, me)).toBeNull();
  });

  test("the agent's owner, its creator and the person it acts as may not decide", () => {
    expect(whyUserCannotDecide({ ...request, agent: { ...request.agent, ownerId: ME } }, me)).toBe("You own the agent that made this request, so another approver must decide it.");
    expect(whyUserCannotDecide({ ...request, agent: { ...request.agent, createdById: ME } }, me)).toBe("You created the agent that made this request, so another approver must decide it.");
    expect(whyUserCannotDecide({ ...request, agent: { ...request.agent, name: "oidc:idp|me" } }, me)).toBe(
      "The agent that made this request acts with your identity, so another approver must decide it.",
    );
    // Another person's subject, or a viewer without one, is no tie.
    expect(whyUserCannotDecide({ ...request, agent: { ...request.agent, name: "oidc:idp|you" } }, me)).toBeNull();
    expect(whyUserCannotDecide({ ...request, agent: { ...request.agent, name: "oidc:" } }, { ...me, oidcSubject: null })).toBeNull();
  });

  test("a connection that names its approvers admits only them", () => {
    const named = { ...request, connectionApproverIds: [OTHER], connectionApproverNames: ["Grace"] };
    expect(whyUserCannotDecide(named, me)).toBe("Only this connection's named approvers (Grace) decide its requests, and you are not one of them.");
    expect(whyUserCannotDecide({ ...named, connectionApproverIds: [OTHER, ME] }, me)).toBeNull();
    // Named people since deleted still close the door; the sentence just has no names.
    expect(whyUserCannotDecide({ ...named, connectionApproverNames: [] }, me)).toBe("Only this connection's named approvers decide its requests, and you are not one of them.");
  });

  test("the owner check comes before the connection's list, as in decide.ts", () => {
    const both = { ...request, agent: { ...request.agent, ownerId: ME }, connectionApproverIds: [OTHER], connectionApproverNames: ["Grace"] };
    expect(whyUserCannotDecide(both, me)).toMatch(/^You own/);
  });

  test("one vote each: the two-person rule waits for someone else", () => {
    const voted = { ...request, minApprovals: 2, approvals: 1, votes: [{ user: { id: ME }, verdict: "approve" as const }] };
    expect(whyUserCannotDecide(voted, me)).toBe("You approved this. It needs 1 more approval from other approvers.");
    expect(whyUserCannotDecide({ ...voted, votes: [{ user: { id: OTHER }, verdict: "approve" as const }] }, me)).toBeNull();
  });
});
