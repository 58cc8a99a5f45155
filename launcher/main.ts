import fs from "node:fs";
import path from "node:path";
import { readConfig } from "../lib/config/env";
import { deployMigrations } from "../lib/store/prisma-cli";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../lib/embedded/pglite-server";
import { errorMessage } from "../lib/log";
import { seedDemo, readDemoCredentials, type DemoCredentials } from "../demo/seed";
import { startDemoShop } from "../demo/target";
import { loadSecrets } from "./secrets";
import { lockDataDir } from "./instance-lock";
import { ensurePrismaClient, ensureWebBuild, root } from "./prepare";
import { startChild, stopChild, waitHealthy, type Child } from "./processes";
import { banner } from "./banner";
import { loadDotEnv } from "./dotenv";
import { DEFAULT_PGWIRE_PORT, ensureDemoCertificate, portFree } from "./pgwire";

// `npm start`: prepares what is missing (Prisma client, web build, store, migrations, demo), starts the
// gateway worker and the web app, prints where to go, and stops everything cleanly on Ctrl-C.

const say = (line: string) => process.stdout.write(`airlock: ${line}\n`);

loadDotEnv();
const result = readConfig();
if (!result.ok) {
  for (const problem of result.problems) process.stderr.write(`airlock: ${problem}\n`);
  process.exit(1);
}
const config = result.config;
const dataDir = path.resolve(root, config.AIRLOCK_DATA_DIR);
const host = config.AIRLOCK_HOST;

const servers: EmbeddedPostgres[] = [];
const children: Child[] = [];
let unlock: () => void = () => undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  await Promise.all(children.map((child) => stopChild(child)));
  for (const server of servers.reverse()) await server.stop().catch(() => undefined);
  unlock();
  if (code === 0) say("stopped.");
  process.exit(code);
}

process.on("SIGINT", () => void (say("stopping…"), stopAll(0)));
process.on("SIGTERM", () => void stopAll(0));

