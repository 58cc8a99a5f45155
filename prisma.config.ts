import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

// The Prisma CLI runs offline: its schema engine is WebAssembly driven through the pg adapter ("js" engine),
// so no native engine is downloaded. DATABASE_URL is set by `npm run db:migrate` (scripts/prisma.ts), which
// points it at the configured store or the embedded one.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: run Prisma through `npm run db:migrate` or set it");
    // One connection: PGlite serves connections one at a time, and migrations need no more.
    return new PrismaPg({ connectionString: url, max: 1, allowExitOnIdle: true });
  },
});
