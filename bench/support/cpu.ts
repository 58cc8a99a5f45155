import fs from "node:fs";

// CPU time by process group over a window, from /proc (Linux): what the load generator, the gateway and the
// database servers each burned while a scenario ran. On a small machine they share the cores, so these say where
// the machine's time went, which latency and throughput alone do not.

type Snapshot = Map<number, { name: string; ticks: number }>;

const TICKS_PER_SECOND = 100;

function snapshot(groups: (pid: number, comm: string, cmdline: string) => string | null): Snapshot {
  const out: Snapshot = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      const name = groups(Number(entry), comm, cmdline);
      if (name) out.set(Number(entry), { name, ticks });
    } catch {
      // gone while reading
    }
  }
  return out;
}

/** Starts a window; `stop()` answers CPU seconds per group (processes that started inside it count in full). */
export function cpuWindow(groups: (pid: number, comm: string, cmdline: string) => string | null): { stop(): Record<string, number> } {
  const before = snapshot(groups);
  const started = performance.now();
  return {
    stop() {
      const after = snapshot(groups);
      const seconds: Record<string, number> = {};
      for (const [pid, { name, ticks }] of after) {
        const used = (ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
        if (used > 0) seconds[name] = (seconds[name] ?? 0) + used;
      }
      seconds.wall = (performance.now() - started) / 1000;
      return seconds;
    },
  };
}

/** The usual groups: this process (the load), the gateway's pid, PostgreSQL and MariaDB servers, PgBouncer. */
export function benchGroups(gatewayPid: number | undefined): (pid: number, comm: string, cmdline: string) => string | null {
  return (pid, comm, cmdline) => {
    if (pid === process.pid) return "load (this process)";
    if (pid === gatewayPid) return "gateway";
    if (comm === "postgres" || cmdline.startsWith("postgres")) return "postgresql";
    if (comm.startsWith("mariadb") || comm.startsWith("mysqld")) return "mariadb";
    if (comm === "pgbouncer") return "pgbouncer";
    if (comm === "pgbench" || comm === "sysbench") return comm;
    return null;
  };
}

export function formatCpu(seconds: Record<string, number>): string {
  const wall = seconds.wall ?? 1;
  return Object.entries(seconds)
    .filter(([name]) => name !== "wall")
    .sort((a, b) => b[1] - a[1])
    .map(([name, used]) => `${name} ${(used / wall).toFixed(2)} cores`)
    .join(", ");
}
