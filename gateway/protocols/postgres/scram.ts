import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { SCRAM_ITERATIONS, type ScramVerifier } from "../../../lib/crypto/agent-token";

// SCRAM-SHA-256 (RFC 5802 / 7677) as PostgreSQL uses it, both ways: the client side, for reaching a target that
// asks for it, and the server side, for agents, given a stored verifier (salt, iterations, StoredKey, ServerKey).
// Channel binding is not offered (gs2 header "n,," or "y,,"). Passwords are used as given (no SASLprep): agent
// tokens and generated secrets are ASCII.

export const SCRAM_MECHANISM = "SCRAM-SHA-256";

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * The verifier a server pretends to hold for a user it does not know (PostgreSQL's "mock authentication"): the
 * salt is derived from a server secret and the user name, so asking twice gives the same salt, as a real user's
 * would; the keys are random, so no proof ever matches.
 */
export function mockScramVerifier(secret: Buffer, user: string): ScramVerifier {
  const salt = createHmac("sha256", secret).update("airlock pgwire scram mock salt\0").update(user, "utf8").digest().subarray(0, 16);
  return { iterations: SCRAM_ITERATIONS, salt, storedKey: randomBytes(32), serverKey: randomBytes(32) };
}

function attributes(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq === 1) map.set(part[0]!, part.slice(2));
  }
  return map;
}

// ── Client side ──────────────────────────────────────────────────────────────────────────────────────────

export class ScramClient {
  readonly #nonce = randomBytes(18).toString("base64");
  #serverSignature: Buffer | null = null;

  constructor(private readonly password: string) {}

  /** client-first-message (sent in SASLInitialResponse). */
  first(): string {
    return `n,,n=*,r=${this.#nonce}`;
  }

  /** client-final-message for the server-first-message; throws when the server's answer is not acceptable. */
  final(serverFirst: string): string {
    const attrs = attributes(serverFirst);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (!nonce?.startsWith(this.#nonce) || nonce.length === this.#nonce.length) throw new Error("SCRAM: server nonce does not extend the client's");
    if (!salt || !Number.isInteger(iterations) || iterations < 1) throw new Error("SCRAM: bad server-first-message");
    const salted = pbkdf2Sync(this.password, Buffer.from(salt, "base64"), iterations, 32, "sha256");
    const clientKey = hmac(salted, "Client Key");
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `n=*,r=${this.#nonce},${serverFirst},${withoutProof}`;
    const proof = xor(clientKey, hmac(sha256(clientKey), authMessage));
    this.#serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
    return `${withoutProof},p=${proof.toString("base64")}`;
  }

  /** Checks the server-final-message (the server proves it knew the verifier too). */
  verify(serverFinal: string): void {
    const signature = attributes(serverFinal).get("v");
    if (!this.#serverSignature || !signature || !timingSafeEqual(Buffer.from(signature, "base64"), this.#serverSignature)) {
      throw new Error("SCRAM: the server's signature does not match");
    }
  }
}

// ── Server side ──────────────────────────────────────────────────────────────────────────────────────────

export type ScramStep = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly reason: string };

export class ScramServer {
  #clientFirstBare = "";
  #serverFirst = "";
  #nonce = "";
  #gs2Header = "";

  constructor(private readonly verifier: ScramVerifier) {}

  /** Takes the client-first-message, answers the server-first-message. */
  first(clientFirst: string): ScramStep {
    const match = /^([ny]),(?:a=[^,]*)?,(n=[^,]*,r=([^,]+)(?:,.*)?)$/.exec(clientFirst);
    if (!match) return { ok: false, reason: "malformed SCRAM client-first-message (channel binding is not supported)" };
    if (this.#serverFirst !== "") return { ok: false, reason: "SCRAM client-first-message sent twice" };
    this.#gs2Header = clientFirst.slice(0, clientFirst.length - match[2]!.length);
    this.#clientFirstBare = match[2]!;
    this.#nonce = `${match[3]!}${randomBytes(18).toString("base64")}`;
    this.#serverFirst = `r=${this.#nonce},s=${this.verifier.salt.toString("base64")},i=${this.verifier.iterations}`;
    return { ok: true, message: this.#serverFirst };
  }

  /** Takes the client-final-message; answers server-final when the proof holds. */
  final(clientFinal: string): ScramStep {
    const match = /^(c=([^,]*),r=([^,]*)(?:,.*)?),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    if (this.#serverFirst === "" || !match || match[3] !== this.#nonce) return { ok: false, reason: "malformed SCRAM client-final-message" };
    // the channel-binding attribute must repeat the gs2 header the client opened with (no binding data: none is offered)
    if (match[2] !== Buffer.from(this.#gs2Header, "utf8").toString("base64")) return { ok: false, reason: "SCRAM channel-binding attribute does not match the header" };
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${match[1]!}`;
    const proof = Buffer.from(match[4]!, "base64");
    if (proof.length !== 32) return { ok: false, reason: "bad SCRAM proof" };
    const clientKey = xor(proof, hmac(this.verifier.storedKey, authMessage));
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) return { ok: false, reason: "password does not match" };
    return { ok: true, message: `v=${hmac(this.verifier.serverKey, authMessage).toString("base64")}` };
  }
}
