import { describe, expect, it } from "vitest";
import { issueAgentToken } from "../../lib/crypto/agent-token";
import { MAX_AUTHORIZATION_LENGTH, readCredential } from "./bearer";

describe("readCredential", () => {
  const { token, prefix } = issueAgentToken();

  it("accepts an agent token after Bearer, any case, surrounding blanks", () => {
    expect(readCredential(`Bearer ${token}`)).toEqual({ kind: "agent_token", token, prefix });
    expect(readCredential(`  bearer   ${token}  `)).toEqual({ kind: "agent_token", token, prefix });
    expect(readCredential(`BEARER\t${token}`)).toEqual({ kind: "agent_token", token, prefix });
  });

  it("accepts a compact JWS, including an unsigned one (refused later by the verifier)", () => {
    expect(readCredential("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")).toEqual({ kind: "jwt", token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" });
    expect(readCredential("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")).toMatchObject({ kind: "jwt" });
  });

  it("says missing for no header or a blank one", () => {
    for (const header of [undefined, "", "   "]) expect(readCredential(header)).toMatchObject({ ok: false, code: "missing_credentials" });
  });

  it("refuses other schemes, a bare token, two tokens, wrong shapes — without echoing the value", () => {
    const cases = ["Basic dXNlcjpwYXNz", token, `Bearer ${token} extra`, "Bearer", "Bearer ", "Bearer alk_short_abc", `Bearer ${token}x`, "Bearer not-a-token", "Bearer a.b", "Bearer a.b.c.d.e", "Token abc"];
    for (const header of cases) {
      const result = readCredential(header);
      expect(result, header).toMatchObject({ ok: false, code: "malformed_credentials" });
      if ("message" in result) {
        expect(result.message).not.toContain(token.slice(13));
        expect(result.message).not.toContain("dXNlcjpwYXNz");
      }
    }
    expect(readCredential("Basic dXNlcjpwYXNz")).toMatchObject({ message: expect.stringContaining('"Basic"') });
  });

  it("refuses an oversized header", () => {
    expect(readCredential(`Bearer ${"a".repeat(MAX_AUTHORIZATION_LENGTH)}`)).toMatchObject({ code: "malformed_credentials" });
  });
});
