import type { Catalog } from "../../lib/policy/decision";
import type { SchemaDescription } from "./types";

// The schema snapshot a target hands to policy: read from information_schema, kept CATALOG_TTL_MS, shared by
// concurrent callers (one read in flight at a time), and turned into lib/policy's Catalog once per read.

export const CATALOG_TTL_MS = 30_000;

/** Keys "schema.table" for every table, and bare "table" for the first default schema that has it. */
export function buildCatalog(description: SchemaDescription): Catalog {
  const catalog: Record<string, readonly string[]> = {};
  const bySchema = new Map<string, Map<string, readonly string[]>>();
  for (const table of description.tables) {
    const columns = Object.freeze(table.columns.map((c) => c.name));
    catalog[`${table.schema}.${table.name}`] = columns;
    let tables = bySchema.get(table.schema);
    if (tables === undefined) bySchema.set(table.schema, (tables = new Map()));
    tables.set(table.name, columns);
  }
  for (const schema of description.defaultSchemas) {
    for (const [name, columns] of bySchema.get(schema) ?? []) {
      if (!Object.hasOwn(catalog, name) && !name.includes(".")) catalog[name] = columns;
    }
  }
  return Object.freeze(catalog);
}

const baseTables = new WeakMap<SchemaDescription, ReadonlySet<string>>();

/**
 * The snapshot's base tables, lowercased: "schema.table", and bare "table" for the default schemas. A name not in it
 * is a view, a materialized view, a function's result or a table created since the snapshot.
 */
export function baseTableNames(description: SchemaDescription): ReadonlySet<string> {
  let names = baseTables.get(description);
  if (names === undefined) {
    const found = new Set<string>();
    for (const table of description.tables) {
      const qualified = `${table.schema}.${table.name}`.toLowerCase();
      if (description.views?.has(qualified)) continue;
      found.add(qualified);
      if (description.defaultSchemas.includes(table.schema)) found.add(table.name.toLowerCase());
    }
    baseTables.set(description, (names = found));
  }
  return names;
}

interface Snapshot {
  readonly description: SchemaDescription;
  readonly catalog: Catalog;
  readonly readAt: number;
}

export class SchemaCache {
  #snapshot: Snapshot | undefined;
  #reading: Promise<Snapshot> | undefined;

  constructor(
    private readonly read: () => Promise<SchemaDescription>,
    private readonly now: () => number = Date.now,
    private readonly ttlMs: number = CATALOG_TTL_MS,
  ) {}

  async describe(refresh = false): Promise<SchemaDescription> {
    return (await this.#get(refresh)).description;
  }

  async catalog(refresh = false): Promise<Catalog> {
    return (await this.#get(refresh)).catalog;
  }

  /** Forgets the snapshot (the next call reads again). */
  invalidate(): void {
    this.#snapshot = undefined;
  }

  #get(refresh: boolean): Promise<Snapshot> {
    const held = this.#snapshot;
    if (!refresh && held !== undefined && this.now() - held.readAt < this.ttlMs) return Promise.resolve(held);
    if (this.#reading !== undefined) return this.#reading;
    const reading = this.read().then((description) => {
      const snapshot = { description, catalog: buildCatalog(description), readAt: this.now() };
      this.#snapshot = snapshot;
      return snapshot;
    });
    this.#reading = reading;
    const clear = () => {
      if (this.#reading === reading) this.#reading = undefined;
    };
    reading.then(clear, clear);
    return reading;
  }
}

/** Groups information_schema column rows (already ordered by schema, table, ordinal) into tables. */
export function groupColumns(
  rows: readonly { schema: string; table: string; column: string; type: string; nullable: boolean }[],
): SchemaDescription["tables"] {
  const tables: { schema: string; name: string; columns: { name: string; type: string; nullable: boolean }[] }[] = [];
  let current: (typeof tables)[number] | undefined;
  for (const row of rows) {
    if (current === undefined || current.schema !== row.schema || current.name !== row.table) {
      current = { schema: row.schema, name: row.table, columns: [] };
      tables.push(current);
    }
    current.columns.push({ name: row.column, type: row.type, nullable: row.nullable });
  }
  return tables;
}
