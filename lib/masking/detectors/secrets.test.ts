import { describe, expect, it } from "vitest";
import type { Detection } from "../types";
import { findSecrets, SECRET_HINT } from "./secrets";

function secrets(text: string): string[] {
  const out: Detection[] = [];
  findSecrets(text, out);
  return out.map((d) => text.slice(d.start, d.end));
}

const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc=\n-----END RSA PRIVATE KEY-----";

describe("findSecrets", () => {
  it("finds AWS access key ids", () => {
    expect(secrets("aws_access_key_id=AKIAIOSFODNN7EXAMPLE")).toEqual(["AKIAIOSFODNN7EXAMPLE"]);
    expect(secrets("ASIAY34FZKBOKMUTVV7A,")).toEqual(["ASIAY34FZKBOKMUTVV7A"]);
    expect(secrets("AKIAIOSFODNN7EXAMPLEX AKIA123")).toEqual([]);
  });
  it("finds JWTs", () => {
    expect(secrets(`Authorization: Bearer ${JWT}`)).toEqual([JWT]);
    expect(secrets("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")).toEqual(["eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."]);
    expect(secrets("eyJ alone, eyJabc")).toEqual([]);
  });
  it("finds PEM private keys but not certificates", () => {
    expect(secrets(`key:\n${PEM}\nend`)).toEqual([PEM]);
    expect(secrets("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")).toEqual([]);
    expect(secrets("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn")).toEqual(["-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"]);
  });
  it("finds Stripe, GitHub and Slack tokens", () => {
    const gh = "ghp_" + "A1b2C3d4E5".repeat(4).slice(0, 36);
    expect(secrets(`sk_live_51HxYzAbCdEfGhIjKl ${gh} xoxb-1234567890-abcdefghij`)).toEqual([
      "sk_live_51HxYzAbCdEfGhIjKl",
      gh,
      "xoxb-1234567890-abcdefghij",
    ]);
    expect(secrets("pk_live_51HxYzAbCdEfGhIjKl ghp_short")).toEqual([]);
  });
  it("has a hint for every kind", () => {
    for (const s of ["AKIAIOSFODNN7EXAMPLE", JWT, PEM, "sk_live_x", "ghp_x", "github_pat_x", "xoxb-x"]) {
      expect(SECRET_HINT.test(s)).toBe(true);
    }
  });
});
