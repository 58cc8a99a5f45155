import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, slackSignature, verifySlackRequest, verifyWebhookSignature } from "./signature";

const NOW = 1_765_000_000;
const BODY = 'payload=%7B%22type%22%3A%22block_actions%22%7D';

describe("webhook signatures", () => {
  it("signs t=<ts>,v1=<hmac of ts.body> and verifies its own signature", () => {
    const header = signWebhook("webhook-secret-123456", NOW, '{"a":1}');
    const expected = createHmac("sha256", "webhook-secret-123456").update(`${NOW}.{"a":1}`).digest("hex");
    expect(header).toBe(`t=${NOW},v1=${expected}`);
    expect(verifyWebhookSignature({ secret: "webhook-secret-123456", header, body: '{"a":1}', nowSec: NOW + 10 })).toEqual({ ok: true });
  });

  it("refuses another body, another secret, a stale or future timestamp, and malformed headers", () => {
    const header = signWebhook("s3cret-s3cret-s3cret", NOW, "{}");
    const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret: "s3cret-s3cret-s3cret", header, body: "{}", nowSec: NOW, ...overrides });
    expect(check({ body: "{ }" })).toEqual({ ok: false, code: "mismatch" });
    expect(check({ secret: "another-secret-value" })).toEqual({ ok: false, code: "mismatch" });
    expect(check({ nowSec: NOW + 301 })).toEqual({ ok: false, code: "stale" });
    expect(check({ nowSec: NOW - 301 })).toEqual({ ok: false, code: "stale" });
    expect(check({ nowSec: NOW + 301, toleranceSec: 600 })).toEqual({ ok: true });
    for (const bad of [null, "", "v1=abc", `t=${NOW}`, `t=soon,v1=${"0".repeat(64)}`]) {
      expect(check({ header: bad })).toEqual({ ok: false, code: "malformed" });
    }
    expect(check({ header: `t=${NOW},v1=zz` })).toEqual({ ok: false, code: "mismatch" });
  });

  it("accepts any one of several v1 values (secret rotation)", () => {
    const good = signWebhook("new-secret-new-secret", NOW, "{}");
    const header = `t=${NOW},v1=${"a".repeat(64)},${good.split(",")[1]}`;
    expect(verifyWebhookSignature({ secret: "new-secret-new-secret", header, body: "{}", nowSec: NOW })).toEqual({ ok: true });
  });
});

describe("Slack request verification", () => {
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const signature = slackSignature(secret, NOW, BODY);
  const check = (overrides: Partial<Parameters<typeof verifySlackRequest>[0]>) =>
    verifySlackRequest({ signingSecret: secret, timestamp: String(NOW), body: BODY, signature, nowSec: NOW, ...overrides });

  it("accepts a good signature over v0:<timestamp>:<body>", () => {
    const expected = createHmac("sha256", secret).update(`v0:${NOW}:${BODY}`).digest("hex");
    expect(signature).toBe(`v0=${expected}`);
    // A verified request answers the signature as computed: the replay key, whatever the header's blanks.
    expect(check({})).toEqual({ ok: true, signature });
    expect(check({ nowSec: NOW + 299 })).toEqual({ ok: true, signature });
    expect(check({ signature: ` ${signature}\u00a0` })).toEqual({ ok: true, signature });
  });

  it("refuses a forged signature, a changed body, and another timestamp", () => {
    expect(check({ signature: `v0=${"0".repeat(64)}` })).toEqual({ ok: false, code: "mismatch" });
    expect(check({ signingSecret: "someone-elses-secret" })).toEqual({ ok: false, code: "mismatch" });
    expect(check({ body: `${BODY}&x=1` })).toEqual({ ok: false, code: "mismatch" });
    expect(check({ timestamp: String(NOW + 1), nowSec: NOW })).toEqual({ ok: false, code: "mismatch" });
  });

  it("refuses stale and future timestamps even with a valid signature", () => {
    const old = NOW - 301;
    expect(check({ timestamp: String(old), signature: slackSignature(secret, old, BODY) })).toEqual({ ok: false, code: "stale" });
    const ahead = NOW + 301;
    expect(check({ timestamp: String(ahead), signature: slackSignature(secret, ahead, BODY) })).toEqual({ ok: false, code: "stale" });
  });

  it("refuses malformed headers", () => {
    for (const [timestamp, sig] of [
      [undefined, signature],
      ["", signature],
      ["12a", signature],
      [String(NOW), undefined],
      [String(NOW), signature.slice(3)],
      [String(NOW), "v1=" + signature.slice(3)],
    ] as const) {
      expect(check({ timestamp, signature: sig })).toEqual({ ok: false, code: "malformed" });
    }
    expect(check({ signature: "v0=short" })).toEqual({ ok: false, code: "mismatch" });
  });
});
