import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mysql, { type Connection, type RowDataPacket } from "mysql2/promise";
import type { PreviewMasker, PreviewRequest, WritePreview } from "../../gateway/approvals/preview/types";
import { TargetRegistry, type Target } from "../../gateway/targets";
import { analyze } from "../../lib/sql";
import { createScratchMysql, type ScratchDatabase } from "../support/databases";
import { connectionFromUrl, defaults, masterKey } from "../targets/support";

// The dry run of a write through the MySQL target's previewWrite, against the machine's MariaDB: InnoDB writes run
// and roll back with exact rows affected; what a rollback cannot undo (MyISAM, AUTO_INCREMENT, DDL) is only
// EXPLAINed; locks and time limits fail fast; the one pooled connection goes back clean.

let db: ScratchDatabase;
let registry: TargetRegistry;
let target: Target;
let admin: Connection;

const maskSsn: PreviewMasker = async (_table, columns, rows) => {
  const at = columns.indexOf("ssn");
  return { rows: rows.map((row) => (row === null || at < 0 ? row : row.map((value, i) => (i === at ? "***" : value)))), maskedColumns: at < 0 ? [] : ["ssn"] };
};

function preview(sql: string, params: unknown[] = [], overrides: Partial<PreviewRequest> = {}): Promise<WritePreview> {
  const statement = analyze(sql, "mysql").statements[0]!;
  return target.previewWrite!({ statement, params, sampleRows: 5, statementTimeoutMs: 5_000, lockTimeoutMs: 1_000, mask: maskSsn, ...overrides });
}

async function one(sql: string): Promise<RowDataPacket> {
  const [rows] = await admin.query<RowDataPacket[]>(sql);
  return rows[0]!;
}

const accounts = () => one("SELECT COUNT(*) AS n, CAST(SUM(balance) AS SIGNED) AS total, MD5(GROUP_CONCAT(name, ssn ORDER BY id)) AS names FROM accounts");
const codes = (result: WritePreview) => result.flags.map((flag) => flag.code);

beforeAll(async () => {
  db = await createScratchMysql("preview_my");
  admin = await mysql.createConnection({ uri: db.url, multipleStatements: true });
  await admin.query(`
    CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, ssn VARCHAR(20), balance INT NOT NULL) ENGINE=InnoDB;
    INSERT INTO accounts SELECT seq, CONCAT('name ', seq), CONCAT('123-45-', LPAD(seq, 4, '0')), 100 FROM seq_1_to_50;
    CREATE TABLE legacy (id INT PRIMARY KEY, v INT) ENGINE=MyISAM;
    INSERT INTO legacy VALUES (1, 1), (2, 2);
    CREATE TABLE counters (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(20)) ENGINE=InnoDB;
    CREATE TABLE plain (id INT PRIMARY KEY, label VARCHAR(20)) ENGINE=InnoDB;
  `);
  registry = new TargetRegistry({ masterKey, poolSize: 1 });
  target = registry.target(connectionFromUrl(db.url, "mysql"));
});

afterAll(async () => {
  await registry?.close();
  await admin?.end();
  await db?.drop();
});

describe("previewWrite on MariaDB: dry runs", () => {
  it("runs a 10-row InnoDB UPDATE with exact rows affected and an estimate, then rolls it back", async () => {
    const before = await accounts();
    const result = await preview("UPDATE accounts SET balance = balance + ?, ssn = CONCAT(ssn, '-x') WHERE id <= ?", [5, 10]);
    expect(result).toMatchObject({ status: "ran", engine: "mysql", flags: [], rowsAffected: 10 });
    expect(result.estimatedRows).toBeGreaterThan(0);
    expect(result.sample).toBeUndefined();
    expect(await accounts()).toEqual(before);
  });

  it("samples a DELETE from its RETURNING rows (masked), and runs an INSERT without a sample", async () => {
    const deleted = await preview("DELETE FROM accounts WHERE id > 45 -- five", [], { sampleRows: 3 });
    expect(deleted).toMatchObject({ status: "ran", rowsAffected: 5 });
    expect(deleted.sample).toMatchObject({ table: "accounts", columns: ["id", "name", "ssn", "balance"], maskedColumns: ["ssn"], after: [null, null, null] });
    expect(deleted.sample!.before).toEqual([[46, "name 46", "***", 100], [47, "name 47", "***", 100], [48, "name 48", "***", 100]]);
    const inserted = await preview("INSERT INTO plain (id, label) VALUES (1, 'a'), (2, 'b')");
    expect(inserted).toMatchObject({ status: "ran", rowsAffected: 2 });
    expect((await accounts()).n).toBe(50);
    expect((await one("SELECT COUNT(*) AS n FROM plain")).n).toBe(0);
  });
});

