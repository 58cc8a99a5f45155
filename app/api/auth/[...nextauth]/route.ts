import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

// next-auth's own endpoints: csrf, credentials callback, session, sign-out. Everything else checks access through
// lib/auth/session.ts.
const handler = NextAuth(authOptions);

export { handler as GET, handler as POST };
