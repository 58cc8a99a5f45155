import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { freePort } from "../../lib/embedded/pglite-server";
import { testPostgresUrl, withPostgres } from "../support/databases";
import { createGatewayFixture, MYSQL_CONNECTION, PG_CONNECTION, query, type GatewayFixture, type HttpAnswer } from "./support";
import { failure, makeCertificate, startWireGateway, type WireGateway } from "../pgwire/support";

// The agent's identity as the target database sees it (gateway/targets/identity.ts), through every door: HTTP on
// both engines (pooled connections), the PostgreSQL door and the MySQL door (pinned sessions); what an agent
// would do to change it is refused; and the README's row-level security example, run as written.

let fx: GatewayFixture;
let wire: WireGateway;
let mysqlDoorPort: number;
let mysqlCertDir: string;
const suffix = randomBytes(4).toString("hex");
const rlsRole = `airlock_rls_${suffix}`;
const finance = { name: `finance-agent-${suffix}`, id: "", token: "" };
const RLS_CONNECTION = "team_notes_pg";
const mysqlClients: mysql.Connection[] = [];

/** README.md "Row-level security per agent", with the role's name and password of this run. */
const README_RLS_SQL = `
CREATE TABLE team_notes (id serial PRIMARY KEY, team text NOT NULL, note text NOT NULL);
ALTER TABLE team_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE team_notes FORCE ROW LEVEL SECURITY;
CREATE POLICY team_rows ON team_notes
  USING (team = ANY (string_to_array(current_setting('airlock.agent_groups', true), ',')));

CREATE ROLE airlock_gateway LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS;
GRANT SELECT ON team_notes TO airlock_gateway;
`;

beforeAll(async () => {
  fx = await createGatewayFixture("target_identity");
  // A second agent, in another group, granted the same connections.
  const agent = await fx.store.agent.create({ data: { name: finance.name, groups: ["finance"] } });
  finance.id = agent.id;
  finance.token = (await fx.issueToken(agent.id)).token;
  for (const connection of [fx.connections.shop_pg, fx.connections.shop_mysql]) await fx.store.grant.create({ data: { connectionId: connection.id, agentGroup: "finance" } });

  // The README's example on the PostgreSQL target, reached by Airlock as a role RLS applies to.
  await withPostgres(fx.pgTarget.url, async (client) => {
    await client.query(README_RLS_SQL.replace(/airlock_gateway/g, rlsRole).replace("change-me", `pw-${suffix}`));
    await client.query(`INSERT INTO team_notes (team, note) VALUES ('engineering', 'deploy on Tuesday'), ('finance', 'Q3 budget'), ('engineering', 'rotate the keys'), ('finance', 'payroll run')`);
  });
  const server = new URL(testPostgresUrl());
  const rls = await fx.addConnection({ name: RLS_CONNECTION, engine: "postgres", host: server.hostname, port: Number(server.port || 5432), database: fx.pgTarget.name, username: rlsRole, password: `pw-${suffix}` });
  await fx.store.grant.create({ data: { connectionId: rls.id, agentGroup: "finance" } });

  // One gateway: HTTP, the PostgreSQL door and the MySQL door.
  mysqlCertDir = fs.mkdtempSync(path.join(os.tmpdir(), "airlock-identity-"));
  const cert = makeCertificate(mysqlCertDir);
  mysqlDoorPort = await freePort();
  wire = await startWireGateway(fx, { AIRLOCK_MYSQLWIRE_PORT: String(mysqlDoorPort), AIRLOCK_MYSQLWIRE_TLS_CERT: cert.cert, AIRLOCK_MYSQLWIRE_TLS_KEY: cert.key });
});

afterAll(async () => {
  await Promise.all(mysqlClients.map((client) => client.end().catch(() => undefined)));
  await wire?.stop();
  await fx?.cleanup();
  // the role is the cluster's, not the (dropped) database's
  await withPostgres(testPostgresUrl(), (client) => client.query(`DROP ROLE IF EXISTS ${rlsRole}`)).catch(() => undefined);
  if (mysqlCertDir) fs.rmSync(mysqlCertDir, { recursive: true, force: true });
});

const url = () => wire.gateway.url;

function expectBlocked(answer: HttpAnswer, rule = "protect-agent-identity"): void {
  expect(answer.status, answer.text).toBe(403);
  expect(answer.body.code).toBe("blocked");
  expect(answer.body.rule).toBe(rule);
}

async function mysqlDoor(token: string): Promise<mysql.Connection> {
  const client = await mysql.createConnection({ host: "127.0.0.1", port: mysqlDoorPort, user: token.slice(0, 12), password: token, database: MYSQL_CONNECTION, ssl: { rejectUnauthorized: false } });
  client.on("error", () => undefined);
  mysqlClients.push(client);
  return client;
}

