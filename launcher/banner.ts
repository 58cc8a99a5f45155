import type { DemoCredentials } from "../demo/seed";

// What `npm start` prints once everything answers: where to go, how to sign in, what to paste.

export interface BannerInput {
  readonly dashboardUrl: string;
  readonly gatewayUrl: string;
  /** The PostgreSQL door. */
  readonly pgwire?: { readonly host: string; readonly port: number; readonly tls: boolean };
  readonly demo: DemoCredentials | null;
  readonly embeddedStore: boolean;
  readonly dataDir: string;
}

export function banner({ dashboardUrl, gatewayUrl, pgwire, demo, embeddedStore, dataDir }: BannerInput): string {
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
  if (pgwire) lines.push(`  PostgreSQL   ${pgwire.host}:${pgwire.port}   (psql and drivers; database = connection name, user = token prefix, password = agent token${pgwire.tls ? ", TLS or SCRAM" : ", SCRAM only (no TLS)"})`);
  if (demo) {
    const query = (sql: string) =>
      `    curl -s ${gatewayUrl}/v1/query -H "authorization: Bearer $AIRLOCK_TOKEN" -H 'content-type: application/json' \\\n` +
      `         -d '{"connection":"${demo.connectionName}","sql":"${sql}"}'`;
    lines.push(
      `  Agent token  ${demo.agentToken}`,
      `               agent "${demo.agentName}", granted the connection "${demo.connectionName}" (the demo shop)`,
      "",
      "  Try, through Airlock:",
      `    export AIRLOCK_TOKEN=${demo.agentToken}`,
      query("SELECT name, email, card_number, ssn FROM customers LIMIT 3"),
      "      → card numbers, SSNs and e-mail addresses come back masked",
      query("DROP TABLE orders"),
      "      → blocked, with the rule that blocked it",
      query("UPDATE orders SET total_cents = total_cents + 100 WHERE id = 1"),
      `      → waits for approval: approve it at ${dashboardUrl}, then GET ${gatewayUrl}/v1/approvals/<id>?wait=30`,
      ...(pgwire
        ? [
            "",
            "  psql, through Airlock (same policy, masking and recording; user = the token's prefix, TLS or SCRAM):",
            `    PGPASSWORD=$AIRLOCK_TOKEN psql "host=${pgwire.host} port=${pgwire.port} dbname=${demo.connectionName} user=${demo.agentToken.slice(0, 12)}"`,
          ]
        : []),
      "",
      "  Claude Code (MCP):",
      `    claude mcp add --transport http airlock ${gatewayUrl}/mcp --header "Authorization: Bearer ${demo.agentToken}"`,
    );
  }
  lines.push("", `  Store        ${embeddedStore ? `embedded PostgreSQL in ${dataDir}` : "PostgreSQL at DATABASE_URL"}`);
  lines.push("  Press Ctrl-C to stop.", "");
  return lines.join("\n");
}
