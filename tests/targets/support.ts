import { randomBytes, randomUUID } from "node:crypto";
import { sealSecret } from "../../lib/crypto/secret-box";
import type { ConnectionRecord } from "../../gateway/targets";
import { TargetError } from "../../gateway/targets";

// Connection records for the target tests: a scratch database URL → the store's Connection fields, with the
// password sealed under a throwaway master key exactly as the dashboard would store it.

export const masterKey: Uint8Array = randomBytes(32);

export function connectionFromUrl(url: string, engine: ConnectionRecord["engine"], overrides: Partial<Omit<ConnectionRecord, "secretCiphertext">> & { password?: string } = {}): ConnectionRecord {
  const parsed = new URL(url);
  const id = overrides.id ?? randomUUID();
  const { password = decodeURIComponent(parsed.password), ...rest } = overrides;
  return {
    id,
    name: `test-${id.slice(0, 8)}`,
    engine,
    host: parsed.hostname,
    port: Number(parsed.port || (engine === "postgres" ? 5432 : 3306)),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    username: decodeURIComponent(parsed.username),
    tls: "disable",
    rowLimit: 1000,
    statementTimeoutMs: 30_000,
    readOnly: false,
    updatedAt: new Date("2025-01-01T00:00:00Z"),
    ...rest,
    secretCiphertext: sealSecret(masterKey, password, id),
  };
}

/** The TargetError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function targetError(work: Promise<unknown>): Promise<TargetError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TargetError) return error;
    throw new Error(`expected a TargetError, got ${String(error)}`);
  }
  throw new Error("expected a TargetError, but the call succeeded");
}

/** Everything an error exposes: message, stack, own enumerable fields, JSON, inspect. */
export function everythingIn(error: Error): string {
  return [error.message, error.stack ?? "", JSON.stringify(error), JSON.stringify({ ...error }), String(error)].join("\n");
}

export const defaults = { rowLimit: 1000, timeoutMs: 10_000, readOnly: false } as const;

export function heapMb(): number {
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

/** A port nothing listens on (a closed listener's). */
export async function closedPort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 1;
      server.close(() => resolve(port));
    });
  });
}