const PG_WHO = "SELECT current_setting('airlock.agent', true) AS agent, current_setting('airlock.agent_groups', true) AS groups, current_setting('airlock.session', true) AS session, current_setting('application_name') AS app";
const MY_WHO = "SELECT @airlock_agent AS agent, @airlock_agent_groups AS grp, @airlock_session AS sess";

describe("HTTP (pooled connections)", () => {
  test("PostgreSQL: the statement sees airlock.agent, airlock.agent_groups, airlock.session and application_name", async () => {
    const answer = await query(url(), fx.tokens.valid, { connection: PG_CONNECTION, sql: PG_WHO });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.rows).toEqual([[fx.agent.name, "engineering", answer.body.sessionId, `airlock:${fx.agent.name}`]]);
  });

  test("MySQL: the statement sees @airlock_agent, @airlock_agent_groups and @airlock_session", async () => {
    const answer = await query(url(), fx.tokens.valid, { connection: MYSQL_CONNECTION, sql: MY_WHO });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.rows).toEqual([[fx.agent.name, "engineering", answer.body.sessionId]]);
  });

  test.each([PG_CONNECTION, MYSQL_CONNECTION])("%s: two agents alternating each see only their own identity", async (connection) => {
    const sql = connection === PG_CONNECTION ? PG_WHO : MY_WHO;
    for (const [token, name, groups] of [
      [fx.tokens.valid, fx.agent.name, "engineering"],
      [finance.token, finance.name, "finance"],
      [fx.tokens.valid, fx.agent.name, "engineering"],
      [finance.token, finance.name, "finance"],
    ] as const) {
      const answer = await query(url(), token, { connection, sql });
      expect(answer.status, answer.text).toBe(200);
      expect((answer.body.rows[0] as unknown[]).slice(0, 3)).toEqual([name, groups, answer.body.sessionId]);
    }
  });

  test.each([
    "SET airlock.agent = 'someone-else'",
    "SET airlock.agent_groups = 'finance'",
    "SET LOCAL airlock.session = 'x'",
    "RESET airlock.agent",
    "SELECT set_config('airlock.agent_groups', 'finance', true), current_setting('airlock.agent_groups', true)",
    "SELECT pg_catalog.set_config('airlock.agent', 'x', false)",
    "UPDATE pg_settings SET setting = 'finance' WHERE name = 'airlock.agent_groups'",
    "SELECT 1; SET airlock.agent = 'x'; SELECT current_setting('airlock.agent')",
  ])("PostgreSQL: %s is refused by the engine", async (sql) => {
    expectBlocked(await query(url(), fx.tokens.valid, { connection: PG_CONNECTION, sql }));
  });

  test("PostgreSQL: SET ROLE and SET SESSION AUTHORIZATION stay blocked by the default policy", async () => {
    for (const sql of ["SET ROLE postgres", "SET SESSION AUTHORIZATION postgres", "RESET ROLE"]) {
      const answer = await query(url(), fx.tokens.valid, { connection: PG_CONNECTION, sql });
      expectBlocked(answer, "block-session-identity");
    }
  });

  test("PostgreSQL: SET airlock.reason still runs", async () => {
    const answer = await query(url(), fx.tokens.valid, { connection: PG_CONNECTION, sql: "SET airlock.reason = 'checking a refund'" });
    expect(answer.status, answer.text).toBe(200);
  });

  test.each(["SET @airlock_agent = 'someone-else'", "SET @x = 1, @airlock_agent_groups = 'finance'", "SELECT @airlock_agent := 'x'", "SELECT 'finance' INTO @airlock_agent_groups", "SET @`airlock_session` = 'x'"])(
    "MySQL: %s is refused by the engine",
    async (sql) => {
      expectBlocked(await query(url(), fx.tokens.valid, { connection: MYSQL_CONNECTION, sql }));
    },
  );
});

