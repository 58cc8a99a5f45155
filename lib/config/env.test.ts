import { describe, expect, it } from "vitest";
import { envSchema, readConfig, type AirlockConfig } from "./env";

const KEY = Buffer.alloc(32, 7).toString("base64");
const AUTH_SECRET = "a".repeat(32);
const SERVER_STORE = { DATABASE_URL: "postgresql://airlock:pw@db.internal:5432/airlock", AIRLOCK_MASTER_KEY: KEY, AIRLOCK_AUTH_SECRET: AUTH_SECRET };

/** Variables as a test writes them (ProcessEnv itself requires NODE_ENV under Next.js's types). */
type Vars = Record<string, string | undefined>;

function config(env: Vars): AirlockConfig {
  const result = readConfig(env as NodeJS.ProcessEnv);
  if (!result.ok) throw new Error(`expected a valid configuration, got: ${result.problems.join("; ")}`);
  return result.config;
}

function problems(env: Vars): string[] {
  const result = readConfig(env as NodeJS.ProcessEnv);
  if (result.ok) throw new Error("expected configuration problems, got a valid configuration");
  return result.problems;
}

describe("readConfig", () => {
  it("runs with nothing set: embedded store, demo on, default ports", () => {
    const c = config({});
    expect(c).toMatchObject({
      embeddedStore: true,
      demo: true,
      AIRLOCK_DATA_DIR: ".airlock",
      AIRLOCK_WEB_PORT: 3000,
      AIRLOCK_GATEWAY_PORT: 7070,
      AIRLOCK_STORE_PORT: 54329,
      AIRLOCK_DEMO_DB_PORT: 54330,
      AIRLOCK_LOG_LEVEL: "info",
      publicUrl: "http://localhost:3000",
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.AIRLOCK_MASTER_KEY).toBeUndefined();
    expect(c.AIRLOCK_AUTH_SECRET).toBeUndefined();
  });

  it("reads a server store with its secrets; demo is off unless asked for", () => {
    const c = config(SERVER_STORE);
    expect(c).toMatchObject({ embeddedStore: false, demo: false, DATABASE_URL: SERVER_STORE.DATABASE_URL, AIRLOCK_MASTER_KEY: KEY });
    expect(config({ ...SERVER_STORE, AIRLOCK_DEMO: "on" }).demo).toBe(true);
    expect(config({ AIRLOCK_DEMO: "0" }).demo).toBe(false);
    expect(config({ DATABASE_URL: "postgres://h/db", AIRLOCK_MASTER_KEY: KEY, AIRLOCK_AUTH_SECRET: AUTH_SECRET }).embeddedStore).toBe(false);
  });

  it("derives the public URL from the web port, and drops a trailing slash from a given one", () => {
    expect(config({ AIRLOCK_WEB_PORT: "8080" }).publicUrl).toBe("http://localhost:8080");
    expect(config({ AIRLOCK_PUBLIC_URL: "https://airlock.example.com/" }).publicUrl).toBe("https://airlock.example.com");
  });

  it("accepts only http(s) public URLs", () => {
    for (const url of ["javascript:alert(1)", "ftp://files.example.com", "not a url"]) {
      expect(problems({ AIRLOCK_PUBLIC_URL: url })).toEqual(["AIRLOCK_PUBLIC_URL must be an http(s) URL"]);
    }
  });

  it("reports a malformed DATABASE_URL as exactly one line naming it", () => {
    const found = problems({ DATABASE_URL: "nonsense" });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^DATABASE_URL /);
    // Also a URL of another engine, and one with no host.
    expect(problems({ DATABASE_URL: "mysql://root@db/airlock", AIRLOCK_MASTER_KEY: KEY, AIRLOCK_AUTH_SECRET: AUTH_SECRET })).toEqual([found[0]]);
    expect(problems({ DATABASE_URL: "postgresql:///airlock", AIRLOCK_MASTER_KEY: KEY, AIRLOCK_AUTH_SECRET: AUTH_SECRET })).toEqual([found[0]]);
  });

  it("requires the master key and the auth secret with a server store", () => {
    const found = problems({ DATABASE_URL: SERVER_STORE.DATABASE_URL });
    expect(found).toHaveLength(2);
    expect(found.some((p) => p.startsWith("AIRLOCK_MASTER_KEY ") && p.includes("required"))).toBe(true);
    expect(found.some((p) => p.startsWith("AIRLOCK_AUTH_SECRET ") && p.includes("required"))).toBe(true);
    expect(problems({ DATABASE_URL: SERVER_STORE.DATABASE_URL, AIRLOCK_MASTER_KEY: KEY })).toEqual([
      expect.stringMatching(/^AIRLOCK_AUTH_SECRET .*required/),
    ]);
    expect(problems({ DATABASE_URL: SERVER_STORE.DATABASE_URL, AIRLOCK_AUTH_SECRET: AUTH_SECRET })).toEqual([
      expect.stringMatching(/^AIRLOCK_MASTER_KEY .*required/),
    ]);
  });

  it("reports a missing secret even when another variable is also wrong", () => {
    const found = problems({ DATABASE_URL: SERVER_STORE.DATABASE_URL, AIRLOCK_AUTH_SECRET: AUTH_SECRET, AIRLOCK_WEB_PORT: "http" });
    expect(found.map((p) => p.split(" ")[0]).sort()).toEqual(["AIRLOCK_MASTER_KEY", "AIRLOCK_WEB_PORT"]);
  });

  it("checks master keys: 32 bytes of base64 or base64url", () => {
    expect(config({ AIRLOCK_MASTER_KEY: Buffer.alloc(32, 0xfb).toString("base64") }).AIRLOCK_MASTER_KEY).toBeDefined();
    expect(config({ AIRLOCK_MASTER_KEY: Buffer.alloc(32, 0xfb).toString("base64url") }).AIRLOCK_MASTER_KEY).toBeDefined();
    for (const bad of [Buffer.alloc(31).toString("base64"), Buffer.alloc(33).toString("base64"), "not base64 at all!", "x"]) {
      expect(problems({ AIRLOCK_MASTER_KEY: bad })).toEqual([expect.stringMatching(/^AIRLOCK_MASTER_KEY must be 32 random bytes/)]);
    }
    expect(problems({ AIRLOCK_AUTH_SECRET: "short" })).toEqual(["AIRLOCK_AUTH_SECRET must be at least 32 characters"]);
  });

  it("reports each bad port on its own line naming the variable", () => {
    const found = problems({ AIRLOCK_WEB_PORT: "http", AIRLOCK_GATEWAY_PORT: "70000", AIRLOCK_STORE_PORT: "54.5", AIRLOCK_DEMO_DB_PORT: "-1" });
    expect(found).toHaveLength(4);
    expect(problems({ AIRLOCK_WEB_PORT: "0x1F90", AIRLOCK_GATEWAY_PORT: "1e3" })).toEqual([
      "AIRLOCK_WEB_PORT must be a port number",
      "AIRLOCK_GATEWAY_PORT must be a port number",
    ]);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AIRLOCK_WEB_PORT must be a port number$/),
        expect.stringMatching(/^AIRLOCK_GATEWAY_PORT must be between 0 and 65535$/),
        expect.stringMatching(/^AIRLOCK_STORE_PORT must be a port number$/),
        expect.stringMatching(/^AIRLOCK_DEMO_DB_PORT must be a port number$/),
      ]),
    );
    expect(config({ AIRLOCK_GATEWAY_PORT: "65535", AIRLOCK_WEB_PORT: " 8080 " })).toMatchObject({ AIRLOCK_GATEWAY_PORT: 65535, AIRLOCK_WEB_PORT: 8080 });
  });

  it("rejects unknown flag and log-level values", () => {
    expect(problems({ AIRLOCK_DEMO: "maybe" })).toEqual(["AIRLOCK_DEMO must be on or off"]);
    expect(problems({ AIRLOCK_LOG_LEVEL: "verbose" })).toEqual(["AIRLOCK_LOG_LEVEL must be debug, info, warn or error"]);
    expect(config({ AIRLOCK_LOG_LEVEL: "debug" }).AIRLOCK_LOG_LEVEL).toBe("debug");
  });

  it("counts empty and blank strings as unset", () => {
    const blank: Vars = {};
    for (const key of Object.keys(envSchema.shape)) blank[key] = key.length % 2 ? "" : "   ";
    expect(config(blank)).toEqual(config({}));
    // An empty DATABASE_URL means the embedded store, so no secrets are required.
    expect(config({ DATABASE_URL: "", AIRLOCK_MASTER_KEY: "" }).embeddedStore).toBe(true);
  });

  it("ignores variables it does not know", () => {
    expect(config({ PATH: "/usr/bin", AIRLOCK_UNKNOWN: "x" })).toEqual(config({}));
  });

  it("never puts a variable's value in a problem", () => {
    const marker = "Hunter2Secret";
    const bad: Vars = {
      DATABASE_URL: `mysql://admin:${marker}@db.internal/prod`,
      AIRLOCK_MASTER_KEY: marker,
      AIRLOCK_AUTH_SECRET: marker,
      AIRLOCK_HOST: `${marker} !`,
      AIRLOCK_WEB_PORT: marker,
      AIRLOCK_GATEWAY_PORT: `1${marker}`,
      AIRLOCK_STORE_PORT: `${marker}9`,
      AIRLOCK_DEMO_DB_PORT: `-${marker}`,
      AIRLOCK_PUBLIC_URL: `ftp://u:${marker}@x`,
      AIRLOCK_DEMO: marker,
      AIRLOCK_LOG_LEVEL: marker,
    };
    const found = problems(bad);
    // Every variable set wrong is reported…
    for (const key of Object.keys(bad)) expect(found.some((p) => p.startsWith(`${key} `)), key).toBe(true);
    // …and none of them with its value (in any case).
    for (const problem of found) expect(problem.toLowerCase()).not.toContain(marker.toLowerCase());
    // A bad PostgreSQL-looking URL's password stays out too.
    const withPassword = problems({ DATABASE_URL: `postgresql://admin:${marker}@` });
    expect(withPassword).toHaveLength(1);
    expect(withPassword[0]).not.toContain(marker);
  });
});

