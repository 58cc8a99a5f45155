import { cache } from "react";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { z } from "zod";
import { store } from "../store/client";
import { authOptions } from "./options";
import { can, type Permission, type Role } from "./permissions";
import { REQUEST_PATH_HEADER, signInPath } from "./return-path";

// The only way server code learns who is asking. Server-side only (reads request cookies and the store).
//
//   page / layout / server action:  const user = await requirePermission("approvals.decide");
//   route handler:                  const user = await guardRoute("sessions.export");
//                                   if (user instanceof Response) return user;
//
// The session cookie says who signed in; the store says whether they still may: every call re-reads the
// user (once per request), so a disabled account or a removed role loses access immediately.

export interface CurrentUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly Role[];
}

const userId = z.uuid();

/** The signed-in, enabled user, or null. Memoised for the duration of one request. */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions);
  const id = userId.safeParse(session?.user?.id);
  if (!id.success) return null;
  const user = await store().user.findUnique({
    where: { id: id.data },
    select: { id: true, email: true, name: true, roles: true, disabled: true },
  });
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, roles: user.roles };
});

/** The signed-in user; otherwise redirects to the sign-in page (which brings them back here afterwards). */
export async function requireUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect(signInPath((await headers()).get(REQUEST_PATH_HEADER)));
  return user;
}

/** The signed-in user when their roles grant the permission; otherwise the sign-in page or the 403 page. */
export async function requirePermission(permission: Permission): Promise<CurrentUser> {
  const user = await requireUser();
  if (!can(user.roles, permission)) forbidden();
  return user;
}

/** For route handlers: the user, or a problem+json 401/403 response to return as it is. */
export async function guardRoute(permission: Permission): Promise<CurrentUser | Response> {
  const user = await currentUser();
  if (!user) return problem(401, "Sign in required", "Sign in to Airlock to use this endpoint.");
  if (!can(user.roles, permission)) return problem(403, "Forbidden", `Your roles do not grant ${permission}.`);
  return user;
}

function problem(status: number, title: string, detail: string): Response {
  return Response.json(
    { type: "about:blank", title, status, detail },
    { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } },
  );
}
