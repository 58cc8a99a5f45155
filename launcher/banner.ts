import type { DemoCredentials } from "../demo/seed";

// What `npm start` prints once everything answers: where to go, how to sign in, what to paste.

export interface BannerInput {
  readonly dashboardUrl: string;
  readonly gatewayUrl: string;
  readonly demo: DemoCredentials | null;
  readonly embeddedStore: boolean;
  readonly dataDir: string;
}

export function banner({ dashboardUrl, gatewayUrl, demo, embeddedStore, dataDir }: BannerInput): string {
  const lines = [
    "",
    "  Airlock is running.",
    "",
    `  Dashboard    ${dashboardUrl}`,
  ];
  if (demo) {
    const [admin, ...others] = demo.users;
    lines.push(`               sign in as ${admin?.email} with password ${demo.dashboardPassword}`);
    lines.push(`               (same password: ${others.map((user) => `${user.email} [${user.roles.join(", ")}]`).join(", ")})`);
  }
  lines.push(`  Gateway      ${gatewayUrl}   (health: ${gatewayUrl}/healthz, readiness: ${gatewayUrl}/readyz)`);
  if (demo) {
    lines.push(
      `  Agent token  ${demo.agentToken}`,
      `               agent "${demo.agentName}", granted the connection "${demo.connectionName}" (the demo shop)`,
      "",
      "  Try:",
      `    curl -s ${gatewayUrl}/readyz`,
      `    export AIRLOCK_TOKEN=${demo.agentToken}`,
      "",
      "  The demo shop is reached only through Airlock; its query front doors (HTTP, MCP, psql) come with the",
      "  gateway. Card numbers and SSNs are masked, DROP/TRUNCATE blocked, UPDATE/DELETE wait for approval.",
    );
  }
  lines.push("", `  Store        ${embeddedStore ? `embedded PostgreSQL in ${dataDir}` : "PostgreSQL at DATABASE_URL"}`);
  lines.push("  Press Ctrl-C to stop.", "");
  return lines.join("\n");
}
