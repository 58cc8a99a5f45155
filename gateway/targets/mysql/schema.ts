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

export async function readSchema(connection: PoolConnection, database: string): Promise<SchemaDescription> {
  const rows = await readRows<{ schema: string; table: string; column: string; type: string; nullable: number | string }>(connection, COLUMNS_SQL);
  const columns = rows.map((row) => ({ ...row, type: String(row.type).toLowerCase(), nullable: Number(row.nullable) === 1 }));
  return { tables: groupColumns(columns), defaultSchemas: [database] };
}
