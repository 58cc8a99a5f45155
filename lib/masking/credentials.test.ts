import { describe, expect, it } from "vitest";
import { redactCredentials } from "./credentials";

describe("redactCredentials", () => {
  it.each([
    ["ALTER ROLE app PASSWORD 'Sup3rS3cret!'", "ALTER ROLE app PASSWORD '***'"],
    ["alter role app with encrypted password 'it''s-secret' valid until 'infinity'", "alter role app with encrypted password '***' valid until 'infinity'"],
    ["CREATE ROLE r LOGIN PASSWORD E'a\\'b'", "CREATE ROLE r LOGIN PASSWORD '***'"],
    ["CREATE ROLE r PASSWORD $p$dollar secret$p$", "CREATE ROLE r PASSWORD '***'"],
    ["CREATE USER 'u'@'%' IDENTIFIED BY 'Sup3rS3cret!'", "CREATE USER 'u'@'%' IDENTIFIED BY '***'"],
    ["ALTER USER u IDENTIFIED WITH mysql_native_password BY 'pw'", "ALTER USER u IDENTIFIED WITH mysql_native_password BY '***'"],
    ["SET PASSWORD FOR 'u'@'%' = 'pw'", "SET PASSWORD FOR 'u'@'%' = 'pw'".replace("'pw'", "'***'")],
    ["CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password 'pw')", "CREATE USER MAPPING FOR app SERVER s OPTIONS (user 'app', password '***')"],
    ["SELECT dblink_connect('host=db user=app password=hunter2 dbname=x')", "SELECT dblink_connect('host=db user=app password=*** dbname=x')"],
  ])("%s", (sql, expected) => {
    expect(redactCredentials(sql)).toBe(expected);
  });

  it("leaves statements without passwords as they are", () => {
    for (const sql of ["UPDATE users SET password_hash = $1 WHERE id = 2", "SELECT 'password' AS word", "UPDATE t SET note = 'identified by colour'"]) {
      expect(redactCredentials(sql)).toBe(sql);
    }
  });
});
