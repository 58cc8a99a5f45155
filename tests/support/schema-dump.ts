import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * `pg_dump --schema-only --no-owner --no-privileges` of a database, without Prisma's `_prisma_migrations`
 * bookkeeping table, normalised (see `normalizeSchemaDump`) so two dumps of the same schema compare equal.
 */
export async function dumpSchema(databaseUrl: string): Promise<string> {
  const { stdout } = await run(
    "pg_dump",
    ["--schema-only", "--no-owner", "--no-privileges", "--exclude-table=public._prisma_migrations", `--dbname=${databaseUrl}`],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return normalizeSchemaDump(stdout);
}

/**
 * Drops what differs from run to run or says nothing about the schema: comment lines (dump header,
 * "Name: …; Type: …" banners with server versions), psql's per-dump `\restrict` / `\unrestrict` keys, and runs
 * of blank lines.
 */
export function normalizeSchemaDump(dump: string): string {
  const lines = dump
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => !line.startsWith("--") && !/^\\(un)?restrict\b/.test(line));
  return lines.join("\n").replace(/\n{3,}/g, "\n\n").trim() + "\n";
}

/** A short unified-style listing of the lines only in one dump or the other, for failure messages. */
export function describeDumpDifference(expected: string, actual: string, labels = { expected: "expected", actual: "actual" }): string {
  const expectedStatements = splitStatements(expected);
  const actualStatements = splitStatements(actual);
  const actualSet = new Set(actualStatements);
  const expectedSet = new Set(expectedStatements);
  const missing = expectedStatements.filter((statement) => !actualSet.has(statement));
  const extra = actualStatements.filter((statement) => !expectedSet.has(statement));
  const parts: string[] = [];
  if (missing.length) parts.push(`only in ${labels.expected}:\n${missing.map(indent("- ")).join("\n")}`);
  if (extra.length) parts.push(`only in ${labels.actual}:\n${extra.map(indent("+ ")).join("\n")}`);
  if (!parts.length && expected !== actual) parts.push("same statements in a different order");
  return parts.join("\n\n");
}

function splitStatements(dump: string): string[] {
  return dump
    .split(/;\n/)
    .map((statement) => statement.trim())
    .filter(Boolean);
}

function indent(marker: string): (statement: string) => string {
  return (statement) =>
    statement
      .split("\n")
      .map((line, index) => (index === 0 ? marker : " ".repeat(marker.length)) + line)
      .join("\n");
}