async function main(): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  unlock = lockDataDir(dataDir);
  const secrets = loadSecrets(config, dataDir);
  for (const file of secrets.generated) {
    say(`generated ${file} — fine for a try-out; production must set AIRLOCK_MASTER_KEY and AIRLOCK_AUTH_SECRET`);
  }

  if (await ensurePrismaClient()) say("generated the Prisma client");

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const storeServer = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "store"), port: config.AIRLOCK_STORE_PORT });
    servers.push(storeServer);
    databaseUrl = storeServer.url;
    say(`embedded store on 127.0.0.1:${storeServer.port} (data in ${path.join(dataDir, "store")})`);
  }
  say("applying migrations…");
  await deployMigrations(databaseUrl);

  let demo: DemoCredentials | null = null;
  if (config.demo) {
    const shop = await startDemoShop(dataDir, config.AIRLOCK_DEMO_DB_PORT);
    servers.push(shop);
    // Imported only now: on a fresh clone the Prisma client it needs was generated a few lines above.
    const { createStore } = await import("../lib/store/client");
    const store = createStore(databaseUrl, { maxConnections: 1 });
    try {
      demo = await seedDemo(store, dataDir, Buffer.from(secrets.masterKey, "base64"), {
        host: "127.0.0.1",
        port: shop.port,
        database: "postgres",
        username: "postgres",
        password: "postgres",
      });
    } finally {
      await store.$disconnect();
    }
    demo ??= readDemoCredentials(dataDir);
    say(`demo shop on 127.0.0.1:${shop.port}`);
  }

  // After the demo, which seeds only a store without people.
  if (config.AIRLOCK_ADMIN_EMAIL && config.AIRLOCK_ADMIN_PASSWORD) {
    const { createStore } = await import("../lib/store/client");
    const { ensureBootstrapAdmin } = await import("../lib/auth/bootstrap");
    const store = createStore(databaseUrl, { maxConnections: 1 });
    try {
      if ((await ensureBootstrapAdmin(store, config.AIRLOCK_ADMIN_EMAIL, config.AIRLOCK_ADMIN_PASSWORD)) === "created") {
        say(`created the admin ${config.AIRLOCK_ADMIN_EMAIL}`);
      }
    } finally {
      await store.$disconnect();
    }
  }

  if (await ensureWebBuild((line) => say(`building the web app: ${line}`))) say("built the web app");

  // The PostgreSQL door: on 7432 unless configured, with TLS (the token travels as its password; without TLS the door
  // asks for SCRAM-SHA-256, which only tokens issued with a verifier can answer). When the default
  // port is taken (another Airlock on this machine), the door stays off rather than stopping everything.
  const pgwirePort = config.AIRLOCK_PGWIRE_PORT ?? ((await portFree(DEFAULT_PGWIRE_PORT, config.AIRLOCK_PGWIRE_HOST ?? host)) ? DEFAULT_PGWIRE_PORT : null);
  if (pgwirePort === null) say(`port ${DEFAULT_PGWIRE_PORT} is in use: the PostgreSQL door is off (set AIRLOCK_PGWIRE_PORT to choose another)`);
  let pgwireTls: { cert: string; key: string } | null =
    config.AIRLOCK_PGWIRE_TLS_CERT && config.AIRLOCK_PGWIRE_TLS_KEY ? { cert: config.AIRLOCK_PGWIRE_TLS_CERT, key: config.AIRLOCK_PGWIRE_TLS_KEY } : null;
  if (!pgwireTls) {
    const pair = ensureDemoCertificate(dataDir);
    if (pair?.generated) say(`generated a self-signed certificate for the PostgreSQL door in ${path.dirname(pair.cert)}`);
    if (!pair) say("openssl is not installed: the PostgreSQL door runs without TLS (agent tokens by SCRAM-SHA-256 only; no identity-provider JWTs)");
    pgwireTls = pair;
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    AIRLOCK_MASTER_KEY: secrets.masterKey,
    AIRLOCK_AUTH_SECRET: secrets.authSecret,
    AIRLOCK_PUBLIC_URL: config.publicUrl,
    NEXTAUTH_SECRET: secrets.authSecret,
    NEXTAUTH_URL: config.publicUrl,
    ...(config.embeddedStore ? { AIRLOCK_EMBEDDED_STORE: "1" } : {}),
    ...(pgwirePort !== null ? { AIRLOCK_PGWIRE_PORT: String(pgwirePort) } : {}),
    ...(pgwireTls ? { AIRLOCK_PGWIRE_TLS_CERT: pgwireTls.cert, AIRLOCK_PGWIRE_TLS_KEY: pgwireTls.key } : {}),
  };
  const gatewayUrl = `http://${host}:${config.AIRLOCK_GATEWAY_PORT}`;
  const webUrl = `http://${host}:${config.AIRLOCK_WEB_PORT}`;
  // `node --import tsx`, so the child we hold (and may SIGKILL) is the gateway itself, not a tsx wrapper.
  const gateway = startChild("gateway", process.execPath, ["--import", "tsx", path.join(root, "gateway", "main.ts")], env, root);
  const web = startChild("web", path.join(root, "node_modules", ".bin", "next"), ["start", "-p", String(config.AIRLOCK_WEB_PORT), "-H", host], env, root);
  children.push(gateway, web);
  for (const child of children) {
    void child.exited.then((code) => {
      if (!stopping) {
        process.stderr.write(`airlock: the ${child.name} exited unexpectedly (code ${code}); stopping\n`);
        void stopAll(1);
      }
    });
  }
  await Promise.all([waitHealthy(gateway, `${gatewayUrl}/healthz`, 60_000), waitHealthy(web, `${webUrl}/api/health`, 120_000)]);

  const pgwireHost = config.AIRLOCK_PGWIRE_HOST ?? host;
  process.stdout.write(
    banner({
      dashboardUrl: config.publicUrl,
      gatewayUrl,
      pgwire: pgwirePort === null ? undefined : { host: pgwireHost, port: pgwirePort, tls: pgwireTls !== null },
      demo,
      embeddedStore: config.embeddedStore,
      dataDir,
    }),
  );
  say("ready");
}

main().catch(async (error: unknown) => {
  if (stopping) return;
  process.stderr.write(`airlock: ${errorMessage(error)}\n`);
  await stopAll(1);
});

