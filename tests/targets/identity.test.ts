import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { query } from "../../gateway/protocols/postgres/serializer";
import { TargetRegistry, type PgWireSession, type Target, type TargetIdentity } from "../../gateway/targets";
import { createScratchMysql, createScratchPostgres, withMysql, type ScratchDatabase } from "../support/databases";
import { connectionFromUrl, defaults, masterKey, targetError } from "./support";

// The agent's identity as the target sees it (gateway/targets/identity.ts), on pools of ONE connection, so every call
// reuses the connection the one before it used: what an agent's call set must never be seen by the next one.

const ada: TargetIdentity = { agent: "ada-bot", groups: ["engineering", "ops"], session: "11111111-1111-4111-8111-111111111111" };
const bob: TargetIdentity = { agent: "bob-bot", groups: ["finance"], session: "22222222-2222-4222-8222-222222222222" };

let pgDb: ScratchDatabase;
let myDb: ScratchDatabase;
let registry: TargetRegistry;
let pgTarget: Target;
let myTarget: Target;

beforeAll(async () => {
  [pgDb, myDb] = await Promise.all([createScratchPostgres("targets_identity"), createScratchMysql("targets_identity")]);
  await withMysql(myDb.url, (connection) =>
    connection.query(`
      CREATE FUNCTION whoami() RETURNS TEXT NOT DETERMINISTIC NO SQL
        RETURN CONCAT(IFNULL(@airlock_agent, '-'), '|', IFNULL(@airlock_agent_groups, '-'), '|', IFNULL(@airlock_session, '-'));
    `),
  );
  registry = new TargetRegistry({ masterKey, poolSize: 1 });
  pgTarget = registry.target(connectionFromUrl(pgDb.url, "postgres"));
  myTarget = registry.target(connectionFromUrl(myDb.url, "mysql"));
});

afterAll(async () => {
  await registry?.close();
  await Promise.all([pgDb?.drop(), myDb?.drop()]);
});

const PG_WHO =
  "SELECT current_setting('airlock.agent', true) AS agent, current_setting('airlock.agent_groups', true) AS groups, current_setting('airlock.session', true) AS session, current_setting('application_name') AS app, pg_backend_pid() AS pid";

describe("PostgreSQL, pooled: transaction-local settings with the statement", () => {
  it("the statement sees the agent, its groups, the session and application_name; only its own row comes back", async () => {
    const result = await pgTarget.execute(PG_WHO, [], { ...defaults, identity: ada });
    expect(result.rows).toHaveLength(1);
    expect(result.rowCount).toBe(1);
    expect(result.rows[0]!.slice(0, 4)).toEqual(["ada-bot", "engineering,ops", ada.session, "airlock:ada-bot"]);
    expect(result.columns.map((column) => column.name)).toEqual(["agent", "groups", "session", "app", "pid"]);
  });

  it("two agents alternating on one connection each see only their own identity; a call without one sees none", async () => {
    const seen: unknown[][] = [];
    for (const identity of [ada, bob, ada, undefined, bob]) {
      seen.push((await pgTarget.execute(PG_WHO, [], { ...defaults, ...(identity ? { identity } : {}) })).rows[0]!);
    }
    expect(new Set(seen.map((row) => row[4])).size).toBe(1); // one connection throughout
    expect(seen.map((row) => row.slice(0, 4))).toEqual([
      ["ada-bot", "engineering,ops", ada.session, "airlock:ada-bot"],
      ["bob-bot", "finance", bob.session, "airlock:bob-bot"],
      ["ada-bot", "engineering,ops", ada.session, "airlock:ada-bot"],
      // transaction-local values are gone after COMMIT ('' once the session has seen the setting)
      ["", "", "", "airlock-gateway"],
      ["bob-bot", "finance", bob.session, "airlock:bob-bot"],
    ]);
  });

  it("several statements of one text share the identity; a failed statement leaves none behind", async () => {
    const results = await pgTarget.executeAll(["SELECT current_setting('airlock.agent', true)", "SELECT current_setting('airlock.agent_groups', true)"], { ...defaults, identity: bob });
    expect(results.map((result) => result.rows)).toEqual([[["bob-bot"]], [["finance"]]]);
    expect((await targetError(pgTarget.execute("SELECT 1/0", [], { ...defaults, identity: ada }))).sqlState).toBe("22012");
    expect((await pgTarget.execute("SELECT current_setting('airlock.agent', true)", [], defaults)).rows).toEqual([[""]]);
  });

  it("the statement timeout still holds (it is set in the same statement as the identity)", async () => {
    const timeout = await pgTarget.execute("SHOW statement_timeout", [], { ...defaults, timeoutMs: 1234, identity: ada });
    expect(timeout.rows).toEqual([["1234ms"]]);
    const error = await targetError(pgTarget.execute("SELECT pg_sleep(5)", [], { ...defaults, timeoutMs: 300, identity: ada }));
    expect(error.code).toBe("timeout");
  });

  it("parameters, row limits and read-only transactions work as before", async () => {
    const result = await pgTarget.execute("SELECT g, current_setting('airlock.agent', true) FROM generate_series(1, $1::int) g", [10], { ...defaults, rowLimit: 3, readOnly: true, identity: ada });
    expect(result.rows).toEqual([[1, "ada-bot"], [2, "ada-bot"], [3, "ada-bot"]]);
    expect(result.truncated).toBe(true);
    expect((await targetError(pgTarget.execute("CREATE TABLE nope (a int)", [], { ...defaults, readOnly: true, identity: ada }))).code).toBe("read_only_violation");
  });

  it("values are bound, never spliced into the text", async () => {
    const odd: TargetIdentity = { agent: "o'brien\"; DROP TABLE x; --", groups: ["a'b"], session: "s" };
    const result = await pgTarget.execute("SELECT current_setting('airlock.agent', true), current_setting('airlock.agent_groups', true)", [], { ...defaults, identity: odd });
    expect(result.rows).toEqual([[odd.agent, "a'b"]]);
  });

  it("the identity statement is prepared once per connection and only bound and executed after that", async () => {
    await pgTarget.execute("SELECT 1", [], { ...defaults, identity: ada });
    const prepared = await pgTarget.execute("SELECT name, from_sql FROM pg_prepared_statements", [], { ...defaults, identity: bob });
    expect(prepared.rows).toEqual([["airlock_identity", false]]);
  });

  it("costs no extra round trip: the timeout's SET LOCAL becomes one prepared SELECT set_config (figures printed, not asserted)", async () => {
    const figures = await timings(300, {
      "without identity": () => pgTarget.execute("SELECT 1", [], defaults),
      "with identity": () => pgTarget.execute("SELECT 1", [], { ...defaults, identity: ada }),
    });
    console.log(`[identity overhead, PostgreSQL pooled, SELECT 1] ${figures}`);
  });
});

