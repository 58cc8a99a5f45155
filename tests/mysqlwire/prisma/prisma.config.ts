import { defineConfig } from "prisma/config";

// Only for generating the test's MySQL client (tests/mysqlwire/prisma.test.ts); the store's config is the root one.
export default defineConfig({ schema: "schema.prisma" });
