import type { Store } from "../lib/store/client";
import type { Gateway } from "./gateway";

// /readyz: whether this gateway can take statements now, and the state behind it.
//   - recording: strict mode needs the store; journal mode needs its journal (not full, writable) and shows the
//     backlog waiting to be shipped, so a store outage shows up as a growing backlog, not as a gateway that is down;
//   - store: answers within a short time (journal mode stays ready without it: statements that need no approval
//     keep running, and approvals say they are unavailable);
//   - every connection's target answers (listed from the store; not checked while the store is unreachable).

const CHECK_TIMEOUT_MS = 2_000;

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Record<string, string>;
  readonly recording: ReturnType<Gateway["recorder"]["health"]>;
}

export async function readiness(store: Store, gateway: Gateway): Promise<Readiness> {
  const checks: Record<string, string> = {};
  const recording = gateway.recorder.health();
  if (recording.mode === "journal") {
    const state = recording.journal?.state ?? "unavailable";
    checks.recording = state === "ok" ? (recording.shipping === "store_unavailable" ? "ok (store behind)" : "ok") : `journal ${state}`;
  } else checks.recording = "ok";
  try {
    await withTimeout(store.$queryRaw`SELECT 1`);
    checks.store = "ok";
  } catch {
    checks.store = "unreachable";
    if (recording.mode === "strict") checks.recording = "store unreachable";
    return { ready: recording.mode === "journal" && checks.recording.startsWith("ok"), checks, recording };
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
  return { ready: Object.values(checks).every((state) => state.startsWith("ok")), checks, recording };
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS).unref())]);
}
