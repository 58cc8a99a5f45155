import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_TEST_DATABASE_URL,
  DEFAULT_TEST_MYSQL_URL,
  SCRATCH_PREFIX,
  createScratchMysql,
  createScratchPostgres,
  databaseUrl,
  scratchName,
  testMysqlUrl,
  testPostgresUrl,
  withMysql,
  withPostgres,
} from "./databases";

describe("scratch database helpers", () => {
  it("read the servers from TEST_DATABASE_URL / TEST_MYSQL_URL, blank meaning unset", () => {
    expect(testPostgresUrl({})).toBe(DEFAULT_TEST_DATABASE_URL);
    expect(testMysqlUrl({ TEST_MYSQL_URL: " " })).toBe(DEFAULT_TEST_MYSQL_URL);
    expect(testPostgresUrl({ TEST_DATABASE_URL: "postgresql://u@h:1/x" })).toBe("postgresql://u@h:1/x");
    expect(databaseUrl("postgresql://u:p@h:5432/postgres?sslmode=disable", "other")).toBe("postgresql://u:p@h:5432/other?sslmode=disable");
    const a = scratchName("My Test!");
    expect(a).toMatch(new RegExp(`^${SCRATCH_PREFIX}my_test_[a-z0-9]+_[0-9a-f]{8}$`));
    expect(a.length).toBeLessThanOrEqual(63); // PostgreSQL's identifier limit
    expect(scratchName("x".repeat(200)).length).toBeLessThanOrEqual(63);
    expect(scratchName("My Test!")).not.toBe(a);
  });

  it("create and drop a PostgreSQL database, even with a session still open", async () => {
    const db = await createScratchPostgres("helper");
    const exists = () =>
      withPostgres(testPostgresUrl(), async (client) => (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [db.name])).rowCount);
    const lingering = new pg.Client({ connectionString: db.url });
    lingering.on("error", () => {}); // it is forced off by the drop
    try {
      expect(await exists()).toBe(1);
      await lingering.connect();
      expect((await lingering.query("SELECT current_database() AS name")).rows[0].name).toBe(db.name);
    } finally {
      await db.drop();
      await db.drop(); // twice is fine
      await lingering.end().catch(() => {});
    }
    expect(await exists()).toBe(0);
  });

  it("create and drop a MySQL database", async () => {
    const db = await createScratchMysql("helper");
    const exists = () =>
      withMysql(testMysqlUrl(), async (connection) => {
        const [rows] = await connection.query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [db.name]);
        return (rows as unknown[]).length;
      });
    try {
      expect(await exists()).toBe(1);
      await withMysql(db.url, async (connection) => {
        await connection.query("CREATE TABLE t (id INT PRIMARY KEY, note VARCHAR(20)); INSERT INTO t VALUES (1, 'ünï');");
        const [rows] = await connection.query("SELECT DATABASE() AS db, note FROM t");
        expect(rows).toEqual([{ db: db.name, note: "ünï" }]);
      });
    } finally {
      await db.drop();
    }
    expect(await exists()).toBe(0);
  });
});
