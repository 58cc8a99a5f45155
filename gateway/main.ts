import http from "node:http";
import { readConfig } from "../lib/config/env";
import { createLogger, errorMessage } from "../lib/log";
import { store } from "../lib/store/client";

// The gateway worker. For now it serves its health endpoints; the enforcement pipeline and the HTTP, MCP,
// pgwire and mysqlwire front doors are built on top of it.

const result = readConfig();
if (!result.ok) {
  for (const problem of result.problems) process.stderr.write(`airlock gateway: ${problem}\n`);
  process.exit(1);
}
const config = result.config;
const log = createLogger("gateway", config.AIRLOCK_LOG_LEVEL);
const host = config.AIRLOCK_HOST;

async function storeReachable(): Promise<boolean> {
  try {
    await store().$queryRaw`SELECT 1`;
    return true;
  } catch (error) {
    log.warn("store.unreachable", { error: errorMessage(error) });
    return false;
  }
}

const server = http.createServer(async (request, response) => {
  const reply = (status: number, body: object) => {
    response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify(body));
  };
  const path = (request.url ?? "/").split("?")[0];
  if (request.method === "GET" && path === "/healthz") return reply(200, { status: "ok" });
  if (request.method === "GET" && path === "/readyz") {
    const ready = await storeReachable();
    return reply(ready ? 200 : 503, { status: ready ? "ready" : "not ready", store: ready ? "ok" : "unreachable" });
  }
  reply(404, { error: "not found" });
});

server.listen(config.AIRLOCK_GATEWAY_PORT, host, () => {
  log.info("gateway.listening", { host, port: config.AIRLOCK_GATEWAY_PORT });
});
server.on("error", (error) => {
  log.error("gateway.listen_failed", { error: errorMessage(error), port: config.AIRLOCK_GATEWAY_PORT });
  process.exit(1);
});

function shutdown(signal: string) {
  log.info("gateway.stopping", { signal });
  server.close(async () => {
    await store().$disconnect().catch(() => undefined);
    log.info("gateway.stopped");
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
