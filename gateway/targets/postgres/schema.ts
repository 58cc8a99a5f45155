import type pg from "pg";
import { groupColumns } from "../catalog";
import type { SchemaDescription } from "../types";

// information_schema reads for describeSchema/catalog, and the pg_catalog lookups that name a result column's
// type and origin table/column (RowDescription gives only OIDs and attribute numbers).

const COLUMNS_SQL = `
SELECT c.table_schema AS schema, c.table_name AS "table", c.column_name AS column, c.udt_name AS type,
       c.is_nullable = 'YES' AS nullable
  FROM information_schema.columns c
 WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
   AND c.table_schema NOT LIKE 'pg\\_toast%'
   AND c.table_schema NOT LIKE 'pg\\_temp\\_%'
 ORDER BY c.table_schema, c.table_name, c.ordinal_position`;

/** Views and materialized views by "schema.name" (their definitions are followed by oid, in origins.ts). */
const VIEWS_SQL = `
SELECT n.nspname AS schema, c.relname AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')`;

export async function readSchema(client: pg.PoolClient): Promise<SchemaDescription> {
  const columns = await client.query<{ schema: string; table: string; column: string; type: string; nullable: boolean }>(COLUMNS_SQL);
  const path = await client.query<{ schemas: string[] }>("SELECT current_schemas(false)::text[] AS schemas");
  const views = await client.query<{ schema: string; name: string }>(VIEWS_SQL);
  return {
    tables: groupColumns(columns.rows),
    defaultSchemas: path.rows[0]?.schemas ?? [],
    views: new Map(views.rows.map((view) => [`${view.schema}.${view.name}`.toLowerCase(), ""])),
  };
}

export async function readTypeNames(client: pg.PoolClient, oids: readonly number[]): Promise<Map<number, string>> {
  const result = await client.query<{ oid: string; typname: string }>(
    "SELECT oid::int8 AS oid, typname FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])",
    [oids],
  );
  return new Map(result.rows.map((row) => [Number(row.oid), row.typname]));
}

export interface RelationOrigin {
  readonly table: string;
  readonly columns: ReadonlyMap<number, string>;
  /** pg_class.relkind: r (table), p (partitioned), v (view), m (materialized view), f (foreign table), … */
  readonly kind?: string;
  /** A view's defining SELECT (pg_get_viewdef), for following its columns back to their tables. */
  readonly definition?: string;
}

export async function readOrigins(client: pg.PoolClient, relations: readonly number[]): Promise<Map<number, RelationOrigin>> {
  const result = await client.query<{ rel: string; nspname: string; relname: string; attnum: number; attname: string; relkind: string; viewdef: string | null }>(
    `SELECT a.attrelid::int8 AS rel, n.nspname, c.relname, a.attnum, a.attname, c.relkind::text AS relkind,
            CASE WHEN a.attnum = 1 AND c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS viewdef
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped`,
    [relations],
  );
  const origins = new Map<number, { table: string; columns: Map<number, string>; kind: string; definition?: string }>();
  for (const row of result.rows) {
    const rel = Number(row.rel);
    let origin = origins.get(rel);
    if (origin === undefined) origins.set(rel, (origin = { table: `${row.nspname}.${row.relname}`, columns: new Map(), kind: row.relkind }));
    origin.columns.set(row.attnum, row.attname);
    if (row.viewdef) origin.definition = row.viewdef;
  }
  return origins;
}
