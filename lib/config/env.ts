import { z } from "zod";
import { parseRoleMap } from "../auth/oidc";

// Every setting Airlock reads, validated once at start-up. `.env.example` lists the same variables.
// A problem is reported as one line naming the variable and what is wrong — never its value, which may be a secret.

const portNumber = z
  .string()
  .regex(/^\d{1,5}$/, "must be a port number")
  .transform(Number)
  .pipe(z.number().max(65535, "must be between 0 and 65535"));
const port = (fallback: number) => portNumber.default(fallback);

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
  } catch {
    return false;
  }
}, "must be a PostgreSQL URL such as postgresql://user:password@host:5432/airlock");

const base64Key = z
  .string()
  .refine((value) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === 32, {
    message: "must be 32 random bytes in base64 (generate one with: openssl rand -base64 32)",
  });

const flag = z
  .enum(["1", "0", "true", "false", "on", "off", "yes", "no"], { error: "must be on or off" })
  .transform((value) => ["1", "true", "on", "yes"].includes(value));

export const envSchema = z.object({
    DATABASE_URL: postgresUrl.optional(),
    AIRLOCK_DATA_DIR: z.string().min(1, "must not be empty").default(".airlock"),
    AIRLOCK_MASTER_KEY: base64Key.optional(),
    AIRLOCK_AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    AIRLOCK_HOST: z.string().regex(/^[A-Za-z0-9.:-]+$/, "must be a host name or IP address to listen on").default("127.0.0.1"),
    AIRLOCK_WEB_PORT: port(3000),
    AIRLOCK_GATEWAY_PORT: port(7070),
    /** The PostgreSQL front door (psql, drivers). Unset: off when the gateway runs alone; `npm start` uses 7432. */
    AIRLOCK_PGWIRE_PORT: portNumber.optional(),
    AIRLOCK_PGWIRE_HOST: z.string().regex(/^[A-Za-z0-9.:-]+$/, "must be a host name or IP address to listen on").optional(),
    /** PEM files for the PostgreSQL door's TLS; `npm start` generates a self-signed pair under the data directory. */
    AIRLOCK_PGWIRE_TLS_CERT: z.string().min(1).optional(),
    AIRLOCK_PGWIRE_TLS_KEY: z.string().min(1).optional(),
    /** The MySQL front door (mysql/mariadb clients, drivers). Unset: off. */
    AIRLOCK_MYSQLWIRE_PORT: portNumber.optional(),
    AIRLOCK_MYSQLWIRE_HOST: z.string().regex(/^[A-Za-z0-9.:-]+$/, "must be a host name or IP address to listen on").optional(),
    /** PEM files for the MySQL door's TLS; default: the PostgreSQL door's. */
    AIRLOCK_MYSQLWIRE_TLS_CERT: z.string().min(1).optional(),
    AIRLOCK_MYSQLWIRE_TLS_KEY: z.string().min(1).optional(),
    /** How long a MySQL-door statement that needs approval waits before the client is told to send it again. */
    AIRLOCK_MYSQLWIRE_APPROVAL_WAIT_SECONDS: z.coerce.number({ error: "must be a number of seconds" }).int().min(0).max(3600, "must be at most 3600").default(30),
    AIRLOCK_STORE_PORT: port(54329),
    AIRLOCK_DEMO_DB_PORT: port(54330),
    AIRLOCK_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    AIRLOCK_DEMO: flag.optional(),
    /** Most bytes of a result in one MCP tool answer (its text, and its rows as JSON); about 10k tokens by default. */
    AIRLOCK_MCP_RESULT_BYTES: z.coerce.number({ error: "must be a number of bytes" }).int().min(2048, "must be at least 2048").max(1024 * 1024, "must be at most 1 MiB").default(40_000),
    /** Milliseconds between MCP progress notifications while a statement waits for approval (at most 15 s). */
    AIRLOCK_MCP_PROGRESS_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(50, "must be at least 50").max(15_000, "must be at most 15000").default(10_000),
    AIRLOCK_MAX_SQL_BYTES: z.coerce.number({ error: "must be a number of bytes" }).int().min(1024, "must be at least 1024").max(16 * 1024 * 1024, "must be at most 16 MiB").default(1024 * 1024),
    AIRLOCK_AGENT_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "must be the issuer's http(s) URL" }).optional(),
    AIRLOCK_AGENT_OIDC_AUDIENCE: z.string().min(1).optional(),
    AIRLOCK_AGENT_OIDC_JWKS_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    AIRLOCK_AGENT_OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
    AIRLOCK_AGENT_OIDC_AGENT_CLAIM: z.string().min(1).default("sub"),
    AIRLOCK_OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "must be the identity provider's http(s) issuer URL" }).optional(),
    AIRLOCK_OIDC_CLIENT_ID: z.string().min(1).optional(),
    AIRLOCK_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    AIRLOCK_OIDC_ROLES: z
      .string()
      .superRefine((value, ctx) => {
        const map = parseRoleMap(value);
        if (!map.ok) ctx.addIssue({ code: "custom", message: `${map.problem} (expected group=role,group=role)` });
      })
      .optional(),
    AIRLOCK_OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
    AIRLOCK_OIDC_LABEL: z.string().min(1).max(60, "must be at most 60 characters").optional(),
    AIRLOCK_ADMIN_EMAIL: z.email("must be an e-mail address").optional(),
    AIRLOCK_ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
    /** Set by `npm start` for its children when the store is the embedded one. */
    AIRLOCK_EMBEDDED_STORE: flag.optional(),
    /** journal (default): recorded to a local journal before the target, shipped to the store; strict: stored first. */
    AIRLOCK_RECORDING_MODE: z.enum(["journal", "strict"], { error: "must be journal or strict" }).default("journal"),
    /** Names this gateway process among replicas: its journal is <data dir>/journal/<instance id>. */
    AIRLOCK_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, dots, dashes or underscores").optional(),
    AIRLOCK_JOURNAL_DIR: z.string().min(1).optional(),
    AIRLOCK_JOURNAL_MAX_BYTES: z.coerce.number({ error: "must be a number of bytes" }).int().min(65536, "must be at least 65536").default(1024 * 1024 * 1024),
    AIRLOCK_JOURNAL_FSYNC_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(0).max(1000, "must be at most 1000").default(5),
    /** The Slack Web API the notifier and the interaction route call (default https://slack.com/api; tests point it at a fake). */
    AIRLOCK_SLACK_API_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://slack.com/api" }).optional(),
    AIRLOCK_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], { error: "must be debug, info, warn or error" }).default("info"),
  });

