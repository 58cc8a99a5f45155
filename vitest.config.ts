import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

// Three suites, run in this order by `npm test`:
//   unit         pure code, beside the file it tests (lib/**, gateway/**)
//   integration  tests/ — talk to the machine's PostgreSQL and MariaDB
//   e2e          e2e/   — drive Debian's Chromium against the started app
export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["lib/**/*.test.ts", "gateway/**/*.test.ts", "components/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "integration", include: ["tests/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
      },
      {
        extends: true,
        test: { name: "e2e", include: ["e2e/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 600_000, fileParallelism: false },
      },
    ],
  },
});
