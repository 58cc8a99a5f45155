import { SignOutButton } from "./sign-out-button";

/** Who is signed in, with what roles, and the way out. */
export function UserMenu({ name, email, roles }: { name: string; email: string; roles: readonly string[] }) {
  const initial = (name || email).trim().charAt(0).toUpperCase();
  return (
    <div className="flex items-center gap-3 border-t border-slate-200 px-5 py-4">
      <span aria-hidden="true" className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700">
        {initial}
      </span>
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm font-medium text-slate-900" title={email}>
          {name || email}
        </p>
        <p className="truncate text-xs text-slate-500">{roles.length ? roles.join(", ") : "No roles"}</p>
      </div>
      <SignOutButton />
    </div>
  );
}