export type Env = z.output<typeof envSchema>;

export interface AirlockConfig extends Env {
  /** No DATABASE_URL: the store is an embedded PostgreSQL under the data directory. */
  readonly embeddedStore: boolean;
  /** Seed and run the demo shop (default: on with the embedded store, off with a server store). */
  readonly demo: boolean;
  readonly publicUrl: string;
}

export type ConfigResult = { ok: true; config: AirlockConfig } | { ok: false; problems: string[] };

/** Reads the environment. Empty strings count as unset, so `FOO=` in a .env file does not break start-up. */
export function readConfig(environment: NodeJS.ProcessEnv = process.env): ConfigResult {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = environment[key];
    if (value !== undefined && value.trim() !== "") input[key] = value.trim();
  }
  const parsed = envSchema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0] ?? "environment")} ${issue.message}`);
  // A server store needs its secrets from the environment (only checked for a valid URL: a malformed one
  // is reported on its own line).
  if (input.DATABASE_URL && postgresUrl.safeParse(input.DATABASE_URL).success) {
    for (const name of ["AIRLOCK_MASTER_KEY", "AIRLOCK_AUTH_SECRET"]) {
      if (!input[name]) problems.push(`${name} is required when DATABASE_URL is set (generate one with: openssl rand -base64 32)`);
    }
  }
  if (Boolean(input.AIRLOCK_MYSQLWIRE_TLS_CERT) !== Boolean(input.AIRLOCK_MYSQLWIRE_TLS_KEY)) {
    problems.push("AIRLOCK_MYSQLWIRE_TLS_CERT and AIRLOCK_MYSQLWIRE_TLS_KEY go together: set both or neither");
  }
  if (Boolean(input.AIRLOCK_PGWIRE_TLS_CERT) !== Boolean(input.AIRLOCK_PGWIRE_TLS_KEY)) {
    problems.push("AIRLOCK_PGWIRE_TLS_CERT and AIRLOCK_PGWIRE_TLS_KEY go together: set both or neither");
  }
  if (input.AIRLOCK_AGENT_OIDC_ISSUER && !input.AIRLOCK_AGENT_OIDC_AUDIENCE) {
    problems.push("AIRLOCK_AGENT_OIDC_AUDIENCE is required when AIRLOCK_AGENT_OIDC_ISSUER is set (the audience Airlock's tokens carry)");
  }
  if (input.AIRLOCK_OIDC_ISSUER) {
    for (const name of ["AIRLOCK_OIDC_CLIENT_ID", "AIRLOCK_OIDC_CLIENT_SECRET", "AIRLOCK_OIDC_ROLES"]) {
      if (!input[name]) problems.push(`${name} is required when AIRLOCK_OIDC_ISSUER is set`);
    }
  }
  if (Boolean(input.AIRLOCK_ADMIN_EMAIL) !== Boolean(input.AIRLOCK_ADMIN_PASSWORD)) {
    problems.push("AIRLOCK_ADMIN_EMAIL and AIRLOCK_ADMIN_PASSWORD go together (the bootstrap admin)");
  }
  if (!parsed.success || problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  const env = parsed.data;
  const embeddedStore = !env.DATABASE_URL;
  return {
    ok: true,
    config: {
      ...env,
      embeddedStore,
      demo: env.AIRLOCK_DEMO ?? embeddedStore,
      publicUrl: (env.AIRLOCK_PUBLIC_URL ?? `http://localhost:${env.AIRLOCK_WEB_PORT}`).replace(/\/$/, ""),
    },
  };
}
