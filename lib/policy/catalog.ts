import type { Catalog } from "./decision";
import { splitQualified } from "./glob";

// Resolves a table as a statement names it ("customers", "public.customers") to its real columns.
// Ambiguity is never guessed away: "customers" with both "a.customers" and "b.customers" in the catalog
// resolves to nothing, and the caller treats the table as unresolved (fail closed).

export interface CatalogIndex {
  columns(table: string): readonly string[] | undefined;
}

const EMPTY: CatalogIndex = { columns: () => undefined };
const cache = new WeakMap<Catalog, CatalogIndex>();

export function indexCatalog(catalog: Catalog | undefined): CatalogIndex {
  if (catalog === undefined) return EMPTY;
  const hit = cache.get(catalog);
  if (hit !== undefined) return hit;
  const exact = new Map<string, readonly string[]>();
  const byBare = new Map<string, (readonly string[])[]>();
  for (const [key, cols] of Object.entries(catalog)) {
    const k = key.toLowerCase();
    const lowered = cols.map((c) => c.toLowerCase());
    exact.set(k, lowered);
    const bare = splitQualified(k)[1];
    const list = byBare.get(bare);
    if (list === undefined) byBare.set(bare, [lowered]);
    else list.push(lowered);
  }
  const index: CatalogIndex = {
    columns(table) {
      const t = table.toLowerCase();
      const direct = exact.get(t);
      if (direct !== undefined) return direct;
      const [schema, bare] = splitQualified(t);
      if (schema !== undefined) return exact.get(bare); // qualified in the statement, bare in the catalog
      const candidates = byBare.get(bare);
      return candidates !== undefined && candidates.length === 1 ? candidates[0] : undefined;
    },
  };
  cache.set(catalog, index);
  return index;
}
