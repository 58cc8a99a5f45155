import { expect, test } from "vitest";
import { computeScramVerifier } from "../../../lib/crypto/agent-token";
import { mockScramVerifier, ScramClient, ScramServer } from "./scram";

test("SCRAM-SHA-256: the client side and the server side agree, and a wrong password fails", () => {
  const verifier = computeScramVerifier("alk_secret_token", Buffer.from("0123456789abcdef"), 4096);
  const client = new ScramClient("alk_secret_token");
  const server = new ScramServer(verifier);
  const first = server.first(client.first());
  expect(first.ok).toBe(true);
  const final = server.final(client.final(first.ok ? first.message : ""));
  expect(final.ok).toBe(true);
  expect(() => client.verify(final.ok ? final.message : "")).not.toThrow();

  const wrong = new ScramClient("alk_wrong");
  const server2 = new ScramServer(verifier);
  const first2 = server2.first(wrong.first());
  expect(server2.final(wrong.final(first2.ok ? first2.message : ""))).toMatchObject({ ok: false });
  expect(new ScramServer(verifier).first("p=tls-server-end-point,,n=*,r=abc")).toMatchObject({ ok: false });
});

test("ScramServer: a tampered channel-binding attribute, another exchange's final message, a second first message fail", () => {
  const verifier = computeScramVerifier("alk_secret_token", Buffer.from("0123456789abcdef"), 4096);
  const run = () => {
    const client = new ScramClient("alk_secret_token");
    const server = new ScramServer(verifier);
    const first = server.first(client.first());
    return { client, server, final: client.final(first.ok ? first.message : "") };
  };
  const a = run();
  expect(a.server.final(a.final.replace("c=biws", "c=eSws"))).toMatchObject({ ok: false });
  const b = run();
  expect(b.server.final(a.final)).toMatchObject({ ok: false, reason: "malformed SCRAM client-final-message" });
  expect(b.server.first(new ScramClient("x").first())).toMatchObject({ ok: false });
  expect(b.server.final(b.final)).toMatchObject({ ok: true });
  expect(new ScramServer(verifier).final(b.final)).toMatchObject({ ok: false });
});

test("mockScramVerifier: the same salt for the same name and secret, a different one otherwise; no proof matches", () => {
  const secret = Buffer.alloc(32, 7);
  const a = mockScramVerifier(secret, "alk_AAAAAAAA");
  expect(a.salt.equals(mockScramVerifier(secret, "alk_AAAAAAAA").salt)).toBe(true);
  expect(a.salt.equals(mockScramVerifier(secret, "alk_AAAAAAAB").salt)).toBe(false);
  expect(a.salt.equals(mockScramVerifier(Buffer.alloc(32, 8), "alk_AAAAAAAA").salt)).toBe(false);
  expect(a.salt).toHaveLength(16);
  const client = new ScramClient("alk_AAAAAAAA_anything");
  const server = new ScramServer(a);
  const first = server.first(client.first());
  expect(server.final(client.final(first.ok ? first.message : ""))).toMatchObject({ ok: false, reason: "password does not match" });
});
