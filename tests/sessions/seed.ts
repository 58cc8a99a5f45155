import pg from "pg";

// Synthetic recordings for the sessions table's tests and benchmark, written in a few set-based statements:
// `sessions` sessions, each `connect` + `statementsPerSession` × (statement, decision, result). Agents, connections
// and front doors rotate; decisions follow a fixed pattern (5 % block, 10 % require_approval, the rest
// allow); SQL texts mention customers, orders or (1 %) inventory. Two sessions start at each minute, at the same
// instants, so many rows tie on `at` and only the id orders them. Hashes are placeholders: this is for the table,
// not the chain (the replay tests record through the real recorder).

export interface SeedOptions {
  readonly sessions: number;
  readonly statementsPerSession: number;
  readonly agents?: number;
  readonly connections?: number;
  readonly start?: Date;
}

export interface Seeded {
  readonly agents: readonly { readonly id: string; readonly name: string }[];
  readonly connections: readonly { readonly id: string; readonly name: string }[];
  readonly events: number;
  readonly statements: number;
  readonly start: Date;
}

export const SEED_DOORS = ["http", "mcp", "pgwire", "mysqlwire"] as const;

export async function seedRecordings(url: string, options: SeedOptions): Promise<Seeded> {
  const agentCount = options.agents ?? 5;
  const connectionCount = options.connections ?? 3;
  const start = options.start ?? new Date("2026-10-01T00:00:00.000Z");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET TIME ZONE 'UTC'");
    const agents = await client.query<{ id: string; name: string }>(
      `INSERT INTO "Agent" (id, name, groups) SELECT gen_random_uuid(), 'bench-agent-' || n, '{}' FROM generate_series(0, $1::int - 1) n RETURNING id::text, name`,
      [agentCount],
    );
    const connections = await client.query<{ id: string; name: string }>(
      `INSERT INTO "Connection" (id, name, engine, host, port, database, username, "secretCiphertext", "updatedAt")
       SELECT gen_random_uuid(), 'bench-db-' || n, 'postgres', '127.0.0.1', 5432, 'db', 'u', '\\x00'::bytea, now()
         FROM generate_series(0, $1::int - 1) n RETURNING id::text, name`,
      [connectionCount],
    );
    agents.rows.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    connections.rows.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    const perSession = 1 + 3 * options.statementsPerSession;
    await client.query(
      `CREATE TEMP TABLE seed_session AS
       SELECT n, gen_random_uuid() AS id,
              ($2::text[])[1 + n % array_length($2::text[], 1)]::uuid AS agent,
              ($3::text[])[1 + n % array_length($3::text[], 1)]::uuid AS conn,
              ($4::text[])[1 + n % 4]::"FrontDoor" AS door,
              $5::timestamp + make_interval(mins => n / 2) AS started
         FROM generate_series(0, $1::int - 1) n`,
      [options.sessions, agents.rows.map((a) => a.id), connections.rows.map((c) => c.id), SEED_DOORS, start.toISOString().replace("Z", "")],
    );
    await client.query(
      `INSERT INTO "AgentSession" (id, "agentId", "connectionId", "frontDoor", "startedAt", "endedAt", "headHash", "eventCount")
       SELECT id, agent, conn, door, started, started + interval '1 minute', 'seed', $1::int FROM seed_session ORDER BY n`,
      [perSession],
    );
    // seq 1 = connect; then for statement j (0-based): seq 2+3j statement, 3+3j decision, 4+3j result.
    await client.query(
      `INSERT INTO "SessionEvent" ("sessionId", seq, type, at, decision, "sqlText", payload, "prevHash", hash)
       SELECT s.id, e.seq, e.type::"SessionEventType", s.started + make_interval(secs => e.j + 1), e.decision, e.sql, e.payload, 'seed', 'seed'
         FROM seed_session s
        CROSS JOIN LATERAL (
          SELECT 1 AS seq, -1 AS j, 'connect' AS type, NULL::text AS decision, NULL::text AS sql, '{}'::jsonb AS payload
          UNION ALL
          SELECT 2 + 3 * j + k, j,
                 (ARRAY['statement', 'decision', 'result'])[k + 1],
                 CASE WHEN k = 1 THEN
                   CASE WHEN d < 1 THEN 'block' WHEN d < 3 THEN 'require_approval' ELSE 'allow' END
                 END,
                 CASE WHEN k = 0 THEN
                   CASE WHEN d < 1 THEN 'DROP TABLE orders_' || s.n
                        WHEN d < 3 THEN 'UPDATE orders SET status = ''refunded'' WHERE id = ' || (s.n * 31 + j)
                        WHEN (s.n * 7 + j) % 100 = 0 THEN 'SELECT sku, quantity FROM inventory WHERE sku = ' || j
                        WHEN d < 8 THEN 'SELECT name, email, card_number FROM customers WHERE id = ' || (s.n + j)
                        ELSE 'SELECT id, total_cents FROM orders WHERE customer_id = ' || (s.n + j) END
                 END,
                 CASE WHEN k = 2 THEN '{"statements":[{"command":"SELECT","rowCount":1,"columns":["id"],"maskedColumns":[],"sample":[[1]]}]}'::jsonb ELSE '{}'::jsonb END
            FROM generate_series(0, $1::int - 1) j
           CROSS JOIN generate_series(0, 2) k
           CROSS JOIN LATERAL (SELECT (s.n * 13 + j * 7) % 20 AS d) pattern
        ) e
        ORDER BY s.n, e.seq`,
      [options.statementsPerSession],
    );
    await client.query("DROP TABLE seed_session");
    await client.query(`ANALYZE "SessionEvent"; ANALYZE "AgentSession"`);
    return {
      agents: agents.rows,
      connections: connections.rows,
      events: options.sessions * perSession,
      statements: options.sessions * options.statementsPerSession,
      start,
    };
  } finally {
    await client.end();
  }
}