describe("previewWrite on MariaDB: what is flagged is not run", () => {
  it("flags a MyISAM table as non_transactional and leaves it alone", async () => {
    const result = await preview("UPDATE legacy SET v = v + 10");
    expect(result).toMatchObject({ status: "explained" });
    expect(result.flags).toEqual([{ code: "non_transactional", detail: expect.stringContaining("MyISAM") }]);
    expect(result.rowsAffected).toBeUndefined();
    const [rows] = await admin.query<RowDataPacket[]>("SELECT v FROM legacy ORDER BY id");
    expect(rows.map((row) => row.v)).toEqual([1, 2]);
  });

  it("flags an INSERT into an AUTO_INCREMENT table and uses up no number", async () => {
    const result = await preview("INSERT INTO counters (label) VALUES ('x')");
    expect(result).toMatchObject({ status: "explained" });
    expect(codes(result)).toEqual(["sequence"]);
    await admin.query("INSERT INTO counters (label) VALUES ('first')");
    expect(await one("SELECT id, label FROM counters")).toEqual({ id: 1, label: "first" });
  });

  it("flags DDL and stored or unknown functions", async () => {
    const alter = await preview("ALTER TABLE accounts ADD COLUMN extra INT");
    expect(alter).toMatchObject({ status: "explained", flags: [{ code: "ddl" }] });
    const truncate = await preview("TRUNCATE TABLE accounts");
    expect(codes(truncate)).toEqual(["ddl"]);
    const sleepy = await preview("UPDATE accounts SET balance = SLEEP(5) WHERE id = 1");
    expect(codes(sleepy)).toEqual(["volatile_function"]);
    expect(sleepy.durationMs).toBeLessThan(4_000);
    const [columns] = await admin.query<RowDataPacket[]>("SHOW COLUMNS FROM accounts LIKE 'extra'");
    expect(columns).toEqual([]);
    expect((await accounts()).n).toBe(50);
  });
});

describe("previewWrite on MariaDB: failures and the pooled connection", () => {
  const session = async () => (await target.execute("SELECT CONNECTION_ID(), @@in_transaction, @@SESSION.innodb_lock_wait_timeout = @@GLOBAL.innodb_lock_wait_timeout, @@SESSION.lock_wait_timeout = @@GLOBAL.lock_wait_timeout", [], defaults)).rows[0]!;

  it("fails fast on a row lock held elsewhere, and the lock holder carries on", async () => {
    const holder = await mysql.createConnection({ uri: db.url });
    try {
      await holder.query("START TRANSACTION");
      await holder.query("SELECT * FROM accounts WHERE id = 3 FOR UPDATE");
      const started = performance.now();
      const result = await preview("UPDATE accounts SET balance = 0 WHERE id <= 10", [], { lockTimeoutMs: 1_000 });
      expect(performance.now() - started).toBeLessThan(4_000);
      expect(result).toMatchObject({ status: "failed", error: { message: expect.stringContaining("Lock wait timeout") } });
      await holder.query("UPDATE accounts SET name = 'held' WHERE id = 3");
      await holder.query("COMMIT");
    } finally {
      await holder.end();
    }
    expect(await one("SELECT name, balance FROM accounts WHERE id = 3")).toEqual({ name: "held", balance: 100 });
    await admin.query("UPDATE accounts SET name = 'name 3' WHERE id = 3");
  });

  it("fails a statement that exceeds its statement timeout", async () => {
    const slow = "UPDATE accounts SET balance = (SELECT COUNT(*) FROM seq_1_to_20000 a JOIN seq_1_to_20000 b ON (a.seq + b.seq) % 7 = 3) WHERE id = 1";
    const result = await preview(slow, [], { statementTimeoutMs: 500 });
    expect(result).toMatchObject({ status: "failed", error: { message: expect.stringMatching(/time limit/) } });
    expect(await one("SELECT balance FROM accounts WHERE id = 1")).toEqual({ balance: 100 });
  });

  it("hands the same connection back clean: no transaction open, lock waits as they were", async () => {
    const [first] = await session();
    await preview("UPDATE accounts SET balance = balance + 1 WHERE id <= 10", [], { lockTimeoutMs: 2_000 });
    await preview("DELETE FROM accounts WHERE id = 50");
    const failed = await preview("UPDATE accounts SET balance = 'not a number' WHERE id = 1");
    expect(failed).toMatchObject({ status: "failed", error: { sqlState: "22007" } });
    expect(JSON.stringify(failed)).not.toContain("not a number"); // the error quoted the value: only its SQLSTATE is kept
    expect((await session()).map(Number)).toEqual([first, 0, 1, 1]);
    expect((await accounts()).total).toBe(5000);
  });
});