describe("the PostgreSQL door (a pinned session)", () => {
  let client: pg.Client;
  let expected: string[];

  beforeAll(async () => {
    client = await wire.client(fx.tokens.valid);
    await wire.gateway.recorded();
    const recorded = await fx.store.agentSession.findFirst({ where: { agentId: fx.agent.id, frontDoor: "pgwire" }, orderBy: { startedAt: "desc" }, select: { id: true } });
    expected = [fx.agent.name, "engineering", recorded!.id, `airlock:${fx.agent.name}`];
  });

  const who = async () => Object.values((await client.query(PG_WHO)).rows[0] as Record<string, unknown>);

  test("the session carries the identity from its start, with the recording session's id", async () => {
    expect(await who()).toEqual(expected);
  });

  test.each([
    "SET airlock.agent = 'someone-else'",
    "SET SESSION airlock.agent_groups TO 'finance'",
    "RESET airlock.agent",
    "SET airlock.session TO DEFAULT",
    "SELECT set_config('airlock.agent', 'someone-else', false)",
  ])("%s is refused (42501) and changes nothing", async (sql) => {
    const error = await failure(client.query(sql));
    expect(error.code).toBe("42501");
    expect(await who()).toEqual(expected);
  });

  test("refused in the extended protocol and inside a client's transaction too", async () => {
    expect((await failure(client.query("SELECT set_config($1, $2, false)", ["airlock.agent", "x"]))).code).toBe("42501");
    await client.query("BEGIN");
    expect((await failure(client.query("SET LOCAL airlock.agent_groups = 'finance'"))).code).toBe("42501");
    await client.query("ROLLBACK");
    expect(await who()).toEqual(expected);
  });

  test("RESET ALL keeps it (it is the session's startup default); SET airlock.reason still works", async () => {
    await client.query("SET airlock.reason = 'checking a refund'");
    expect((await client.query("SHOW airlock.reason")).rows).toEqual([{ "airlock.reason": "checking a refund" }]);
    await client.query("RESET ALL");
    expect(await who()).toEqual(expected);
    // the default policy refuses DISCARD (the analysis cannot name what it resets); where a policy lets it run, it
    // restores the startup defaults like RESET ALL (tests/targets/identity.test.ts runs it on the session directly)
    const discarded = await client.query("DISCARD ALL").then(() => "ran", (error: { code?: string }) => error.code);
    expect(["ran", "42501"]).toContain(discarded);
    expect(await who()).toEqual(expected);
  });
});

describe("the MySQL door (its own target session)", () => {
  test("the session carries the identity, which an assignment cannot change and COM_RESET_CONNECTION keeps", async () => {
    const client = await mysqlDoor(fx.tokens.valid);
    await wire.gateway.recorded();
    const recorded = await fx.store.agentSession.findFirst({ where: { agentId: fx.agent.id, frontDoor: "mysqlwire" }, orderBy: { startedAt: "desc" }, select: { id: true } });
    const expected = { agent: fx.agent.name, grp: "engineering", sess: recorded!.id };
    const who = async () => {
      const [rows] = await client.query<mysql.RowDataPacket[]>(MY_WHO);
      return Object.fromEntries(Object.entries(rows[0]!).map(([key, value]) => [key, value === null ? null : String(value)]));
    };
    expect(await who()).toEqual(expected);
    for (const sql of ["SET @airlock_agent = 'someone-else'", "SELECT @airlock_agent_groups := 'finance'"]) {
      const error = (await client.query(sql).then(() => undefined, (caught: unknown) => caught)) as { errno?: number } | undefined;
      expect(error?.errno, sql).toBe(1227);
    }
    expect(await who()).toEqual(expected);
    await client.reset();
    expect(await who()).toEqual(expected);
  });
});

describe("row-level security per agent (README example)", () => {
  const NOTES = "SELECT team, note FROM team_notes ORDER BY id";

  test("each agent sees only its team's rows through Airlock", async () => {
    const engineering = await query(url(), fx.tokens.valid, { connection: RLS_CONNECTION, sql: NOTES });
    expect(engineering.status, engineering.text).toBe(200);
    expect(engineering.body.rows).toEqual([
      ["engineering", "deploy on Tuesday"],
      ["engineering", "rotate the keys"],
    ]);
    const financeRows = await query(url(), finance.token, { connection: RLS_CONNECTION, sql: NOTES });
    expect(financeRows.status, financeRows.text).toBe(200);
    expect(financeRows.body.rows).toEqual([
      ["finance", "Q3 budget"],
      ["finance", "payroll run"],
    ]);
  });

  test("through the PostgreSQL door as well, and RESET ALL does not widen it", async () => {
    const client = await wire.client(finance.token, RLS_CONNECTION);
    await client.query("RESET ALL");
    expect((await client.query(NOTES)).rows.map((row: { team: string }) => row.team)).toEqual(["finance", "finance"]);
  });

  test("an agent cannot claim another team's group", async () => {
    expectBlocked(await query(url(), fx.tokens.valid, { connection: RLS_CONNECTION, sql: `SELECT set_config('airlock.agent_groups', 'finance', true), team, note FROM team_notes` }));
    expectBlocked(await query(url(), fx.tokens.valid, { connection: RLS_CONNECTION, sql: `SET airlock.agent_groups = 'finance'; ${NOTES}` }));
  });

  test("without Airlock's identity the role sees no rows at all (fail closed)", async () => {
    const direct = new URL(fx.pgTarget.url);
    direct.username = rlsRole;
    direct.password = `pw-${suffix}`;
    const rows = await withPostgres(direct.toString(), async (client) => (await client.query(NOTES)).rows);
    expect(rows).toEqual([]);
  });
});