describe("sign-in settings for people", () => {
  it("an OIDC issuer needs its client and a role map, each named on its own line", () => {
    expect(problems({ AIRLOCK_OIDC_ISSUER: "https://id.example.com" })).toEqual([
      "AIRLOCK_OIDC_CLIENT_ID is required when AIRLOCK_OIDC_ISSUER is set",
      "AIRLOCK_OIDC_CLIENT_SECRET is required when AIRLOCK_OIDC_ISSUER is set",
      "AIRLOCK_OIDC_ROLES is required when AIRLOCK_OIDC_ISSUER is set",
    ]);
  });

  it("a role map naming an unknown role is refused with what is wrong", () => {
    expect(problems({ AIRLOCK_OIDC_ISSUER: "https://id.example.com", AIRLOCK_OIDC_CLIENT_ID: "a", AIRLOCK_OIDC_CLIENT_SECRET: "b", AIRLOCK_OIDC_ROLES: "ops=root" })).toEqual([
      'AIRLOCK_OIDC_ROLES "root" is not a role (admin, approver, policy_author, auditor) (expected group=role,group=role)',
    ]);
  });

  it("the bootstrap admin needs both its e-mail and a long enough password", () => {
    expect(problems({ AIRLOCK_ADMIN_EMAIL: "root@example.com" })).toEqual(["AIRLOCK_ADMIN_EMAIL and AIRLOCK_ADMIN_PASSWORD go together (the bootstrap admin)"]);
    expect(problems({ AIRLOCK_ADMIN_EMAIL: "root@example.com", AIRLOCK_ADMIN_PASSWORD: "short" })).toEqual(["AIRLOCK_ADMIN_PASSWORD must be at least 12 characters"]);
  });
});

describe("the PostgreSQL door's settings", () => {
  it("no port unless one is set (a gateway started alone has no door; npm start sets one)", () => {
    expect(config({}).AIRLOCK_PGWIRE_PORT).toBeUndefined();
    expect(config({ AIRLOCK_PGWIRE_PORT: "6543", AIRLOCK_PGWIRE_TLS_CERT: "/c.pem", AIRLOCK_PGWIRE_TLS_KEY: "/k.pem" }).AIRLOCK_PGWIRE_PORT).toBe(6543);
  });

  it("a bad port, and a certificate without its key, are reported", () => {
    const found = problems({ AIRLOCK_PGWIRE_PORT: "70000", AIRLOCK_PGWIRE_TLS_CERT: "/c.pem" });
    expect(found.some((problem) => problem.startsWith("AIRLOCK_PGWIRE_PORT "))).toBe(true);
    expect(found.some((problem) => problem.startsWith("AIRLOCK_PGWIRE_TLS_CERT and AIRLOCK_PGWIRE_TLS_KEY"))).toBe(true);
  });
});
