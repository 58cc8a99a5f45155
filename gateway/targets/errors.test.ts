import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { mysqlError } from "./mysql/errors";
import { pgError } from "./postgres/errors";

// Driver errors carry things a TargetError must not: mysql2's `sql` (the statement with its values), a
// connection config, pg's `detail` (row values in a unique violation). Only code, message and SQLSTATE pass.

const secretish = { sql: "SELECT * FROM t WHERE ssn = '123-45-6789'", config: { password: "hunter2" }, detail: "Key (email)=(a@b.c) already exists." };

describe("pgError", () => {
  it("maps SQLSTATEs to codes and copies nothing else", () => {
    const cases: [string, string][] = [
      ["28P01", "auth_failed"], ["28000", "auth_failed"], ["53300", "too_many_connections"], ["25006", "read_only_violation"],
      ["3D000", "unreachable"], ["57P01", "unreachable"], ["42601", "sql_error"], ["23505", "sql_error"],
    ];
    for (const [code, expected] of cases) {
      const error = pgError(Object.assign(new Error("server says"), { code, ...secretish }));
      expect(error.code, code).toBe(expected);
      expect(error.sqlState).toBe(code);
      const shown = inspect(error, { showHidden: true, depth: 5 }) + JSON.stringify(error);
      for (const leak of ["123-45-6789", "hunter2", "a@b.c"]) expect(shown).not.toContain(leak);
    }
  });

  it("tells a statement timeout from a cancel (both 57014)", () => {
    expect(pgError({ code: "57014", message: "canceling statement due to statement timeout" }).code).toBe("timeout");
    expect(pgError({ code: "57014", message: "canceling statement due to user request" }).code).toBe("cancelled");
  });

  it("socket failures are unreachable with only the errno code shown", () => {
    const error = pgError(Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:5432 password=hunter2"), { code: "ECONNREFUSED" }));
    expect(error.code).toBe("unreachable");
    expect(error.message).not.toContain("hunter2");
    expect(pgError(new Error("Connection terminated unexpectedly")).code).toBe("unreachable");
    expect(pgError(new Error("something odd: hunter2")).message).not.toContain("hunter2");
  });
});

describe("mysqlError", () => {
  it("maps errnos to codes and copies nothing else", () => {
    const cases: [number, string, string][] = [
      [1045, "28000", "auth_failed"], [1040, "08004", "too_many_connections"], [1969, "70100", "timeout"], [3024, "HY000", "timeout"],
      [1317, "70100", "cancelled"], [1792, "25006", "read_only_violation"], [1049, "42000", "unreachable"], [1064, "42000", "sql_error"],
    ];
    for (const [errno, sqlState, expected] of cases) {
      const error = mysqlError(Object.assign(new Error("server says"), { errno, sqlState, sqlMessage: "server says", code: "ER_X", ...secretish }));
      expect(error.code, String(errno)).toBe(expected);
      expect(error).toMatchObject({ errno, sqlState });
      const shown = inspect(error, { showHidden: true, depth: 5 }) + JSON.stringify(error);
      for (const leak of ["123-45-6789", "hunter2"]) expect(shown).not.toContain(leak);
    }
  });

  it("client-side failures are unreachable", () => {
    expect(mysqlError({ code: "ECONNREFUSED" }).code).toBe("unreachable");
    expect(mysqlError({ code: "PROTOCOL_CONNECTION_LOST" }).code).toBe("unreachable");
    expect(mysqlError({ code: "HANDSHAKE_NO_SSL_SUPPORT" }).code).toBe("unreachable");
  });
});
