import { verify } from "@node-rs/argon2";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureBootstrapAdmin } from "../../lib/auth/bootstrap";
import { signInWithOidc } from "../../lib/auth/oidc";
import type { Role } from "../../lib/auth/permissions";
import { migratedScratch, type ApprovalTestDb } from "../approvals/fixtures";

// People's accounts against a real store: the bootstrap admin from configuration, and accounts made and updated
// by sign-in through an OpenID provider (roles from groups, matched by subject, never taken over by e-mail).

let t: ApprovalTestDb;
beforeAll(async () => {
  t = await migratedScratch("people");
});
afterAll(async () => t?.close());

const config = {
  groupsClaim: "groups",
  roles: new Map<string, Role[]>([
    ["oncall", ["approver"]],
    ["compliance", ["auditor"]],
  ]),
};

describe("bootstrap admin", () => {
  test("is created once with an argon2 hash, then left alone", async () => {
    expect(await ensureBootstrapAdmin(t.store, " Root@Example.com ", "correct horse battery")).toBe("created");
    const user = await t.store.user.findUniqueOrThrow({ where: { email: "root@example.com" } });
    expect(user.roles).toEqual(["admin"]);
    expect(user.passwordHash).not.toContain("correct horse");
    expect(await verify(user.passwordHash!, "correct horse battery")).toBe(true);

    await t.store.user.update({ where: { id: user.id }, data: { roles: ["auditor"] } });
    expect(await ensureBootstrapAdmin(t.store, "root@example.com", "another password!")).toBe("exists");
    const after = await t.store.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.roles).toEqual(["auditor"]);
    expect(await verify(after.passwordHash!, "correct horse battery")).toBe(true);
  });
});

describe("sign-in through the provider", () => {
  test("creates the account with the roles its groups map to, and follows the groups at every sign-in", async () => {
    const first = await signInWithOidc(t.store, config, { sub: "idp|ada", email: "Ada@Corp.test", name: "Ada", groups: ["oncall", "staff"] });
    expect(first.ok).toBe(true);
    const ada = await t.store.user.findUniqueOrThrow({ where: { oidcSubject: "idp|ada" } });
    expect(ada).toMatchObject({ email: "ada@corp.test", name: "Ada", roles: ["approver"], groups: ["oncall", "staff"], passwordHash: null });
    expect(ada.lastLoginAt).not.toBeNull();

    const second = await signInWithOidc(t.store, config, { sub: "idp|ada", email: "ada@corp.test", name: "Ada L.", groups: ["compliance"] });
    expect(second).toEqual({ ok: true, userId: ada.id });
    expect(await t.store.user.findUniqueOrThrow({ where: { id: ada.id } })).toMatchObject({ name: "Ada L.", roles: ["auditor"], groups: ["compliance"] });
  });

  test("refuses someone whose groups map to no role, and keeps no account for them", async () => {
    expect(await signInWithOidc(t.store, config, { sub: "idp|bob", email: "bob@corp.test", groups: ["staff"] })).toEqual({ ok: false, refusal: "OidcNoRole" });
    expect(await signInWithOidc(t.store, config, { sub: "idp|bob", email: "bob@corp.test" })).toEqual({ ok: false, refusal: "OidcNoRole" });
    expect(await t.store.user.findUnique({ where: { oidcSubject: "idp|bob" } })).toBeNull();
  });

  test("never takes over another account by e-mail", async () => {
    await ensureBootstrapAdmin(t.store, "boss@corp.test", "a long enough password");
    const result = await signInWithOidc(t.store, config, { sub: "idp|mallory", email: "BOSS@corp.test", groups: ["oncall"] });
    expect(result).toEqual({ ok: false, refusal: "OidcEmailTaken" });
    const boss = await t.store.user.findUniqueOrThrow({ where: { email: "boss@corp.test" } });
    expect(boss).toMatchObject({ roles: ["admin"], oidcSubject: null });
  });

  test("refuses a disabled account and a profile without subject or e-mail", async () => {
    await signInWithOidc(t.store, config, { sub: "idp|carol", email: "carol@corp.test", groups: ["oncall"] });
    await t.store.user.update({ where: { oidcSubject: "idp|carol" }, data: { disabled: true } });
    expect(await signInWithOidc(t.store, config, { sub: "idp|carol", email: "carol@corp.test", groups: ["oncall"] })).toEqual({ ok: false, refusal: "OidcDisabled" });
    expect(await signInWithOidc(t.store, config, { email: "x@corp.test", groups: ["oncall"] })).toEqual({ ok: false, refusal: "OidcProfile" });
    expect(await signInWithOidc(t.store, config, { sub: "idp|x", email: "not an address", groups: ["oncall"] })).toEqual({ ok: false, refusal: "OidcProfile" });
  });
});
