import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { PreviewMasker, PreviewRequest, WritePreview } from "../../gateway/approvals/preview/types";
import { TargetRegistry, type Target } from "../../gateway/targets";
import { analyze, initSqlParsers } from "../../lib/sql";
import { createScratchPostgres, type ScratchDatabase } from "../support/databases";
import { connectionFromUrl, defaults, masterKey } from "../targets/support";

// The dry run of a write through the PostgreSQL target's previewWrite, against the machine's PostgreSQL: what it
// reports, that nothing it touches stays changed, that flagged statements never run, and that the pooled
// connection goes back clean. The target has ONE pooled connection, so every call after a preview reuses it.

let db: ScratchDatabase;
let registry: TargetRegistry;
let target: Target;
let admin: pg.Client;

/** Replaces column "ssn" with "***" and says so: stands in for the agent's masking rules. */
const maskSsn: PreviewMasker = async (_table, columns, rows) => {
  const at = columns.indexOf("ssn");
  return { rows: rows.map((row) => (row === null || at < 0 ? row : row.map((value, i) => (i === at ? "***" : value)))), maskedColumns: at < 0 ? [] : ["ssn"] };
};

function request(sql: string, params: unknown[] = [], overrides: Partial<PreviewRequest> = {}): PreviewRequest {
  return { statement: analyze(sql, "postgres").statements[0]!, params, sampleRows: 5, statementTimeoutMs: 5_000, lockTimeoutMs: 1_000, mask: maskSsn, ...overrides };
}

function preview(sql: string, params: unknown[] = [], overrides: Partial<PreviewRequest> = {}): Promise<WritePreview> {
  return target.previewWrite!(request(sql, params, overrides));
}

/** The statement is flagged (not run), and one of its flags says `detail`. */
async function flagged(sql: string, detail: RegExp): Promise<void> {
  const result = await preview(sql);
  expect(result.status, sql).toBe("explained");
  expect(result.flags.map((flag) => flag.detail).join(" | "), sql).toMatch(detail);
}

async function one<T>(sql: string): Promise<T> {
  return (await admin.query(sql)).rows[0] as T;
}

const accountsChecksum = () => one<{ rows: number; balance: string; names: string }>("SELECT count(*)::int AS rows, sum(balance)::text AS balance, md5(string_agg(name || ssn, ',' ORDER BY id)) AS names FROM accounts");

beforeAll(async () => {
  await initSqlParsers();
  db = await createScratchPostgres("preview_pg");
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`
    CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, ssn text, balance int NOT NULL);
    INSERT INTO accounts SELECT g, 'name ' || g, '123-45-' || lpad(g::text, 4, '0'), 100 FROM generate_series(1, 50) g;
    CREATE TABLE bonus (id int, balance int, name text);
    INSERT INTO bonus SELECT g, g * 10, 'bonus ' || g FROM generate_series(1, 3) g;
    CREATE TABLE plain (id int PRIMARY KEY, label text);
    CREATE TABLE nokey (label text, n int);
    INSERT INTO nokey SELECT 'row ' || g, g FROM generate_series(1, 3) g;
    CREATE TABLE counters (id serial PRIMARY KEY, label text);
    CREATE TABLE audited (id int PRIMARY KEY, v int);
    INSERT INTO audited VALUES (1, 1);
    CREATE VIEW rich AS SELECT id, name, ssn, balance FROM accounts WHERE balance >= 100;
    CREATE SCHEMA x;
    CREATE TABLE x.y (id int PRIMARY KEY, label text, other text);
    CREATE TABLE "x.y" (id int PRIMARY KEY, ssn text, label text);
    CREATE TABLE "only.dotted" (id int PRIMARY KEY, ssn text);
    INSERT INTO "only.dotted" VALUES (1, '123-45-6789');
    CREATE SEQUENCE side_seq;
    -- reaches outside the transaction, like dblink: a sequence does not roll back
    CREATE FUNCTION side_effect(int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN RETURN nextval('side_seq')::int + $1; END $$;
    -- the same, mislabelled IMMUTABLE: the planner calls it while planning, so not even EXPLAIN may run
    CREATE FUNCTION folded(int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN nextval('side_seq')::int + $1; END $$;
    CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('side_seq'); RETURN NEW; END $$;
    CREATE TRIGGER audited_update BEFORE UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION audit_row();
  `);
  registry = new TargetRegistry({ masterKey, poolSize: 1 });
  target = registry.target(connectionFromUrl(db.url, "postgres"));
});

