import { describe, expect, it } from "vitest";
import { SchemaCache, buildCatalog, groupColumns } from "./catalog";
import type { SchemaDescription } from "./types";

const description: SchemaDescription = {
  defaultSchemas: ["app", "public"],
  tables: groupColumns([
    { schema: "app", table: "users", column: "id", type: "int4", nullable: false },
    { schema: "app", table: "users", column: "email", type: "text", nullable: true },
    { schema: "public", table: "users", column: "legacy_id", type: "int4", nullable: false },
    { schema: "public", table: "orders", column: "id", type: "int4", nullable: false },
    { schema: "audit", table: "events", column: "at", type: "timestamptz", nullable: false },
  ]),
};

describe("buildCatalog", () => {
  it("keys every table by schema.table and default-schema tables by bare name (first schema wins)", () => {
    const catalog = buildCatalog(description);
    expect(catalog).toEqual({
      "app.users": ["id", "email"],
      "public.users": ["legacy_id"],
      "public.orders": ["id"],
      "audit.events": ["at"],
      users: ["id", "email"],
      orders: ["id"],
    });
    expect(Object.isFrozen(catalog)).toBe(true);
  });
});

describe("SchemaCache", () => {
  it("reads once within the TTL, shares a read in flight, and reads again on refresh or expiry", async () => {
    let now = 0;
    let reads = 0;
    const cache = new SchemaCache(async () => (reads++, description), () => now, 30_000);
    const [a, b] = await Promise.all([cache.catalog(), cache.catalog()]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
    now = 29_000;
    expect(await cache.catalog()).toBe(a);
    await cache.catalog(true);
    expect(reads).toBe(2);
    now = 70_000;
    await cache.describe();
    expect(reads).toBe(3);
  });

  it("does not keep a failed read", async () => {
    let fail = true;
    const cache = new SchemaCache(async () => {
      if (fail) throw new Error("down");
      return description;
    });
    await expect(cache.catalog()).rejects.toThrow("down");
    fail = false;
    await expect(cache.catalog()).resolves.toHaveProperty("users");
  });
});
