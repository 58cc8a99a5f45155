import type { Role } from "../store/generated/enums";

// The one table of who may do what in the dashboards. Pages, server actions and route handlers ask
// `can(user.roles, "…")` (through lib/auth/session.ts); nothing else decides access.

export type { Role };

export const PERMISSIONS = {
  "approvals.view": "See paused statements and their history",
  "approvals.decide": "Approve or reject a paused statement",
  "policies.view": "Read policies and their revisions",
  "policies.edit": "Create, change and disable policies",
  "policies.simulate": "Try statements against policies in the simulator",
  "connections.view": "See target databases (never their secrets)",
  "connections.edit": "Add and change target databases and grants",
  "agents.view": "See agents, their groups and tokens",
  "agents.edit": "Add, change and disable agents",
  "tokens.issue": "Issue and revoke agent tokens",
  "sessions.view": "Replay recorded agent sessions",
  "sessions.export": "Export recorded sessions",
  "notifications.view": "See notification channels (never their secrets) and the delivery log",
  "notifications.edit": "Add, change and delete notification channels",
  "audit.view": "Read the audit log",
  "users.manage": "Add people, assign roles, disable accounts",
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  approver: "Approver",
  policy_author: "Policy author",
  auditor: "Auditor",
};

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ALL_PERMISSIONS,
  approver: ["approvals.view", "approvals.decide", "sessions.view", "connections.view", "agents.view"],
  policy_author: ["policies.view", "policies.edit", "policies.simulate", "connections.view"],
  auditor: ["sessions.view", "sessions.export", "audit.view", "policies.view"],
};

const granted: ReadonlyMap<string, ReadonlySet<Permission>> = new Map(
  Object.entries(GRANTS).map(([role, permissions]) => [role, new Set(permissions)]),
);

/** Whether any of the roles grants the permission. Unknown role names grant nothing. */
export function can(roles: readonly string[], permission: Permission): boolean {
  return roles.some((role) => granted.get(role)?.has(permission) === true);
}

/** Every permission the roles grant together, in table order. */
export function permissionsOf(roles: readonly string[]): Permission[] {
  return ALL_PERMISSIONS.filter((permission) => can(roles, permission));
}

export function isRole(value: string): value is Role {
  return granted.has(value);
}
