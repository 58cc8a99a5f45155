import { describe, expect, it } from "vitest";
import { compileGlob, compileGlobSet, compileQualifiedGlob, compileQualifiedGlobSet } from "./glob";

describe("compileGlob", () => {
  it.each([
    ["dblink*", "dblink", true],
    ["dblink*", "dblink_exec", true],
    ["dblink*", "xdblink", false],
    ["pg_ls_*", "pg_ls_dir", true],
    ["*_to_xml*", "query_to_xml", true],
    ["*_to_xml*", "query_to_xml_and_xmlschema", true],
    ["*_to_xml*", "xml", false],
    ["card_?", "card_1", true],
    ["card_?", "card_12", false],
    ["Customers", "customers", true],
    ["customers", "CUSTOMERS", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["\\*", "*", true],
    ["\\*", "x", false],
    ["*", "", true],
    ["", "", true],
  ])("%s ~ %s → %s", (pattern, name, expected) => {
    expect(compileGlob(pattern).matches(name)).toBe(expected);
  });

  it("is linear on adversarial input", () => {
    const g = compileGlob("*a*a*a*a*a*a*a*a*b");
    const name = "a".repeat(5000);
    const t = performance.now();
    expect(g.matches(name)).toBe(false);
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe("glob sets", () => {
  it("matches literals and wildcards and says which", () => {
    const s = compileGlobSet(["role", "*read_only*"]);
    expect(s.which("ROLE")).toBe("role");
    expect(s.which("default_transaction_read_only")).toBe("*read_only*");
    expect(s.matches("search_path")).toBe(false);
    expect(compileGlobSet([]).empty).toBe(true);
  });
});

describe("qualified globs", () => {
  it("a pattern without a schema matches any schema", () => {
    const g = compileQualifiedGlob("customers");
    expect(g.matches("customers")).toBe(true);
    expect(g.matches("public.customers")).toBe(true);
    expect(g.matches("sales.customers")).toBe(true);
    expect(g.matches("customers2")).toBe(false);
  });
  it("a pattern with a schema matches that schema, and unqualified names (search path)", () => {
    const g = compileQualifiedGlob("public.customers");
    expect(g.matches("public.customers")).toBe(true);
    expect(g.matches("customers")).toBe(true);
    expect(g.matches("sales.customers")).toBe(false);
  });
  it("globs in either part", () => {
    expect(compileQualifiedGlob("pg_catalog.pg_*").matches("pg_catalog.pg_read_file")).toBe(true);
    expect(compileQualifiedGlob("s*.cust*").matches("sales.customers")).toBe(true);
    expect(compileQualifiedGlob("s*.cust*").matches("public.customers")).toBe(false);
  });
  it("sets index literal names and handle schema-qualified calls", () => {
    const s = compileQualifiedGlobSet(["pg_read_file", "dblink*", "pg_catalog.set_config"]);
    expect(s.which("pg_catalog.pg_read_file")).toBe("pg_read_file");
    expect(s.which("PG_READ_FILE")).toBe("pg_read_file");
    expect(s.which("public.dblink_exec")).toBe("dblink*");
    expect(s.which("set_config")).toBe("pg_catalog.set_config");
    expect(s.which("other.set_config")).toBeUndefined();
    expect(s.which("now")).toBeUndefined();
  });
});
