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

describe("PostgreSQL: application_name carries the identity too", () => {
  // Pooled: set with set_config(…, true) before each statement, but a SET in the statement's own text overrides it for
  // the rest of that transaction; the PostgreSQL door: a startup default, set once, so a SET would last the session.
  it.each([
    "SET application_name = 'airlock:victim'",
    "SET application_name = 'psql'",
    "SET SESSION application_name TO 'airlock:victim'",
    "SET LOCAL application_name = 'airlock:victim'",
    `SET "Application_Name" = 'airlock:victim'`,
    "SET application_name TO DEFAULT",
    "RESET application_name",
    "SELECT set_config('application_name', 'airlock:victim', false)",
    "SELECT set_config('APPLICATION_NAME', 'airlock:victim', true)",
    "ALTER ROLE CURRENT_USER SET application_name = 'billing-bot'",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET application_name = 'billing-bot' AS 'select 1'",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET application_name FROM CURRENT AS 'select 1'",
  ])("%s", (sql) => {
    expect(pg(sql)?.action).toBe("block");
  });
});

describe("PostgreSQL: SQL built at run time, which Airlock cannot read, is refused", () => {
  it.each([
    // dynamic SQL in a DO block
    "DO $$ BEGIN EXECUTE 'SELECT set_' || 'config(''air' || 'lock.agent'', ''victim'', true)'; END $$",
    "DO $$ BEGIN EXECUTE convert_from(decode('U0VMRUNUIDE=', 'base64'), 'utf8'); END $$",
    "DO $$ DECLARE q text := 'SELECT 1'; BEGIN EXECUTE q; END $$",
    "DO $$ BEGIN EXECUTE format('SELECT %s', 1); END $$",
    "DO $$ BEGIN EXECUTE 'SELECT 1' || ''; END $$",
    "DO $$ BEGIN EXECUTE 'SELECT 1'\n'2'; END $$",
    "DO $$ BEGIN EXECUTE E'SELECT 1'; END $$",
    "DO $$ DECLARE r record; BEGIN FOR r IN EXECUTE reverse('1 TCELES') LOOP END LOOP; END $$",
    // in a function or procedure body
    "CREATE FUNCTION run(q text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE q; END $$",
    "CREATE OR REPLACE PROCEDURE run(q text) LANGUAGE plpgsql AS 'BEGIN EXECUTE q; END'",
    "CREATE FUNCTION f() RETURNS SETOF record LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY EXECUTE chr(83) || 'ELECT 1'; END $$",
    // the body as PostgreSQL reads it: adjacent literals joined, escapes decoded
    "CREATE FUNCTION f(a text, b text) RETURNS text LANGUAGE sql AS 'SELECT set_con'\n'fig(a,b,true)'",
    "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS E'SELECT \\x73et_config(''airlock.agent'', ''victim'', false)'",
    "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS U&'SELECT \\0073et_config(''airlock.agent'', ''victim'', false)'",
    "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS 'BEGIN SET /* a /* b */ */ application_name = ''billing-bot''; RETURN 1; END'",
    "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ UPDATE pg_settings SET setting = 'victim' WHERE name = 'air' || 'lock.agent' $$",
    "DO $$ BEGIN RESET airlock.agent; END $$",
    // a language whose code builds SQL as it likes
    "DO LANGUAGE plperl $$ spi_exec_query('SELECT set_' . 'config(''airlock.agent'', ''victim'', false)') $$",
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpython3u AS 'plpy.execute(\"SELECT 1\")'",
    // code inside code
    "DO $$ BEGIN DO E'BEGIN PERFORM \\x73et_config(''airlock.agent'', ''victim'', false); END'; END $$",
    "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1' $$",
    // functions that run the SQL text they are given
    "SELECT query_to_xml('SELECT set_' || 'config(''airlock.agent'', ''victim'', false)', true, true, '')",
    "SELECT query_to_xml(convert_from(decode('U0VMRUNUIDE=', 'base64'), 'utf8'), true, true, '')",
    "SELECT ts_stat(reverse('rotcevst::)eslaf ,''v'' ,''tnega.kcolria''(gifnoc_tes TCELES'))",
    "SELECT * FROM crosstab(current_setting('my.query')) AS t(a text, b text)",
    "DO $$ BEGIN PERFORM query_to_xml(q, true, true, '') FROM queue; END $$",
    // the name in pieces, for a function of the database's that runs what it is given
    "SELECT run_sql('SELECT set_' || 'config(''airlock.agent'', ''victim'', false)')",
  ])("%s", (sql) => {
    const decision = pg(sql);
    expect(decision?.action).toBe("block");
    expect(decision?.matched[0]).toMatchObject({ ruleId: "protect-agent-identity" });
  });

  it("says what it could not read", () => {
    expect(pg("DO $$ BEGIN EXECUTE format('SELECT %s', 1); END $$")?.message).toMatch(/EXECUTE of SQL built at run time/);
    expect(pg("DO LANGUAGE plperl $$ 1; $$")?.message).toMatch(/plperl/);
  });
});

