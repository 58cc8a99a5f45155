import type { PoolConnection } from "mysql2";
import { groupColumns } from "../catalog";
import type { SchemaDescription } from "../types";
import { readRows } from "./stream";

// describeSchema/catalog for mysql: the connection's own database, from information_schema.

const COLUMNS_SQL = `
SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, COLUMN_NAME AS \`column\`, DATA_TYPE AS \`type\`,
       IS_NULLABLE = 'YES' AS nullable
  FROM information_schema.COLUMNS
 WHERE TABLE_SCHEMA = DATABASE()
 ORDER BY TABLE_NAME, ORDINAL_POSITION`;

/** Every view the connection's user can see, with its defining SELECT (MariaDB and MySQL store it qualified). */
const VIEWS_SQL = `
SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`name\`, VIEW_DEFINITION AS \`definition\`
  FROM information_schema.VIEWS
 WHERE TABLE_SCHEMA NOT IN ('sys', 'mysql', 'performance_schema', 'information_schema')`;

/**
 * The current definitions of those of `tables` ("schema.table" or a bare name in the connection's database) that
 * are views, read now: a view created or replaced a moment ago is followed as it is.
 */
export async function readViews(connection: PoolConnection, database: string, tables: readonly string[]): Promise<Map<string, string>> {
  const wanted = new Map<string, string>(); // "schema.name" → the name as asked
  for (const table of tables) {
    const dot = table.lastIndexOf(".");
    wanted.set((dot < 0 ? `${database}.${table}` : table).toLowerCase(), table.toLowerCase());
  }
  const names = [...new Set([...wanted.keys()].map((key) => key.slice(key.lastIndexOf(".") + 1)))];
  const rows = await new Promise<{ schema: string; name: string; definition: string | null }[]>((resolve, reject) =>
    connection.query(`${VIEWS_SQL} AND LOWER(TABLE_NAME) IN (?)`, [names], (error, found) => (error ? reject(error) : resolve(found as never))),
  );
  const out = new Map<string, string>();
  for (const row of rows) {
    const asked = wanted.get(`${row.schema}.${row.name}`.toLowerCase());
    if (asked !== undefined) out.set(asked, row.definition ?? "");
  }
  return out;
}

export async function readSchema(connection: PoolConnection, database: string): Promise<SchemaDescription> {
  const rows = await readRows<{ schema: string; table: string; column: string; type: string; nullable: number | string }>(connection, COLUMNS_SQL);
  const columns = rows.map((row) => ({ ...row, type: String(row.type).toLowerCase(), nullable: Number(row.nullable) === 1 }));
  const views = new Map<string, string>();
  for (const view of await readRows<{ schema: string; name: string; definition: string | null }>(connection, VIEWS_SQL)) {
    // A view whose definition the user may not read (another definer's) still counts: with no text, fully masked.
    const definition = view.definition ?? "";
    views.set(`${view.schema}.${view.name}`.toLowerCase(), definition);
    if (view.schema === database) views.set(view.name.toLowerCase(), definition);
  }
  return { tables: groupColumns(columns), defaultSchemas: [database], views };
}
