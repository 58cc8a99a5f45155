import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Brand } from "@/components/brand";
import { SignInForm } from "@/components/auth/sign-in-form";
import { OIDC_REFUSALS, peopleOidcConfig, type OidcRefusal } from "@/lib/auth/oidc";
import { currentUser } from "@/lib/auth/session";
import { safeReturnPath } from "@/lib/auth/return-path";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const returnTo = safeReturnPath(params.callbackUrl);
  if (await currentUser()) redirect(returnTo);
  const provider = peopleOidcConfig()?.label;

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex justify-center">
          <Brand className="text-xl text-slate-900" />
        </div>
        <div className="rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
          <h1 className="text-lg font-semibold text-slate-900">Sign in to Airlock</h1>
          <p className="mt-1 text-sm text-slate-500">Approve statements, author policies and review what agents did.</p>
          <SignInForm returnTo={returnTo} provider={provider} initialError={signInError(params.error)} />
        </div>
        <p className="mt-6 text-center text-xs text-slate-400">Ask an Airlock admin if you need an account.</p>
      </div>
    </main>
  );
}

/** The message for next-auth's `?error=` code (ours from lib/auth/oidc.ts, or next-auth's own). */
function signInError(code: string | string[] | undefined): string | undefined {
  if (typeof code !== "string") return undefined;
  if (Object.hasOwn(OIDC_REFUSALS, code)) return OIDC_REFUSALS[code as OidcRefusal];
  if (code === "OAuthSignin" || code === "OAuthCallback") return "The identity provider could not be reached or refused the sign-in. Please try again.";
  return "Sign-in failed. Please try again.";
}
