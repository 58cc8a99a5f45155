import type { PoolConnection } from "mysql2";
import type { StatementAnalysis } from "../../../lib/sql/types";
import type { PreviewFlag } from "./types";

// What a MySQL/MariaDB preview must know of the tables a statement writes: whether their engine can roll back
// (only InnoDB here: MyISAM, Aria, MEMORY, CSV, … keep every change), whether an INSERT draws from AUTO_INCREMENT
// or a MariaDB sequence (a rollback does not give the numbers back), and whether triggers run code the analysis
// cannot see. A table that cannot be found is flagged too: its engine is unknown.

interface TableRow {
  ENGINE: string | null;
  TABLE_TYPE: string | null;
  draws_sequence: number | string;
  triggers: string | null;
}

const TABLE_FACTS = `
SELECT t.ENGINE, t.TABLE_TYPE,
  EXISTS (SELECT 1 FROM information_schema.COLUMNS c
          WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
            AND (c.EXTRA LIKE '%auto_increment%' OR LOWER(c.COLUMN_DEFAULT) LIKE '%nextval(%' OR LOWER(c.COLUMN_DEFAULT) LIKE '%next value for%')) AS draws_sequence,
  (SELECT GROUP_CONCAT(r.TRIGGER_NAME ORDER BY r.TRIGGER_NAME SEPARATOR ', ') FROM information_schema.TRIGGERS r
   WHERE r.EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA AND r.EVENT_OBJECT_TABLE = t.TABLE_NAME) AS triggers
FROM information_schema.TABLES t
WHERE t.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND t.TABLE_NAME = ?`;

/** Flags for every table the statement writes (as the statement names them: "table" or "database.table"). */
export async function mysqlTableFlags(connection: PoolConnection, statement: StatementAnalysis): Promise<PreviewFlag[]> {
  const inserts = new Set((statement.writes ?? []).filter((write) => write.kind === "insert").map((write) => write.table));
  const flags: PreviewFlag[] = [];
  for (const name of new Set(statement.tablesWritten)) {
    // The analysis writes both db.t and `db.t` (one name with a dot in it) as "db.t": both readings are tried.
    const dot = name.indexOf(".");
    const [split] = dot < 0 ? [] : await factRows(connection, [name.slice(0, dot), name.slice(dot + 1)]);
    const [whole] = await factRows(connection, [null, name]);
    if (split !== undefined && whole !== undefined) {
      flags.push({ code: "unsupported", detail: `${name} names two tables (a database-qualified one and one with a dot in its name)` });
      continue;
    }
    const row = split ?? whole;
    if (row === undefined) {
      flags.push({ code: "non_transactional", detail: `the storage engine of ${name} could not be read` });
      continue;
    }
    if (row.TABLE_TYPE === "VIEW") {
      flags.push({ code: "unsupported", detail: `${name} is a view: the engines of its tables are not checked` });
    } else if (row.TABLE_TYPE === "SEQUENCE") {
      flags.push({ code: "sequence", detail: `${name} is a sequence` });
    } else if ((row.ENGINE ?? "").toLowerCase() !== "innodb") {
      flags.push({ code: "non_transactional", detail: `${name} uses the ${row.ENGINE ?? "unknown"} engine, which cannot roll back` });
    }
    if (inserts.has(name) && Number(row.draws_sequence) === 1) {
      flags.push({ code: "sequence", detail: `${name} has an AUTO_INCREMENT (or sequence) column: a rolled-back INSERT still uses up its numbers` });
    }
    if (row.triggers !== null && row.triggers !== "") {
      flags.push({ code: "volatile_function", detail: `${name} has triggers (${row.triggers}) whose effects a preview cannot check` });
    }
  }
  return flags;
}

function factRows(connection: PoolConnection, values: (string | null)[]): Promise<TableRow[]> {
  return new Promise((resolve, reject) => connection.query(TABLE_FACTS, values, (error, rows) => (error ? reject(error) : resolve(rows as TableRow[]))));
}