const MY_WHO = "SELECT whoami() AS who, CONNECTION_ID() AS id";

describe("MySQL/MariaDB, pooled: user variables set when the connection is borrowed", () => {
  it("the statement sees @airlock_agent, @airlock_agent_groups and @airlock_session", async () => {
    const result = await myTarget.execute(MY_WHO, [], { ...defaults, identity: ada });
    expect(result.rows[0]![0]).toBe(`ada-bot|engineering,ops|${ada.session}`);
  });

  it("two agents alternating on one connection each see only their own; a call without one sees NULLs", async () => {
    const seen: unknown[][] = [];
    for (const identity of [ada, bob, bob, ada, undefined, ada]) {
      seen.push((await myTarget.execute(MY_WHO, [], { ...defaults, ...(identity ? { identity } : {}) })).rows[0]!);
    }
    expect(new Set(seen.map((row) => row[1])).size).toBe(1); // one connection throughout
    expect(seen.map((row) => row[0])).toEqual([
      `ada-bot|engineering,ops|${ada.session}`,
      `bob-bot|finance|${bob.session}`,
      `bob-bot|finance|${bob.session}`,
      `ada-bot|engineering,ops|${ada.session}`,
      "-|-|-",
      `ada-bot|engineering,ops|${ada.session}`,
    ]);
  });

  it("a read-only call gets it too (user variables are no write)", async () => {
    const result = await myTarget.execute("SELECT whoami()", [], { ...defaults, readOnly: true, identity: bob });
    expect(result.rows).toEqual([[`bob-bot|finance|${bob.session}`]]);
  });

  it("several statements of one text share it; bound values survive quotes", async () => {
    const odd: TargetIdentity = { agent: "o'brien\\'; --", groups: [], session: "s" };
    const results = await myTarget.executeAll(["SELECT whoami()", "SELECT whoami()"], { ...defaults, identity: odd });
    expect(results.map((result) => result.rows[0]![0])).toEqual([`${odd.agent}||s`, `${odd.agent}||s`]);
  });

  it("a statement that reads the variables directly leaves its connection out of the pool, and the next is fresh", async () => {
    expect((await myTarget.execute("SELECT @airlock_agent", [], { ...defaults, identity: bob })).rows).toEqual([["bob-bot"]]);
    expect((await myTarget.execute("SELECT whoami()", [], defaults)).rows).toEqual([["-|-|-"]]);
  });

  it("costs one round trip when the connection changes hands, none when the same agent borrows it again (figures printed, not asserted)", async () => {
    let flip = false;
    // each variant on its own (interleaved, every call would change hands)
    const figures = [
      await timings(200, { "without identity": () => myTarget.execute("SELECT 1", [], defaults) }),
      await timings(200, { "the same agent again": () => myTarget.execute("SELECT 1", [], { ...defaults, identity: ada }) }),
      await timings(200, { "agents alternating": () => myTarget.execute("SELECT 1", [], { ...defaults, identity: (flip = !flip) ? ada : bob }) }),
    ];
    console.log(`[identity overhead, MariaDB pooled, SELECT 1] ${figures.join(", ")}`);
  });
});