describe("PostgreSQL: reading the identity, the reason and other settings are left to policy", () => {
  it.each([
    "SELECT current_setting('airlock.agent', true), current_setting('airlock.agent_groups', true)",
    "SHOW airlock.agent",
    "SET airlock.reason = 'checking the refund'",
    "RESET airlock.reason",
    "SET search_path = public",
    "RESET ALL",
    "DISCARD ALL",
    "SELECT set_config('search_path', 'public', true)",
    "SELECT * FROM notes WHERE team = ANY (string_to_array(current_setting('airlock.agent_groups', true), ','))",
    "CREATE POLICY team_rows ON notes USING (team = ANY (string_to_array(current_setting('airlock.agent_groups', true), ',')))",
    "UPDATE notes SET owner = current_setting('airlock.agent') WHERE id = 1",
    "SELECT my_set_config('airlock.agent')",
    "SELECT current_setting('application_name')",
    "SHOW application_name",
    "UPDATE apps SET application_name = 'billing' WHERE id = 1",
    "ALTER TABLE apps ALTER COLUMN application_name SET NOT NULL",
    // the role, not the identity values: the default policy decides (block-session-identity)
    "SET ROLE reporting",
    "SET SESSION AUTHORIZATION reporting",
    // code Airlock can read, that leaves the identity alone
    "DO $$ BEGIN INSERT INTO audit (note) VALUES ('checked'); INSERT INTO audit (note) SELECT note FROM notes; END $$",
    "DO $$ BEGIN EXECUTE 'TRUNCATE staging'; END $$",
    "DO $$ BEGIN EXECUTE $q$DELETE FROM staging WHERE id = $1$q$ USING 1; END $$",
    "CREATE FUNCTION current_agent() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_setting('airlock.agent', true) $$",
    "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE audit SET who = current_setting('airlock.agent', true) WHERE id = NEW.id; RETURN NEW; END $$",
    "CREATE PROCEDURE archive() LANGUAGE plpgsql AS $$ BEGIN INSERT INTO archive SELECT * FROM orders WHERE created < now() - interval '1 year'; DELETE FROM orders WHERE created < now() - interval '1 year'; END $$",
    "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b",
    "CREATE OR REPLACE FUNCTION total(o int) RETURNS numeric LANGUAGE sql AS 'SELECT sum(amount) FROM lines WHERE order_id = o'",
    "CREATE TRIGGER stamp BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION stamp()",
    "CALL archive()",
    "SELECT query_to_xml('SELECT id, name FROM customers', true, false, '')",
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
    // PREPARE / EXECUTE IMMEDIATE of text Airlock cannot see, executable comments included
    "/*!PREPARE s FROM @q */",
    "/*!50000 PREPARE s FROM @q */",
    "/*M!100100 PREPARE s FROM @q */",
    "SELECT 1; /*!PREPARE s FROM @q */",
    "PREPARE s FROM CONCAT('SET @airl', 'ock_agent = 1')",
    "PREPARE s FROM 'SET @airl' 'ock_agent = 1'",
    "PREPARE s FROM 'SET @''airlock_agent'' = 1'",
    "PREPARE s FROM _utf8mb4'SET @''airlock_agent'' = 1'",
    "EXECUTE IMMEDIATE @q",
    "EXECUTE IMMEDIATE CONCAT('SET @airl', 'ock_agent = 1')",
    "EXECUTE IMMEDIATE 'SET @''airlock_agent'' = 1'",
    "CREATE PROCEDURE p() BEGIN DECLARE q TEXT DEFAULT CONCAT('SET @airl', 'ock_agent = 1'); PREPARE s FROM q; EXECUTE s; END",
    // with sql_mode NO_BACKSLASH_ESCAPES the string ends at the backslash
    "SELECT 'a\\'; PREPARE s FROM @q; -- '",
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
    "PREPARE s FROM 'SELECT * FROM notes WHERE id = ?'",
    "EXECUTE s USING @id",
    "EXECUTE IMMEDIATE 'SELECT 1'",
    "DEALLOCATE PREPARE s",
    "SELECT 'prepare s from @q' AS note",
    "SELECT prepared FROM orders",
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
