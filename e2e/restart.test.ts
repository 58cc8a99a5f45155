import fs from "node:fs";
import net from "node:net";
import { afterAll, expect, test } from "vitest";
import { startAirlock } from "./support/airlock";

// Ctrl-C stops everything cleanly, and a second start on the same data directory finds everything in place:
// the same demo credentials, no re-seeding, no rebuild.

let dataDir: string | undefined;
afterAll(() => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

test("Ctrl-C stops every process; a restart keeps the store, the demo and the build", async () => {
  const first = await startAirlock();
  dataDir = first.dataDir;
  const gatewayPort = Number(new URL(first.gatewayUrl).port);
  const webPort = Number(new URL(first.webUrl).port);
  expect(await first.stop()).toBe(0);
  expect(first.output()).toMatch(/^airlock: stopped\.$/m);
  for (const port of [gatewayPort, webPort, first.storePort, first.demoDbPort]) expect(await listening(port)).toBe(false);
  expect(fs.existsSync(`${dataDir}/airlock.pid`)).toBe(false);

  const second = await startAirlock({ dataDir });
  try {
    expect(second.demo).toEqual(first.demo);
    expect(second.output()).not.toMatch(/generated .*master\.key/);
    expect(second.output()).not.toMatch(/built the web app/);
    expect(second.output()).toContain(`with password ${first.demo!.dashboardPassword}`);
    const health = await fetch(`${second.gatewayUrl}/readyz`);
    expect(health.status).toBe(200);
  } finally {
    expect(await second.stop()).toBe(0);
  }
});

test("a second Airlock on the same data directory is refused with a clear line", async () => {
  const first = await startAirlock();
  try {
    await expect(startAirlock({ dataDir: first.dataDir, timeoutMs: 60_000 })).rejects.toThrow(/already running from .* \(pid \d+\)/);
  } finally {
    await first.stop();
    fs.rmSync(first.dataDir, { recursive: true, force: true });
  }
});
