import { beforeAll, describe, expect, it } from "vitest";
import { initSqlParsers, statementShape } from "./index";

beforeAll(async () => {
  await initSqlParsers();
});

// What must never survive into a shape: values an agent wrote into its SQL.
const SECRETS = ["4111", "123-45-6789", "ada@example.com", "hunter2"];

function expectNoSecret(shape: string | null): void {
  expect(shape).not.toBeNull();
  for (const secret of SECRETS) expect(shape).not.toContain(secret);
}

describe("statement shapes (PostgreSQL)", () => {
  it("replaces every kind of constant by ?", () => {
    const shape = statementShape(
      "SELECT 'ada@example.com', $$4111$$, $tag$hunter2$tag$, E'123-45-6789', 4111, 41.11, .4111, 4111e2, B'0100', X'4111', U&'\\0034111', DATE '2026-11-26' FROM t",
      "postgres",
    );
    expectNoSecret(shape);
    expect(shape).toBe("SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, DATE ? FROM t");
  });

  it("removes comments of both kinds, nested ones too", () => {
    const shape = statementShape("SELECT id /* card 4111 /* nested hunter2 */ still */ FROM customers -- ssn 123-45-6789\nWHERE id = $1", "postgres");
    expectNoSecret(shape);
    expect(shape).toBe("SELECT id FROM customers WHERE id = $1");
  });

  it("keeps identifiers, parameters, operators and every statement of a text; non-ASCII text keeps its place", () => {
    expect(statementShape(`UPDATE "clients é" SET "note" = 'é 4111' WHERE id = $2 AND data ? 'k'; SELECT 1`, "postgres")).toBe(
      `UPDATE "clients é" SET "note" = ? WHERE id = $2 AND data ? ?; SELECT ?`,
    );
  });

  it("shapes text the parser rejects, and gives none for text it cannot tokenise", () => {
    expect(statementShape("SELEC garbage '4111111111111111'", "postgres")).toBe("SELEC garbage ?");
    expect(statementShape("SELECT 'unterminated 4111", "postgres")).toBeNull();
    expect(statementShape("SELECT 1 /* unterminated 4111", "postgres")).toBeNull();
    expect(statementShape("SELECT $q$ 4111 never closed", "postgres")).toBeNull();
  });
});

describe("statement shapes (MySQL)", () => {
  it("replaces constants, drops ordinary comments, keeps what executable comments run", () => {
    const shape = statementShape(
      "SELECT * FROM customers /* ssn 123-45-6789 */ WHERE email = 'ada@example.com' # hunter2\nAND card = \"4111\" AND n = 0x4111 AND b = X'41' /*!50000 AND id = 4111 */ -- 4111",
      "mysql",
    );
    expectNoSecret(shape);
    expect(shape).toContain("and id = ?");
  });

  it("gives none for text it cannot tokenise", () => {
    expect(statementShape("SELECT 'unterminated 4111", "mysql")).toBeNull();
  });
});
