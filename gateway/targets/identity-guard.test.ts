import { beforeAll, describe, expect, it } from "vitest";
import { analyze, initSqlParsers } from "../../lib/sql";
import { identityValues } from "./identity";
import { identityTampering } from "./identity-guard";

beforeAll(async () => {
  await initSqlParsers();
});

const pg = (sql: string) => identityTampering(analyze(sql, "postgres", { bypassCache: true }));
const my = (sql: string) => identityTampering(analyze(sql, "mysql", { bypassCache: true }));

describe("PostgreSQL: statements that would change the identity are refused", () => {
  it.each([
    "SET airlock.agent = 'someone-else'",
    "SET SESSION airlock.agent TO 'x'",
    "SET LOCAL airlock.agent_groups = 'finance'",
    "SET airlock.session = 'other'",
    `SET "AIRLOCK"."AGENT" = 'x'`,
    `SET "airlock.agent" = 'x'`,
    `SET U&"airlock".agent = 'x'`,
    "RESET airlock.agent",
    "SET airlock.agent TO DEFAULT",
    "SELECT set_config('airlock.agent', 'x', false)",
    "SELECT pg_catalog.set_config('AIRLOCK.AGENT_GROUPS', 'finance', true)",
    `SELECT "set_config"('airlock.agent', 'x', true)`,
    "SELECT * FROM set_config('airlock.session', 'x', true)",
    "SELECT set_config($1, 'x', true)",
    "SELECT set_config(E'airlock.agent', 'x', true)",
    "SELECT set_config('airlock' || '.agent', 'x', true)",
    "SELECT set_config('search_path', 'public', true), set_config('airlock.agent', 'x', true)",
    "SELECT set_config /* */ ('search_path', 'x', true)",
    "UPDATE pg_settings SET setting = 'x' WHERE name = 'airlock.agent'",
    "UPDATE pg_catalog.pg_settings SET setting = 'x' WHERE name = 'search_path'",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET airlock.agent_groups = 'finance' AS 'select 1'",
    "DO $$ BEGIN SET airlock.agent = 'x'; END $$",
    "DO $$ BEGIN PERFORM set_config('airlock.agent', 'x', false); END $$",
    "SELECT 1; SET airlock.agent = 'x'",
  ])("%s", (sql) => {
    const decision = pg(sql);
    expect(decision?.action).toBe("block");
    expect(decision?.matched[0]).toMatchObject({ policyId: "airlock-built-in", ruleId: "protect-agent-identity" });
    expect(decision?.hints[0]).toMatch(/current_setting\('airlock\.agent', true\)/);
  });

  it("names the statement of a text that would", () => {
    expect(pg("SELECT 1; SET airlock.agent = 'x'")?.statementIndex).toBe(1);
  });
});

describe("PostgreSQL: reading the identity, the reason and other settings are left to policy", () => {
  it.each([
    "SELECT current_setting('airlock.agent', true), current_setting('airlock.agent_groups', true)",
    "SHOW airlock.agent",
    "SET airlock.reason = 'checking the refund'",
    "RESET airlock.reason",
    "SET search_path = public",
    "SET application_name = 'psql'",
    "RESET ALL",
    "DISCARD ALL",
    "SELECT set_config('search_path', 'public', true)",
    "SELECT * FROM notes WHERE team = ANY (string_to_array(current_setting('airlock.agent_groups', true), ','))",
    "CREATE POLICY team_rows ON notes USING (team = ANY (string_to_array(current_setting('airlock.agent_groups', true), ',')))",
    "UPDATE notes SET owner = current_setting('airlock.agent') WHERE id = 1",
    "SELECT my_set_config('airlock.agent')",
  ])("%s", (sql) => {
    expect(pg(sql)).toBeUndefined();
  });
});

describe("MySQL: assignments to @airlock_… variables are refused", () => {
  it.each([
    "SET @airlock_agent = 'someone-else'",
    "SET @AIRLOCK_AGENT := 'x'",
    "SET @a = 1, @airlock_agent_groups = 'finance'",
    "SET @`airlock_agent` = 'x'",
    "SET @'airlock_session' = 'x'",
    `SET @"airlock_agent" = 'x'`,
    "SET @'airl\\ock_agent' = 'x'",
    "SELECT @airlock_agent := 'x'",
    "SELECT @airlock_agent/* */:= 'x', name FROM t",
    "SELECT 'x' INTO @airlock_agent",
    "SELECT name FROM t LIMIT 1 INTO @a, @airlock_agent_groups",
    "UPDATE t SET n = (@airlock_agent := 'x') WHERE id = 1",
    "PREPARE s FROM 'SET @airlock_agent = 1'",
    "PREPARE s FROM @text",
    "DO @airlock_agent := 'x'",
    "SELECT 1; SET @airlock_agent = 'x'",
  ])("%s", (sql) => {
    const decision = my(sql);
    expect(decision?.action).toBe("block");
    expect(decision?.hints[0]).toMatch(/@airlock_agent/);
  });
});

describe("MySQL: reading the variables and other variables are left to policy", () => {
  it.each([
    "SELECT @airlock_agent, @airlock_agent_groups, @airlock_session",
    "SELECT * FROM notes WHERE FIND_IN_SET(team, @airlock_agent_groups)",
    "INSERT INTO audit (who) VALUES (@airlock_agent)",
    "SET @x = 1",
    "SELECT @@version, @@session.sql_mode",
    "SELECT 'mail@example.com'",
    "SET NAMES utf8mb4",
  ])("%s", (sql) => {
    expect(my(sql)).toBeUndefined();
  });
});

describe("identityValues", () => {
  it("joins groups with commas, leaving out a group whose name holds one, and names the application", () => {
    const values = identityValues({ agent: "billing-bot", groups: ["finance", "a,b", "ops"], session: "s-1" });
    expect(values).toEqual({ agent: "billing-bot", groups: "finance,ops", session: "s-1", applicationName: "airlock:billing-bot" });
  });

  it("keeps application_name to 63 printable ASCII bytes", () => {
    const values = identityValues({ agent: `Ünïcode-${"x".repeat(80)}`, groups: [], session: "s" });
    expect(values.applicationName).toHaveLength(63);
    expect(values.applicationName).toMatch(/^airlock:\?n\?code-x+$/);
    expect(values.groups).toBe("");
  });
});
