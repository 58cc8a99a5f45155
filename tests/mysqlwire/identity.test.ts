import mysql from "mysql2/promise";
import { afterAll, beforeAll, expect, test } from "vitest";
import { AUDIENCE, makeSigningKey, startIdentityProvider, type RunningProvider } from "../identity/identity-provider";
import { createGatewayFixture, MYSQL_CONNECTION, type GatewayFixture } from "../gateway/support";
import { startMysqlDoor, type MysqlDoor } from "./support";

// An identity provider's JWT as the password: over TLS it is sent in clear and checked like a bearer credential
// (its groups reach the grants); without TLS it cannot fit the RSA exchange and is refused.

let fx: GatewayFixture;
let door: MysqlDoor;
let idp: RunningProvider;
const client = { clientId: "etl-bot", clientSecret: "etl-bot-secret-0123456789", groups: ["engineering"] };

beforeAll(async () => {
  idp = await startIdentityProvider({ clients: [client], key: await makeSigningKey("k1") });
  fx = await createGatewayFixture("mysqlwire_oidc");
  door = await startMysqlDoor(fx, { AIRLOCK_AGENT_OIDC_ISSUER: idp.issuer, AIRLOCK_AGENT_OIDC_AUDIENCE: AUDIENCE });
});

afterAll(async () => {
  await door?.stop();
  await fx?.cleanup();
  await idp?.stop();
});

test("a JWT over TLS: connected as the identity provider's agent, granted through its groups claim, masked", async () => {
  const jwt = await idp.token(client);
  const connection = await mysql.createConnection({ host: "127.0.0.1", port: door.port, user: "etl-bot", password: jwt, database: MYSQL_CONNECTION, ssl: { rejectUnauthorized: false } });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>("SELECT ssn FROM customers WHERE id = 1");
    expect(rows[0]!.ssn).toBe("****");
  } finally {
    await connection.end();
  }
  await door.gateway.recorded();
  const sessions = await fx.store.agentSession.findMany({ where: { frontDoor: "mysqlwire" }, include: { agent: true } });
  expect(sessions.map((session) => session.agent.name)).toContain("oidc:etl-bot");
});

test("a JWT that is not valid is refused with 1045", async () => {
  const jwt = await idp.token(client);
  const forged = `${jwt.slice(0, -4)}AAAA`;
  await expect(mysql.createConnection({ host: "127.0.0.1", port: door.port, user: "etl-bot", password: forged, database: MYSQL_CONNECTION, ssl: { rejectUnauthorized: false } })).rejects.toMatchObject({ errno: 1045 });
});