afterAll(async () => {
  await registry?.close();
  await admin?.end();
  await db?.drop();
});

describe("previewWrite on PostgreSQL: dry runs", () => {
  it("runs a 10-row UPDATE, reports it exactly with a masked before/after sample, and leaves the table unchanged", async () => {
    const before = await accountsChecksum();
    const result = await preview("UPDATE accounts SET balance = balance + $1, ssn = ssn || '-x' WHERE id <= $2", [5, 10]);
    expect(result).toMatchObject({ status: "ran", engine: "postgres", flags: [], rowsAffected: 10 });
    expect(result.estimatedRows).toBeGreaterThan(0);
    expect(result.estimatedCost).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThan(0);
    const sample = result.sample!;
    expect(sample.table).toBe("accounts");
    expect(sample.columns).toEqual(["id", "name", "ssn", "balance"]);
    expect(sample.maskedColumns).toEqual(["ssn"]);
    expect(sample.before).toHaveLength(5);
    expect(sample.after).toHaveLength(5);
    for (let i = 0; i < 5; i++) {
      const [oldId, , oldSsn, oldBalance] = sample.before[i]!;
      const [newId, , newSsn, newBalance] = sample.after[i]!;
      expect(newId).toBe(oldId);
      expect(oldBalance).toBe(100);
      expect(newBalance).toBe(105);
      expect([oldSsn, newSsn]).toEqual(["***", "***"]);
    }
    expect(JSON.stringify(sample)).not.toContain("123-45-");
    expect(await accountsChecksum()).toEqual(before);
  });

  it("runs as the asking agent: its identity settings are set for the dry run", async () => {
    const result = await preview("UPDATE accounts SET name = current_setting('airlock.agent', true) || ' in ' || current_setting('airlock.agent_groups', true) WHERE id = 9", [], {
      identity: { agent: "claude-ops", groups: ["ops", "dba"], session: "00000000-0000-4000-8000-000000000009" },
    });
    expect(result).toMatchObject({ status: "ran", rowsAffected: 1 });
    expect(result.sample!.after[0]![1]).toBe("claude-ops in ops,dba");
    expect(await one("SELECT name FROM accounts WHERE id = 9")).toEqual({ name: "name 9" });
  });

  it("samples a DELETE as before rows only, and an INSERT as after rows only", async () => {
    const deleted = await preview("DELETE FROM accounts WHERE id > 45", [], { sampleRows: 3 });
    expect(deleted).toMatchObject({ status: "ran", rowsAffected: 5 });
    expect(deleted.sample!.before.map((row) => row?.[0])).toEqual([46, 47, 48]);
    expect(deleted.sample!.before[0]![2]).toBe("***");
    expect(deleted.sample!.after).toEqual([null, null, null]);
    const inserted = await preview("INSERT INTO plain (id, label) VALUES (1, 'a'), (2, 'b')");
    expect(inserted).toMatchObject({ status: "ran", rowsAffected: 2 });
    expect(inserted.sample).toMatchObject({ table: "plain", columns: ["id", "label"], before: [null, null], after: [[1, "a"], [2, "b"]], maskedColumns: [] });
    expect(await one("SELECT (SELECT count(*)::int FROM accounts) AS accounts, (SELECT count(*)::int FROM plain) AS plain")).toEqual({ accounts: 50, plain: 0 });
  });

  it("pairs an upsert's updated row with the row as it was", async () => {
    const result = await preview("INSERT INTO accounts (id, name, ssn, balance) VALUES (1, 'renamed', '999-99-9999', 1), (99, 'new', NULL, 0) ON CONFLICT (id) DO UPDATE SET name = excluded.name");
    expect(result).toMatchObject({ status: "ran", rowsAffected: 2 });
    expect(result.sample!.before).toEqual([[1, "name 1", "***", 100], null]);
    expect(result.sample!.after).toEqual([[1, "renamed", "***", 100], [99, "new", "***", 0]]);
    expect(await one("SELECT name FROM accounts WHERE id = 1")).toEqual({ name: "name 1" });
  });

  it("does not pair rows whose primary key the statement assigns: after rows only, flagged key_changed", async () => {
    // id + 1 moves row 1 onto id 2, which exists: paired by the new key, row 2 would pass for row 1 as it was.
    const moved = await preview("UPDATE accounts SET id = id + 100, balance = 7 WHERE id <= 2");
    expect(moved).toMatchObject({ status: "ran", rowsAffected: 2, flags: [{ code: "key_changed", detail: "id" }] });
    expect(moved.sample!.before).toEqual([null, null]);
    expect(moved.sample!.after).toEqual([[101, "name 1", "***", 7], [102, "name 2", "***", 7]]);
    const multi = await preview("UPDATE accounts SET (balance, id) = (0, id * 1000) WHERE id = 3");
    expect(multi).toMatchObject({ status: "ran", rowsAffected: 1, flags: [{ code: "key_changed" }] });
    const upsert = await preview("INSERT INTO accounts (id, name, balance) VALUES (1, 'x', 0) ON CONFLICT (id) DO UPDATE SET id = 500");
    expect(upsert).toMatchObject({ status: "ran", rowsAffected: 1, flags: [{ code: "key_changed" }] });
    expect(upsert.sample!.before).toEqual([null]);
    // Assigning other columns keeps the pairing.
    const kept = await preview("INSERT INTO accounts (id, name, balance) VALUES (1, 'x', 0) ON CONFLICT (id) DO UPDATE SET name = 'y'");
    expect(kept).toMatchObject({ flags: [] });
    expect(kept.sample!.before).toEqual([[1, "name 1", "***", 100]]);
    expect(await one("SELECT count(*)::int AS n, max(id) AS top FROM accounts")).toEqual({ n: 50, top: 50 });
  });

  it("handles UPDATE … FROM with clashing column names, aliases, WITH clauses and trailing comments", async () => {
    const from = await preview("UPDATE accounts AS a SET balance = b.balance FROM bonus b WHERE b.id = a.id");
    expect(from).toMatchObject({ status: "ran", rowsAffected: 3 });
    expect(from.sample!.columns).toEqual(["id", "name", "ssn", "balance"]);
    expect(from.sample!.before).toEqual([[1, "name 1", "***", 100], [2, "name 2", "***", 100], [3, "name 3", "***", 100]]);
    expect(from.sample!.after).toEqual([[1, "name 1", "***", 10], [2, "name 2", "***", 20], [3, "name 3", "***", 30]]);
    const withClause = await preview("WITH picked AS (SELECT id FROM accounts WHERE id BETWEEN 20 AND 22) UPDATE accounts SET balance = 0 WHERE id IN (SELECT id FROM picked)");
    expect(withClause).toMatchObject({ status: "ran", rowsAffected: 3 });
    expect(withClause.sample!.after.map((row) => row?.[3])).toEqual([0, 0, 0]);
    const commented = await preview("UPDATE accounts SET balance = 0 WHERE id = 7 -- one row;");
    expect(commented).toMatchObject({ status: "ran", rowsAffected: 1 });
    expect(await one("SELECT sum(balance)::int AS total FROM accounts")).toEqual({ total: 5000 });
  });

  it("has no before rows without a primary key, and no sample for RETURNING, MERGE or nested writes (rows from the tag)", async () => {
    const nokey = await preview("UPDATE nokey SET n = n + 1");
    expect(nokey).toMatchObject({ status: "ran", rowsAffected: 3 });
    expect(nokey.sample!.before).toEqual([null, null, null]);
    expect(nokey.sample!.after).toEqual([["row 1", 2], ["row 2", 3], ["row 3", 4]]);
    const returning = await preview("UPDATE accounts SET balance = 0 WHERE id <= 4 RETURNING id, ssn");
    expect(returning).toMatchObject({ status: "ran", rowsAffected: 4 });
    expect(returning.sample).toBeUndefined();
    const merge = await preview("MERGE INTO accounts a USING (VALUES (1, 7), (2, 8)) AS v(id, b) ON a.id = v.id WHEN MATCHED THEN UPDATE SET balance = v.b");
    expect(merge).toMatchObject({ status: "ran", rowsAffected: 2 });
    const nested = await preview("WITH gone AS (DELETE FROM bonus WHERE id = 1 RETURNING id) UPDATE accounts SET balance = 1 WHERE id IN (SELECT id FROM gone)");
    expect(nested).toMatchObject({ status: "ran", rowsAffected: 1 });
    expect(await one("SELECT (SELECT sum(balance)::int FROM accounts) AS total, (SELECT count(*)::int FROM bonus) AS bonus, (SELECT sum(n)::int FROM nokey) AS n")).toEqual({ total: 5000, bonus: 3, n: 6 });
  });

  it("samples a write through a view by the view's columns, and refuses a name that means two tables", async () => {
    const view = await preview("UPDATE rich SET balance = 101 WHERE id <= 2");
    expect(view).toMatchObject({ status: "ran", rowsAffected: 2 });
    expect(view.sample).toMatchObject({ table: "rich", columns: ["id", "name", "ssn", "balance"], maskedColumns: ["ssn"] });
    expect(view.sample!.before).toEqual([null, null]); // a view has no primary key to pair rows by
    expect(view.sample!.after).toEqual([[1, "name 1", "***", 101], [2, "name 2", "***", 101]]);
    // `"x.y"` (public) and `x.y` (schema x) are both "x.y" to the analysis
    const dotted = await preview('UPDATE "x.y" SET label = label');
    expect(dotted).toMatchObject({ status: "explained", flags: [{ code: "unsupported", detail: expect.stringContaining("names two tables") }] });
    const onlyDotted = await preview('UPDATE "only.dotted" SET ssn = ssn');
    expect(onlyDotted).toMatchObject({ status: "ran", rowsAffected: 1, sample: { table: "only.dotted", columns: ["id", "ssn"], maskedColumns: ["ssn"], after: [[1, "***"]] } });
    expect(await one("SELECT sum(balance)::int AS total FROM accounts")).toEqual({ total: 5000 });
  });
});

