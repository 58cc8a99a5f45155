import type { Store } from "../lib/store/client";
import type { Gateway } from "./gateway";

// /readyz: the store answers, and so does every connection's target (each within a short time).

const CHECK_TIMEOUT_MS = 2_000;

export async function readiness(store: Store, gateway: Gateway): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  try {
    await withTimeout(store.$queryRaw`SELECT 1`);
    checks.store = "ok";
  } catch {
    checks.store = "unreachable";
    return { ready: false, checks };
  }
  const connections = await store.connection.findMany();
  await Promise.all(
    connections.map(async (connection) => {
      try {
        await withTimeout(gateway.targets.target(connection).ping());
        checks[`target:${connection.name}`] = "ok";
      } catch {
        checks[`target:${connection.name}`] = "unreachable";
      }
    }),
  );
  return { ready: Object.values(checks).every((state) => state === "ok"), checks };
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS).unref())]);
}
