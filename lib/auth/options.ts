import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { store } from "../store/client";
import { checkCredentials } from "./credentials";
import { isRole } from "./permissions";

// next-auth v4: e-mail + password, sessions in a signed and encrypted JWT cookie. The token carries the user id
// and the roles read at sign-in; lib/auth/session.ts re-reads the user from the store on every request, so a
// disabled account or a changed role takes effect at once.

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
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
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
