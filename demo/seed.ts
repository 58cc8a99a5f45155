import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import type { Store } from "../lib/store/client";
import { sealSecret } from "../lib/crypto/secret-box";
import { issueAgentToken } from "../lib/crypto/agent-token";
import { defaultPolicy, parsePolicyDocument, type Policy } from "../lib/policy";
import type { Role } from "../lib/store/generated/enums";

// Seeds the store with the demo: people for each role, an agent with a token, the shop connection with
// its secret encrypted, a grant, and the default and shop policies. Runs once: the credentials it
// creates are kept in <data dir>/demo.json (mode 0600) so that every start can print them again.

export interface DemoCredentials {
  readonly dashboardPassword: string;
  readonly users: readonly { email: string; roles: Role[] }[];
  readonly agentName: string;
  readonly agentToken: string;
  readonly connectionName: string;
}

export const DEMO_CONNECTION = "shop";
const DEMO_AGENT = "claude-demo";
const DEMO_USERS: readonly { email: string; name: string; roles: Role[] }[] = [
  { email: "admin@airlock.local", name: "Demo Admin", roles: ["admin"] },
  { email: "approver@airlock.local", name: "Demo Approver", roles: ["approver"] },
  { email: "author@airlock.local", name: "Demo Policy Author", roles: ["policy_author"] },
  { email: "auditor@airlock.local", name: "Demo Auditor", roles: ["auditor"] },
];

export interface DemoTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  readonly password: string;
}

export function demoCredentialsFile(dataDir: string): string {
  return path.join(dataDir, "demo.json");
}

export function readDemoCredentials(dataDir: string): DemoCredentials | null {
  const file = demoCredentialsFile(dataDir);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as DemoCredentials) : null;
}

/** Seeds the demo unless the store already has people in it. Returns the demo's credentials. */
export async function seedDemo(store: Store, dataDir: string, masterKey: Uint8Array, target: DemoTarget): Promise<DemoCredentials | null> {
  const existing = readDemoCredentials(dataDir);
  if ((await store.user.count()) > 0) {
    // Keep the demo connection pointing at the demo target, whose port may have been changed.
    await store.connection.updateMany({ where: { name: DEMO_CONNECTION }, data: { host: target.host, port: target.port } });
    return existing;
  }

  const dashboardPassword = randomBytes(12).toString("base64url");
  const passwordHash = await hash(dashboardPassword);
  const token = issueAgentToken();
  const shopPolicy = loadShopPolicy();

  await store.$transaction(async (tx) => {
    const users = [];
    for (const user of DEMO_USERS) users.push(await tx.user.create({ data: { ...user, passwordHash } }));
    const author = users.find((user) => user.roles.includes("policy_author"));

    const agent = await tx.agent.create({
      data: { name: DEMO_AGENT, description: "The demo's AI agent", groups: ["engineering"], ownerId: author?.id },
    });
    await tx.agentToken.create({ data: { agentId: agent.id, name: "demo", prefix: token.prefix, hash: token.hash, scramVerifier: token.scramVerifier, mysqlNativeVerifier: token.mysqlNativeVerifier } });

    const connection = await tx.connection.create({
      data: {
        name: DEMO_CONNECTION,
        description: "The demo shop (embedded PostgreSQL)",
        engine: "postgres",
        host: target.host,
        port: target.port,
        database: target.database,
        username: target.username,
        secretCiphertext: new Uint8Array(0),
        tls: "disable",
      },
    });
    // The secret is bound to its connection's id, so it is sealed once the id exists.
    await tx.connection.update({
      where: { id: connection.id },
      data: { secretCiphertext: sealSecret(masterKey, target.password, connection.id) },
    });
    await tx.grant.create({ data: { connectionId: connection.id, agentGroup: "engineering" } });

    for (const [priority, policy] of [defaultPolicy(), shopPolicy].entries()) {
      const document = JSON.parse(JSON.stringify(policy)) as object;
      await tx.policy.create({
        data: {
          name: policy.name,
          description: policy.description ?? "",
          priority: (priority + 1) * 10,
          document,
          revisions: { create: { version: 1, document, comment: "Seeded by the demo" } },
        },
      });
    }
    await tx.auditLog.create({ data: { action: "demo.seed", targetType: "store", details: { users: DEMO_USERS.length } } });
  });

  const credentials: DemoCredentials = {
    dashboardPassword,
    users: DEMO_USERS.map(({ email, roles }) => ({ email, roles })),
    agentName: DEMO_AGENT,
    agentToken: token.token,
    connectionName: DEMO_CONNECTION,
  };
  fs.writeFileSync(demoCredentialsFile(dataDir), JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}

function loadShopPolicy(): Policy {
  const text = fs.readFileSync(path.join(import.meta.dirname, "shop-policy.yaml"), "utf8");
  const parsed = parsePolicyDocument(text, "yaml");
  if (!parsed.ok) throw new Error(`demo/shop-policy.yaml is invalid: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
  return parsed.policy;
}
