import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { runPrisma } from "../lib/store/prisma-cli";

// What `npm start` prepares when it is missing or stale: the generated Prisma client and the production
// build of the web app. Each is stamped with a hash of its inputs, so an unchanged tree starts at once.

export const root = path.resolve(import.meta.dirname, "..");
const generatedDir = path.join(root, "lib", "store", "generated");
const schemaStamp = path.join(generatedDir, ".airlock-schema-hash");
const buildStamp = path.join(root, ".next", "airlock-build-hash");

export async function ensurePrismaClient(): Promise<boolean> {
  const schema = fs.readFileSync(path.join(root, "prisma", "schema.prisma"));
  const wanted = createHash("sha256").update(schema).update(prismaVersion()).digest("hex");
  if (fs.existsSync(schemaStamp) && fs.readFileSync(schemaStamp, "utf8") === wanted) return false;
  const run = await runPrisma(["generate"]);
  if (run.code !== 0) throw new Error(`prisma generate failed:\n${run.output.trim()}`);
  fs.writeFileSync(schemaStamp, wanted);
  return true;
}

export async function ensureWebBuild(onProgress: (line: string) => void): Promise<boolean> {
  const wanted = sourceHash();
  if (fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(buildStamp) && fs.readFileSync(buildStamp, "utf8") === wanted) {
    return false;
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "next"), ["build"], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        output.push(line);
        if (/Compil|Generating|Collecting|Finaliz|Creating an optimized|✓/.test(line)) onProgress(line.trim());
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`next build failed:\n${output.slice(-30).join("\n")}`)),
    );
  });
  fs.writeFileSync(buildStamp, wanted);
  return true;
}

function prismaVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(root, "node_modules", "prisma", "package.json"), "utf8")).version as string;
}

/** Paths, sizes and modification times of everything the web build reads. */
function sourceHash(): string {
  const hash = createHash("sha256");
  const visit = (entry: string) => {
    if (!fs.existsSync(entry)) return;
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      for (const child of fs.readdirSync(entry).sort()) visit(path.join(entry, child));
    } else if (!/\.test\.tsx?$/.test(entry)) {
      hash.update(`${path.relative(root, entry)}:${stat.size}:${stat.mtimeMs}\n`);
    }
  };
  for (const entry of ["app", "components", "lib", "proxy.ts", "next.config.ts", "postcss.config.mjs", "tsconfig.json", "tsconfig.web.json", "package-lock.json"]) {
    visit(path.join(root, entry));
  }
  return hash.digest("hex");
}
