import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// HTTP load from wrk (Debian's `wrk`, C, epoll), for throughput figures where a Node client would take a large
// share of this small machine's cores itself. One thread, `connections` keep-alive connections; a Lua script posts
// the bodies in turn, each connection naming its own agent session. Absent wrk: null (the caller falls back).

export interface WrkFigures {
  readonly requests: number;
  readonly perSecond: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export function haveWrk(): boolean {
  return fs.existsSync("/usr/bin/wrk") || process.env.PATH?.split(":").some((dir) => fs.existsSync(path.join(dir, "wrk"))) === true;
}

export async function wrkPost(url: string, options: { connections: number; seconds: number; headers: Record<string, string>; bodies: readonly string[] }): Promise<WrkFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-wrk-"));
  const script = path.join(dir, "post.lua");
  const lua = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  fs.writeFileSync(
    script,
    `wrk.method = "POST"
${Object.entries(options.headers)
  .map(([name, value]) => `wrk.headers[${lua(name)}] = ${lua(value)}`)
  .join("\n")}
local bodies = { ${options.bodies.map(lua).join(", ")} }
local n = 0
request = function()
  n = n + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["x-airlock-session"] = "wrk-" .. (n % ${options.connections})
  return wrk.format(nil, nil, headers, bodies[(n % #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("AIRLOCK %d %d %d %d %.3f %.3f\\n", summary.requests, summary.status or 0, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`,
  );
  try {
    const output = await new Promise<string>((resolve, reject) =>
      execFile("wrk", ["-t1", `-c${options.connections}`, `-d${options.seconds}s`, "--latency", "-s", script, url], { timeout: (options.seconds + 30) * 1000 }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
    const line = /AIRLOCK (\d+) \d+ (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(output);
    return {
      requests: Number(line?.[1] ?? 0),
      perSecond: rate,
      errors: Number(line?.[2] ?? 0),
      non2xx: Number(line?.[3] ?? 0),
      p50Ms: line ? Number(line[4]) : null,
      p99Ms: line ? Number(line[5]) : null,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