describe("previewWrite on PostgreSQL: what is flagged is not run", () => {
  const sequence = () => one<{ last_value: string; is_called: boolean }>("SELECT last_value::text, is_called FROM side_seq");
  const codes = (result: WritePreview) => result.flags.map((flag) => flag.code);

  it("flags nextval, an INSERT into a serial table and user functions, and never advances a sequence", async () => {
    const nextval = await preview("UPDATE accounts SET balance = nextval('side_seq') WHERE id = 1");
    expect(nextval).toMatchObject({ status: "explained" });
    expect(codes(nextval)).toEqual(["sequence"]);
    expect(nextval.estimatedRows).toBeGreaterThan(0);
    expect(nextval.rowsAffected).toBeUndefined();
    const serial = await preview("INSERT INTO counters (label) VALUES ('x')");
    expect(serial).toMatchObject({ status: "explained" });
    expect(codes(serial)).toEqual(["sequence"]);
    const user = await preview("UPDATE accounts SET balance = side_effect(balance) WHERE id = 1");
    expect(codes(user)).toEqual(["volatile_function"]);
    expect(user.estimatedRows).toBeGreaterThan(0); // a VOLATILE function is never called while planning
    const mislabelled = await preview("UPDATE accounts SET balance = folded(1) WHERE id = 1");
    expect(codes(mislabelled)).toEqual(["volatile_function"]);
    expect(mislabelled.estimatedRows).toBeUndefined(); // planning would have called it: no EXPLAIN
    const trigger = await preview("UPDATE audited SET v = 2");
    expect(trigger).toMatchObject({ status: "explained" });
    expect(trigger.flags[0]).toMatchObject({ code: "volatile_function", detail: expect.stringContaining("audited_update") });
    expect(await sequence()).toEqual({ last_value: "1", is_called: false });
    expect(await one("SELECT last_value::text, is_called FROM counters_id_seq")).toEqual({ last_value: "1", is_called: false });
    expect(await one("SELECT (SELECT count(*)::int FROM counters) AS counters, (SELECT balance FROM accounts WHERE id = 1) AS balance, (SELECT v FROM audited) AS v")).toEqual({ counters: 0, balance: 100, v: 1 });
  });

  it("flags user functions the write calls without naming them, writes through a view onto a triggered table, and cascades to triggered tables", async () => {
    await admin.query(`
      CREATE FUNCTION bump() RETURNS int LANGUAGE sql VOLATILE AS $$ SELECT nextval('side_seq')::int $$;
      CREATE FUNCTION fine(int) RETURNS bool LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM nextval('side_seq'); RETURN true; END $$;
      CREATE TABLE defaulted (id int PRIMARY KEY, v int DEFAULT bump());
      INSERT INTO defaulted VALUES (1, 0);
      CREATE TABLE checked (id int PRIMARY KEY, v int CHECK (fine(v)));
      ALTER TABLE checked DISABLE TRIGGER ALL;
      INSERT INTO checked VALUES (1, 1);
      CREATE TABLE secured (id int PRIMARY KEY, v int);
      INSERT INTO secured VALUES (1, 1);
      ALTER TABLE secured ENABLE ROW LEVEL SECURITY;
      ALTER TABLE secured FORCE ROW LEVEL SECURITY;
      CREATE POLICY secured_rows ON secured USING (fine(v));
      CREATE VIEW audited_view AS SELECT id, v FROM audited;
      CREATE TABLE parent (id int PRIMARY KEY);
      CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE);
      INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);
      CREATE TRIGGER child_deleted AFTER DELETE ON child FOR EACH ROW EXECUTE FUNCTION audit_row();
    `);
    const before = await sequence();
    await flagged("INSERT INTO defaulted (id) VALUES (2)", /defaults, constraints or indexes call bump/);
    await flagged("UPDATE checked SET v = 2", /call fine/);
    await flagged("DELETE FROM secured", /row-level security policies call fine/);
    await flagged("UPDATE audited_view SET v = 5", /view over relations .*audited\.audited_update/);
    await flagged("DELETE FROM parent WHERE id = 1", /cascade to tables with triggers \(child\)/);
    // A default is not run by a DELETE: that one is previewed.
    expect(await preview("DELETE FROM defaulted")).toMatchObject({ status: "ran", rowsAffected: 1 });
    expect(await sequence()).toEqual(before);
    expect(await one("SELECT (SELECT count(*)::int FROM defaulted) AS d, (SELECT count(*)::int FROM child) AS c, (SELECT v FROM audited) AS v")).toEqual({ d: 1, c: 1, v: 1 });
  });

  it("flags what runs unnamed: user operators, casts and look-alike functions, domain checks, partitions' triggers, SET … = DEFAULT", async () => {
    await admin.query(`
      CREATE FUNCTION sneaky_eq(int, int) RETURNS bool LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM nextval('side_seq'); RETURN $1 = $2; END $$;
      CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = sneaky_eq);
      CREATE TYPE boxed AS (v int);
      CREATE FUNCTION unbox(boxed) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM nextval('side_seq'); RETURN ($1).v; END $$;
      CREATE CAST (boxed AS int) WITH FUNCTION unbox(boxed);
      CREATE FUNCTION public.abs(text) RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM nextval('side_seq'); RETURN 1; END $$;
      CREATE FUNCTION positive(int) RETURNS bool LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM nextval('side_seq'); RETURN $1 > 0; END $$;
      CREATE DOMAIN positive_int AS int CHECK (positive(VALUE));
      CREATE TABLE guarded (id int PRIMARY KEY, v positive_int);
      INSERT INTO guarded VALUES (1, 1);
      CREATE TABLE measures (id int, at date) PARTITION BY RANGE (at);
      CREATE TABLE measures_2026 PARTITION OF measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
      INSERT INTO measures VALUES (1, '2026-06-01');
      CREATE TRIGGER measures_2026_audit BEFORE UPDATE ON measures_2026 FOR EACH ROW EXECUTE FUNCTION audit_row();
    `);
    const before = await sequence();
    await flagged("UPDATE accounts SET balance = 1 WHERE id === 3", /user-defined operators \(===\)/);
    await flagged("UPDATE accounts SET balance = (ROW(5)::boxed)::int WHERE id = 3", /user-defined casts exist \(boxed to integer\)/);
    await flagged("UPDATE accounts SET balance = abs('x') WHERE id = 3", /named like ones it calls \(abs\)/);
    await flagged("UPDATE guarded SET v = 2", /call positive/);
    await flagged("UPDATE measures SET id = 2", /triggers \(measures_2026_audit\)/);
    await flagged("UPDATE counters SET id = DEFAULT WHERE id = 1", /may set a column to DEFAULT/);
    // A trailing no-break space names another table (`accounts\u00a0`): the catalog cannot vouch for it, so nothing runs.
    expect((await preview("UPDATE audited SET v = 2\u00a0")).status).not.toBe("ran");
    expect(await preview("DELETE FROM audited\u00a0")).toMatchObject({ status: expect.stringMatching(/explained|failed/) });
    // Built-ins and casts between built-in types still run.
    expect(await preview("UPDATE accounts SET balance = round(4.2)::int WHERE id = 3")).toMatchObject({ status: "ran", rowsAffected: 1 });
    expect(await sequence()).toEqual(before);
    expect(await one("SELECT (SELECT v FROM audited) AS v, (SELECT balance FROM accounts WHERE id = 3) AS balance")).toEqual({ v: 1, balance: 100 });
  });

  it("flags NOTIFY and pg_notify, and no notification arrives", async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (message) => heard.push(message.payload ?? ""));
    try {
      await listener.query("LISTEN preview_chan");
      const select = await preview("SELECT pg_notify('preview_chan', 'select')");
      expect(codes(select)).toEqual(["not_a_write", "notification"]);
      const update = await preview("UPDATE accounts SET name = name || pg_notify('preview_chan', 'update')::text WHERE id = 1");
      expect(update).toMatchObject({ status: "explained" });
      expect(codes(update)).toEqual(["notification"]);
      const notify = await preview("NOTIFY preview_chan, 'notify'");
      expect(notify).toMatchObject({ status: "explained", flags: [{ code: "notification" }] });
      await admin.query("NOTIFY preview_chan, 'control'"); // proves the listener hears what is sent
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard).toEqual(["control"]);
    } finally {
      await listener.end();
    }
  });

  it("flags DDL and TRUNCATE without running or planning them", async () => {
    const alter = await preview("ALTER TABLE accounts ADD COLUMN extra int");
    expect(alter).toMatchObject({ status: "explained", flags: [{ code: "ddl" }] });
    expect(alter.estimatedRows).toBeUndefined();
    const truncate = await preview("TRUNCATE accounts");
    expect(truncate).toMatchObject({ status: "explained", flags: [{ code: "ddl" }] });
    const columns = await admin.query("SELECT attname FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'extra'");
    expect(columns.rows).toEqual([]);
    expect(await one("SELECT count(*)::int AS n FROM accounts")).toEqual({ n: 50 });
  });
});

