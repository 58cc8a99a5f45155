import { readConfig } from "../lib/config/env";
import { createLogger, errorMessage } from "../lib/log";
import { store } from "../lib/store/client";
import { Gateway } from "./gateway";
import { McpDoor } from "./mcp/server";
import { createHttpServer } from "./http/server";
import { readiness } from "./readiness";
import { PgWireServer } from "./pgwire/listener";
import { MysqlWireServer } from "./mysqlwire/listener";
import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// The gateway worker: the enforcement engine behind the agents' front doors (HTTP API and MCP for now).
// Started by `npm start`, or on its own with `tsx gateway/main.ts` and the same environment.

const result = readConfig();
if (!result.ok) {
  for (const problem of result.problems) process.stderr.write(`airlock gateway: ${problem}\n`);
  process.exit(1);
}
const config = result.config;
const log = createLogger("gateway", config.AIRLOCK_LOG_LEVEL);
if (!config.DATABASE_URL || !config.AIRLOCK_MASTER_KEY) {
  process.stderr.write("airlock gateway: DATABASE_URL and AIRLOCK_MASTER_KEY must be set (npm start sets them)\n");
  process.exit(1);
}

const gateway = new Gateway({
  store: store(),
  log,
  masterKey: Buffer.from(config.AIRLOCK_MASTER_KEY, "base64"),
  publicUrl: config.publicUrl,
  // The embedded store cannot deliver NOTIFY across connections: approvals are polled there.
  listenUrl: config.AIRLOCK_EMBEDDED_STORE ? undefined : config.DATABASE_URL,
  oidc: config.AIRLOCK_AGENT_OIDC_ISSUER
    ? {
        issuer: config.AIRLOCK_AGENT_OIDC_ISSUER,
        audience: config.AIRLOCK_AGENT_OIDC_AUDIENCE!,
        jwksUrl: config.AIRLOCK_AGENT_OIDC_JWKS_URL,
        groupsClaim: config.AIRLOCK_AGENT_OIDC_GROUPS_CLAIM,
        agentClaim: config.AIRLOCK_AGENT_OIDC_AGENT_CLAIM,
      }
    : undefined,
  maxSqlBytes: config.AIRLOCK_MAX_SQL_BYTES,
  slackApiUrl: config.AIRLOCK_SLACK_API_URL,
  recording:
    config.AIRLOCK_RECORDING_MODE === "strict"
      ? { mode: "strict" }
      : {
          mode: "journal",
          dir: path.resolve(config.AIRLOCK_JOURNAL_DIR ?? path.join(config.AIRLOCK_DATA_DIR, "journal", config.AIRLOCK_INSTANCE_ID ?? instanceName())),
          maxBytes: config.AIRLOCK_JOURNAL_MAX_BYTES,
          fsyncIntervalMs: config.AIRLOCK_JOURNAL_FSYNC_MS,
        },
});

/** The default instance id: the host's name, as far as it makes a directory name. */
function instanceName(): string {
  return os.hostname().replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "gateway";
}
const mcp = new McpDoor(gateway, log, { resultBytes: config.AIRLOCK_MCP_RESULT_BYTES, progressMs: config.AIRLOCK_MCP_PROGRESS_MS });
const server = createHttpServer({ gateway, mcp, log, ready: () => readiness(store(), gateway) });
const pgwire =
  config.AIRLOCK_PGWIRE_PORT === undefined
    ? null
    : new PgWireServer({
        gateway,
        log,
        maxSqlBytes: config.AIRLOCK_MAX_SQL_BYTES,
        scramMockSecret: createHmac("sha256", Buffer.from(config.AIRLOCK_MASTER_KEY, "base64")).update("airlock pgwire scram mock v1").digest(),
        tls:
          config.AIRLOCK_PGWIRE_TLS_CERT && config.AIRLOCK_PGWIRE_TLS_KEY
            ? { cert: fs.readFileSync(config.AIRLOCK_PGWIRE_TLS_CERT), key: fs.readFileSync(config.AIRLOCK_PGWIRE_TLS_KEY) }
            : undefined,
      });

const mysqlTls = (config.AIRLOCK_MYSQLWIRE_TLS_CERT && config.AIRLOCK_MYSQLWIRE_TLS_KEY
  ? { cert: config.AIRLOCK_MYSQLWIRE_TLS_CERT, key: config.AIRLOCK_MYSQLWIRE_TLS_KEY }
  : config.AIRLOCK_PGWIRE_TLS_CERT && config.AIRLOCK_PGWIRE_TLS_KEY
    ? { cert: config.AIRLOCK_PGWIRE_TLS_CERT, key: config.AIRLOCK_PGWIRE_TLS_KEY }
    : undefined);
const mysqlwire =
  config.AIRLOCK_MYSQLWIRE_PORT === undefined
    ? null
    : new MysqlWireServer({
        gateway,
        log,
        maxSqlBytes: config.AIRLOCK_MAX_SQL_BYTES,
        approvalWaitMs: config.AIRLOCK_MYSQLWIRE_APPROVAL_WAIT_SECONDS * 1000,
        tls: mysqlTls ? { cert: fs.readFileSync(mysqlTls.cert), key: fs.readFileSync(mysqlTls.key) } : undefined,
      });

async function main(): Promise<void> {
  await gateway.start();
  if (pgwire) {
    const host = config.AIRLOCK_PGWIRE_HOST ?? config.AIRLOCK_HOST;
    const port = await pgwire.listen(config.AIRLOCK_PGWIRE_PORT!, host).catch((error: unknown) => {
      log.error("pgwire.listen_failed", { error: errorMessage(error), port: config.AIRLOCK_PGWIRE_PORT });
      process.exit(1);
    });
    log.info("pgwire.listening", { host, port, tls: Boolean(config.AIRLOCK_PGWIRE_TLS_CERT) });
  }
  if (mysqlwire) {
    const host = config.AIRLOCK_MYSQLWIRE_HOST ?? config.AIRLOCK_HOST;
    const port = await mysqlwire.listen(config.AIRLOCK_MYSQLWIRE_PORT!, host).catch((error: unknown) => {
      log.error("mysqlwire.listen_failed", { error: errorMessage(error), port: config.AIRLOCK_MYSQLWIRE_PORT });
      process.exit(1);
    });
    log.info("mysqlwire.listening", { host, port, tls: Boolean(mysqlTls) });
  }
  server.listen(config.AIRLOCK_GATEWAY_PORT, config.AIRLOCK_HOST, () => {
    log.info("gateway.listening", { host: config.AIRLOCK_HOST, port: config.AIRLOCK_GATEWAY_PORT });
  });
}

server.on("error", (error) => {
  log.error("gateway.listen_failed", { error: errorMessage(error), port: config.AIRLOCK_GATEWAY_PORT });
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info("gateway.stopping", { signal });
  // Stop taking requests; in-flight statements finish (or fail cleanly) and their recordings are flushed.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), 10_000);
  await mcp.close();
  await pgwire?.close();
  await mysqlwire?.close();
  await closed;
  clearTimeout(grace);
  await gateway.stop().catch((error: unknown) => log.error("gateway.stop_failed", { error: errorMessage(error) }));
  await store().$disconnect().catch(() => undefined);
  log.info("gateway.stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

main().catch((error: unknown) => {
  log.error("gateway.start_failed", { error: errorMessage(error) });
  process.exit(1);
});
