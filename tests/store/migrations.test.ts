import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployMigrations, runPrisma, schemaFromEmptyScript } from "../../lib/store/prisma-cli";
import { createScratchPostgres, withPostgres, type ScratchDatabase } from "../support/databases";
import { describeDumpDifference, dumpSchema } from "../support/schema-dump";

// The committed migrations must build exactly the schema that schema.prisma describes. A change to
// schema.prisma without a migration (`npm run db:diff -- <name>`) fails here with the statements that differ.

// Each Prisma CLI run takes several seconds (WebAssembly schema engine).
const CLI_TIMEOUT = 120_000;

let migrated: ScratchDatabase | undefined;
let fromSchema: ScratchDatabase | undefined;

beforeAll(async () => {
  // One at a time, so a failure leaves every database already made assigned for afterAll to drop.
  const migratedDb = (migrated = await createScratchPostgres("migrated"));
  const schemaDb = (fromSchema = await createScratchPostgres("from_schema"));
  await Promise.all([
    deployMigrations(migratedDb.url),
    schemaFromEmptyScript(schemaDb.url).then((script) => withPostgres(schemaDb.url, (client) => client.query(script))),
  ]);
}, CLI_TIMEOUT);

afterAll(async () => {
  await Promise.all([migrated?.drop(), fromSchema?.drop()]);
});

describe("committed migrations", () => {
  it("build the same schema as schema.prisma", async () => {
    const [fromMigrations, fromPrismaSchema] = await Promise.all([dumpSchema(migrated!.url), dumpSchema(fromSchema!.url)]);
    // Not vacuous: the dump holds the domain's tables.
    expect(fromPrismaSchema).toMatch(/CREATE TABLE public\."SessionEvent"/);
    expect(fromMigrations).not.toMatch(/_prisma_migrations/);

    const difference = describeDumpDifference(fromPrismaSchema, fromMigrations, {
      expected: "schema.prisma",
      actual: "prisma/migrations",
    });
    expect(
      fromMigrations,
      `prisma/migrations does not match prisma/schema.prisma; generate a migration with \`npm run db:diff -- <name>\`.\n${difference}\n`,
    ).toBe(fromPrismaSchema);
  });

  it("the comparison notices a drifted schema", async () => {
    // Guards the normalisation above: a column the migrations lack must show up as a difference.
    const before = await dumpSchema(fromSchema!.url);
    await withPostgres(fromSchema!.url, (client) => client.query(`ALTER TABLE "Agent" ADD COLUMN "driftProbe" integer`));
    try {
      const after = await dumpSchema(fromSchema!.url);
      expect(after).not.toBe(before);
      expect(describeDumpDifference(before, after)).toContain('"driftProbe" integer');
    } finally {
      await withPostgres(fromSchema!.url, (client) => client.query(`ALTER TABLE "Agent" DROP COLUMN "driftProbe"`));
    }
  });

  it(
    "deploy is idempotent: a second run applies nothing and succeeds",
    async () => {
      const ledger = () =>
        withPostgres(migrated!.url, async (client) => {
          const { rows } = await client.query<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
            `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
               FROM _prisma_migrations ORDER BY migration_name`,
          );
          return rows;
        });
      const before = await ledger();
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((row) => row.finished && !row.rolled_back)).toBe(true);
      const schemaBefore = await dumpSchema(migrated!.url);

      const second = await runPrisma(["migrate", "deploy"], migrated!.url);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toMatch(/No pending migrations to apply/);

      expect(await ledger()).toEqual(before);
      expect(await dumpSchema(migrated!.url)).toBe(schemaBefore);
    },
    CLI_TIMEOUT,
  );
});
