import type { NextAuthOptions } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import CredentialsProvider from "next-auth/providers/credentials";
import { store } from "../store/client";
import { checkCredentials } from "./credentials";
import { peopleOidcConfig, signInWithOidc, type PeopleOidcConfig } from "./oidc";
import { isRole } from "./permissions";

// next-auth v4: e-mail + password, and the organisation's OpenID provider when configured (lib/auth/oidc.ts);
// sessions in a signed and encrypted JWT cookie. The token carries the user id and the roles read at sign-in;
// lib/auth/session.ts re-reads the user from the store on every request, so a disabled account or a changed role
// takes effect at once.

export const OIDC_PROVIDER_ID = "oidc";

const oidc = peopleOidcConfig();

function oidcProvider(config: PeopleOidcConfig): OAuthConfig<Record<string, unknown>> {
  return {
    id: OIDC_PROVIDER_ID,
    name: config.label,
    type: "oauth",
    wellKnown: `${config.issuer}/.well-known/openid-configuration`,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authorization: { params: { scope: "openid email profile groups" } },
    checks: ["pkce", "state", "nonce"],
    idToken: true,
    // Only the subject leaves here; signIn below reads the claims and decides the account and its roles.
    profile: (profile) => ({ id: String(profile.sub), email: "", name: "", roles: [] }),
  };
}

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60; // a working day

export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET ?? process.env.AIRLOCK_AUTH_SECRET,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      authorize: (credentials) => checkCredentials(store(), credentials),
    }),
    ...(oidc ? [oidcProvider(oidc)] : []),
  ],
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.provider !== OIDC_PROVIDER_ID) return true;
      if (!oidc || !profile) return "/signin?error=OidcProfile";
      const result = await signInWithOidc(store(), oidc, profile as Record<string, unknown>);
      return result.ok ? true : `/signin?error=${result.refusal}`;
    },
    async jwt({ token, user, account }) {
      if (account?.provider === OIDC_PROVIDER_ID) {
        const signedIn = await store().user.findUnique({
          where: { oidcSubject: account.providerAccountId },
          select: { id: true, email: true, name: true, roles: true },
        });
        if (!signedIn) throw new Error("the OIDC account vanished during sign-in");
        token.sub = signedIn.id;
        token.email = signedIn.email;
        token.name = signedIn.name;
        token.roles = signedIn.roles;
      } else if (user) {
        token.sub = user.id;
        token.email = user.email;
        token.name = user.name;
        token.roles = user.roles;
      }
      return token;
    },
    session({ session, token }) {
      session.user = {
        id: token.sub ?? "",
        email: token.email ?? "",
        name: token.name ?? "",
        roles: (token.roles ?? []).filter(isRole),
      };
      return session;
    },
  },
};