describe("previewWrite on PostgreSQL: failures and the pooled connection", () => {
  const pid = async () => (await target.execute("SELECT pg_backend_pid()", [], defaults)).rows[0]![0];

  it("fails fast on a row lock held elsewhere, and the lock holder carries on", async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT * FROM accounts WHERE id = 3 FOR UPDATE");
      const started = performance.now();
      const result = await preview("UPDATE accounts SET balance = 0 WHERE id <= 10", [], { lockTimeoutMs: 200 });
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(result).toMatchObject({ status: "failed", error: { sqlState: "55P03", message: expect.stringContaining("lock timeout") } });
      await holder.query("UPDATE accounts SET name = 'held' WHERE id = 3");
      await holder.query("COMMIT");
    } finally {
      await holder.end();
    }
    expect(await one("SELECT name, balance FROM accounts WHERE id = 3")).toEqual({ name: "held", balance: 100 });
    await admin.query("UPDATE accounts SET name = 'name 3' WHERE id = 3");
  });

  it("fails a statement that exceeds its statement timeout", async () => {
    const result = await preview("UPDATE accounts SET balance = (SELECT count(*) FROM generate_series(1, 500000000))::int WHERE id = 1", [], { statementTimeoutMs: 500 });
    expect(result).toMatchObject({ status: "failed", error: { sqlState: "57014" } });
    expect(result.error!.message).toMatch(/time limit/);
    expect(await one("SELECT balance FROM accounts WHERE id = 1")).toEqual({ balance: 100 });
  });

  it("shows only the SQLSTATE of an error that could quote a value", async () => {
    const result = await preview("UPDATE accounts SET balance = $1::int WHERE id = 1", ["123-45-6789"]);
    expect(result).toMatchObject({ status: "failed", error: { sqlState: "22P02" } });
    expect(JSON.stringify(result)).not.toContain("123-45-6789");
  });

  it("shows no sample when the masker fails", async () => {
    const result = await preview("UPDATE accounts SET balance = 0 WHERE id <= 2", [], { mask: () => Promise.reject(new Error("no masking plan")) });
    expect(result).toMatchObject({ status: "failed", error: { message: expect.stringContaining("could not be masked") } });
    expect(result.sample).toBeUndefined();
  });

  it("hands the same connection back clean: no transaction open, no setting left behind", async () => {
    const first = await pid();
    for (const overrides of [{}, { lockTimeoutMs: 250 }, { statementTimeoutMs: 300 }]) {
      await preview("UPDATE accounts SET balance = balance + 1 WHERE id <= 10", [], overrides);
      await preview("UPDATE accounts SET balance = (SELECT count(*) FROM generate_series(1, 500000000))::int WHERE id = 1", [], { statementTimeoutMs: 300 });
      const activity = await admin.query("SELECT state, xact_start FROM pg_stat_activity WHERE pid = $1", [first]);
      expect(activity.rows).toEqual([{ state: "idle", xact_start: null }]);
    }
    expect(await pid()).toBe(first);
    const settings = await target.execute("SELECT current_setting('lock_timeout'), current_setting('transaction_read_only')", [], defaults);
    expect(settings.rows).toEqual([["0", "off"]]);
    expect(await one("SELECT sum(balance)::int AS total FROM accounts")).toEqual({ total: 5000 });
  });
});
