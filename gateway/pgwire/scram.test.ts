import { expect, test } from "vitest";
import { ScramClient, ScramServer, scramVerifier } from "./scram";

test("SCRAM-SHA-256: the client side and the server side agree, and a wrong password fails", () => {
  const verifier = scramVerifier("alk_secret_token", Buffer.from("0123456789abcdef"), 4096);
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
