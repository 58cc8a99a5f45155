import { can, type Permission } from "@/lib/auth/permissions";

// The console's sections, in nav order. A section is listed for someone whose roles grant its permission; its page
// checks the same permission itself (requirePermission), since a hidden link is no protection.

export interface Section {
  readonly href: string;
  readonly label: string;
  readonly summary: string;
  /** Absent: every signed-in user. */
  readonly permission?: Permission;
}

export const SECTIONS: readonly Section[] = [
  { href: "/", label: "Home", summary: "What needs attention" },
  { href: "/approvals", label: "Approvals", summary: "Approve or reject statements agents are waiting on.", permission: "approvals.view" },
  { href: "/policies", label: "Policies", summary: "Blocking, approval and masking rules, with their history.", permission: "policies.view" },
  { href: "/connections", label: "Connections", summary: "The databases agents reach through Airlock, and who may reach them.", permission: "connections.view" },
  { href: "/agents", label: "Agents", summary: "Agents, their groups and their tokens.", permission: "agents.view" },
  { href: "/notifications", label: "Notifications", summary: "Slack channels and webhooks that announce approval requests, and their delivery log.", permission: "notifications.view" },
  { href: "/sessions", label: "Sessions", summary: "Replay what each agent session ran and what Airlock decided.", permission: "sessions.view" },
  { href: "/audit", label: "Audit", summary: "Every change people made in Airlock.", permission: "audit.view" },
  { href: "/people", label: "People", summary: "Who can sign in to Airlock, and their roles.", permission: "users.manage" },
];

export function sectionsFor(roles: readonly string[]): Section[] {
  return SECTIONS.filter((section) => !section.permission || can(roles, section.permission));
}

export function section(href: string): Section {
  const found = SECTIONS.find((candidate) => candidate.href === href);
  if (!found) throw new Error(`no console section at ${href}`);
  return found;
}
