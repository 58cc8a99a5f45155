import { randomUUID } from "node:crypto";
import { issueAgentToken } from "../../lib/crypto/agent-token";
import type { Store } from "../../lib/store/client";

// Rows the identity tests need, with unique names so tests in one file never collide.

export const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

export async function makeAgent(store: Store, data: { groups?: string[]; disabled?: boolean; name?: string } = {}) {
  return store.agent.create({ data: { name: data.name ?? unique("agent"), groups: data.groups ?? [], disabled: data.disabled ?? false } });
}

/** An agent token row; returns the clear token (shown once in real life) with the row. */
export async function makeToken(store: Store, agentId: string, data: { expiresAt?: Date | null; revokedAt?: Date | null } = {}) {
  const issued = issueAgentToken();
  const row = await store.agentToken.create({
    data: { agentId, prefix: issued.prefix, hash: issued.hash, scramVerifier: issued.scramVerifier, mysqlNativeVerifier: issued.mysqlNativeVerifier, expiresAt: data.expiresAt ?? null, revokedAt: data.revokedAt ?? null },
  });
  return { token: issued.token, row };
}

export async function makeConnection(store: Store, data: { name?: string; readOnly?: boolean; description?: string } = {}) {
  return store.connection.create({
    data: {
      name: data.name ?? unique("conn"),
      description: data.description ?? "",
      engine: "postgres",
      host: "db.internal.example",
      port: 5432,
      database: "shop",
      username: "airlock_reader",
      secretCiphertext: new Uint8Array([1, 2, 3]),
      readOnly: data.readOnly ?? false,
    },
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A logger that keeps its lines, to check nothing secret is logged. */
export function memoryLog() {
  const lines: string[] = [];
  const push = (level: string) => (event: string, fields?: Record<string, unknown>) => void lines.push(JSON.stringify({ level, event, ...fields }));
  return { lines, log: { debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") } };
}