describe("MySQL/MariaDB, a door's own session", () => {
  it("holds the identity from the start and again after COM_RESET_CONNECTION", async () => {
    const session = await myTarget.openMysqlSession!(10_000, ada);
    try {
      // the door's session keeps the server's bytes (a TEXT function's value comes back as a Buffer)
      const text = async (sql: string) => (await session.execute(sql, [], defaults)).rows.map((row) => row.map((value) => (value === null ? null : String(value))));
      expect(await text("SELECT whoami()")).toEqual([[`ada-bot|engineering,ops|${ada.session}`]]);
      await session.execute("SET @other = 1", [], defaults);
      await session.reset(10_000);
      expect(await text("SELECT whoami(), @other")).toEqual([[`ada-bot|engineering,ops|${ada.session}`, null]]);
    } finally {
      session.close();
    }
  });
});

describe("PostgreSQL, a door's own session", () => {
  it("holds the identity as startup parameters, which RESET ALL and DISCARD ALL bring back", async () => {
    const session = await pgTarget.openSession!({ parameters: new Map([["application_name", "psql"]]), statementTimeoutMs: 10_000, identity: ada });
    try {
      // the client's application_name gives way to the agent's
      expect(session.parameters.get("application_name")).toBe("airlock:ada-bot");
      const who = "SELECT current_setting('airlock.agent'), current_setting('airlock.agent_groups'), current_setting('airlock.session'), current_setting('application_name')";
      const expected = ["ada-bot", "engineering,ops", ada.session, "airlock:ada-bot"];
      expect(await simpleQuery(session, who)).toEqual([expected]);
      // what the engine refuses from a client, run here directly: RESET and DISCARD cannot take the identity away
      await simpleQuery(session, "SET airlock.agent = 'someone-else'; SET application_name = 'x'");
      expect((await simpleQuery(session, who))[0]![0]).toBe("someone-else");
      await simpleQuery(session, "RESET ALL");
      expect(await simpleQuery(session, who)).toEqual([expected]);
      await simpleQuery(session, "SET airlock.agent_groups = 'finance'");
      await simpleQuery(session, "DISCARD ALL");
      expect(await simpleQuery(session, who)).toEqual([expected]);
      await simpleQuery(session, "SET airlock.session = 'x'; RESET airlock.session");
      expect(await simpleQuery(session, who)).toEqual([expected]);
    } finally {
      session.close();
    }
  });
});

/** A simple-protocol query on a pinned session's raw frames: the text values of its DataRows (rejects on an ErrorResponse). */
function simpleQuery(session: PgWireSession, sql: string): Promise<(string | null)[][]> {
  return new Promise((resolve, reject) => {
    const rows: (string | null)[][] = [];
    let failed: string | undefined;
    session.onFrame = (frame) => {
      if (frame.code === 0x44) rows.push(dataRow(frame.payload));
      else if (frame.code === 0x45) failed = frame.payload.toString("utf8");
      else if (frame.code === 0x5a) {
        if (failed) reject(new Error(failed));
        else resolve(rows);
      }
    };
    session.write(query(sql));
  });
}

function dataRow(payload: Buffer): (string | null)[] {
  const count = payload.readInt16BE(0);
  const values: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    const length = payload.readInt32BE(at);
    at += 4;
    values.push(length < 0 ? null : payload.subarray(at, at + length).toString("utf8"));
    at += Math.max(0, length);
  }
  return values;
}

/** Median milliseconds per call of each variant, interleaved so they share the machine's noise. */
async function timings(rounds: number, variants: Record<string, () => Promise<unknown>>): Promise<string> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (const run of Object.values(variants)) await run(); // warm-up
  for (let i = 0; i < rounds; i++) {
    for (const [name, run] of Object.entries(variants)) {
      const started = performance.now();
      await run();
      samples[name]!.push(performance.now() - started);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return Object.entries(samples)
    .map(([name, values]) => `${name}: ${(median(values) * 1000).toFixed(0)} µs`)
    .join(", ");
}
