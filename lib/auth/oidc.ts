import { z } from "zod";
import type { Store } from "../store/client";
import { isRole, type Role } from "./permissions";

// Sign-in for people through the organisation's OpenID provider (Keycloak, Okta, Entra ID, Google …).
// Configuration (all four AIRLOCK_OIDC_* names below, or none):
//
//   AIRLOCK_OIDC_ISSUER          https://id.example.com/realms/corp
//   AIRLOCK_OIDC_CLIENT_ID       airlock
//   AIRLOCK_OIDC_CLIENT_SECRET   …
//   AIRLOCK_OIDC_ROLES           db-admins=admin,oncall=approver,security=policy_author,compliance=auditor
//   AIRLOCK_OIDC_GROUPS_CLAIM    groups (default; dotted paths such as realm_access.roles work)
//   AIRLOCK_OIDC_LABEL           the button's text (default "Single sign-on")
//
// The provider's groups decide the roles at every sign-in: someone whose groups map to no role is refused, and
// a group removed at the provider removes the role at the next sign-in. Accounts are matched by the provider's
// subject, never by e-mail: an e-mail already used by another account refuses the sign-in instead of taking the
// account over.

export interface PeopleOidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly roles: ReadonlyMap<string, readonly Role[]>;
  readonly groupsClaim: string;
  readonly label: string;
}

export type RoleMapResult = { ok: true; roles: Map<string, Role[]> } | { ok: false; problem: string };

/** "group=role,group=role" → group → roles. A group may appear more than once to get several roles. */
export function parseRoleMap(text: string): RoleMapResult {
  const roles = new Map<string, Role[]>();
  for (const entry of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf("=");
    const group = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || group === "") return { ok: false, problem: `"${entry}" is not group=role` };
    if (!isRole(role)) return { ok: false, problem: `"${role}" is not a role (admin, approver, policy_author, auditor)` };
    const held = roles.get(group) ?? [];
    if (!held.includes(role)) held.push(role);
    roles.set(group, held);
  }
  if (roles.size === 0) return { ok: false, problem: "maps no group to a role" };
  return { ok: true, roles };
}

/** The people-OIDC settings, or null when sign-in through a provider is not configured. Throws on half a setup. */
export function peopleOidcConfig(env: Record<string, string | undefined> = process.env): PeopleOidcConfig | null {
  const value = (name: string) => env[name]?.trim() || undefined;
  const issuer = value("AIRLOCK_OIDC_ISSUER");
  if (!issuer) return null;
  const clientId = value("AIRLOCK_OIDC_CLIENT_ID");
  const clientSecret = value("AIRLOCK_OIDC_CLIENT_SECRET");
  const map = parseRoleMap(value("AIRLOCK_OIDC_ROLES") ?? "");
  if (!clientId || !clientSecret) throw new Error("AIRLOCK_OIDC_CLIENT_ID and AIRLOCK_OIDC_CLIENT_SECRET are required with AIRLOCK_OIDC_ISSUER");
  if (!map.ok) throw new Error(`AIRLOCK_OIDC_ROLES ${map.problem}`);
  return {
    issuer: issuer.replace(/\/$/, ""),
    clientId,
    clientSecret,
    roles: map.roles,
    groupsClaim: value("AIRLOCK_OIDC_GROUPS_CLAIM") ?? "groups",
    label: value("AIRLOCK_OIDC_LABEL") ?? "Single sign-on",
  };
}

/** The groups in a claim at a dotted path; a single string counts as one group. */
export function groupsFrom(claims: Record<string, unknown>, path: string): string[] {
  let value: unknown = claims;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return [];
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** The roles the groups grant, in a stable order. */
export function rolesFor(groups: readonly string[], map: ReadonlyMap<string, readonly Role[]>): Role[] {
  const roles = new Set<Role>();
  for (const group of groups) for (const role of map.get(group) ?? []) roles.add(role);
  return (["admin", "approver", "policy_author", "auditor"] as const).filter((role) => roles.has(role));
}

const profileSchema = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().trim().toLowerCase().pipe(z.email().max(320)),
  name: z.string().trim().max(200).optional(),
  preferred_username: z.string().trim().max(200).optional(),
});

/** Why a provider sign-in was refused; shown on the sign-in page as `?error=<code>`. */
export type OidcRefusal = "OidcProfile" | "OidcNoRole" | "OidcEmailTaken" | "OidcDisabled";

export type OidcSignIn = { ok: true; userId: string } | { ok: false; refusal: OidcRefusal };

/**
 * Creates or updates the account of someone the provider vouched for: matched by subject, roles from the
 * groups claim (replacing the stored roles), the groups themselves (a rule's approverGroups), last sign-in time. The refusals are in OidcRefusal.
 */
export async function signInWithOidc(db: Store, config: Pick<PeopleOidcConfig, "roles" | "groupsClaim">, claims: Record<string, unknown>, now = new Date()): Promise<OidcSignIn> {
  const profile = profileSchema.safeParse(claims);
  if (!profile.success) return { ok: false, refusal: "OidcProfile" };
  const { sub, email } = profile.data;
  const name = profile.data.name || profile.data.preferred_username || email;
  const groups = [...new Set(groupsFrom(claims, config.groupsClaim))].slice(0, 200);
  const roles = rolesFor(groups, config.roles);
  if (roles.length === 0) return { ok: false, refusal: "OidcNoRole" };

  return db.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { oidcSubject: sub }, select: { id: true, disabled: true } });
    const owner = await tx.user.findUnique({ where: { email }, select: { id: true } });
    if (owner && owner.id !== existing?.id) return { ok: false, refusal: "OidcEmailTaken" } as const;
    if (existing?.disabled) return { ok: false, refusal: "OidcDisabled" } as const;
    const user = existing
      ? await tx.user.update({ where: { id: existing.id }, data: { email, name, roles, groups, lastLoginAt: now }, select: { id: true } })
      : await tx.user.create({ data: { email, name, roles, groups, oidcSubject: sub, lastLoginAt: now }, select: { id: true } });
    return { ok: true, userId: user.id } as const;
  });
}

export const OIDC_REFUSALS: Record<OidcRefusal, string> = {
  OidcProfile: "The identity provider did not send a usable subject and e-mail address.",
  OidcNoRole: "Your groups at the identity provider give you no role in Airlock. Ask an Airlock admin.",
  OidcEmailTaken: "Another Airlock account already uses your e-mail address. Ask an Airlock admin to link them.",
  OidcDisabled: "Your Airlock account is disabled.",
};
