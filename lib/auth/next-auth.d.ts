import type { Role } from "./permissions";

declare module "next-auth" {
  interface User {
    id: string;
    email: string;
    name: string;
    roles: Role[];
  }
  interface Session {
    user: { id: string; email: string; name: string; roles: Role[] };
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    roles?: string[];
  }
}
