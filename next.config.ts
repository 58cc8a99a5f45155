import type { NextConfig } from "next";

const isDev = process.env.NODE_ENV === "development";

// Next.js inlines small bootstrap scripts and style tags, so script/style need 'unsafe-inline' without nonces.
// Everything else is same-origin only; the dashboard is never framed and never posts anywhere else.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The web build type-checks the web app and what it imports, not the gateway or the tests
  // (`npm run typecheck` checks the whole tree).
  typescript: { tsconfigPath: "tsconfig.web.json" },
  // Loaded by Node at run time rather than bundled: native addons (argon2, libpg-query), the pg driver, and
  // Prisma's runtime, whose query compiler is WebAssembly it loads itself.
  serverExternalPackages: ["@prisma/client", "@prisma/adapter-pg", "pg", "mysql2", "@node-rs/argon2", "libpg-query", "node-sql-parser"],
  experimental: {
    // forbidden() → the 403 page (lib/auth/session.ts requirePermission).
    authInterrupts: true,
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
