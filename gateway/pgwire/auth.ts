import type { Logger } from "../../lib/log";
import type { AgentAuthenticator } from "../identity";
import type { AgentIdentity } from "../identity/types";
import { authSqlState, SQLSTATE } from "./errors";
import type { Frame } from "../protocols/postgres/messages";
import { Client, parseSaslInitialResponse } from "../protocols/postgres/parser";
import { mockScramVerifier, SCRAM_MECHANISM, ScramServer } from "../protocols/postgres/scram";
import { AUTH_CLEARTEXT, authSasl, authSaslContinue, authSaslFinal } from "../protocols/postgres/serializer";
import type { FrameReader } from "./startup";

// How a wire client proves it is an agent. The password is always the agent token:
//
// - over TLS, asked for in clear (AuthenticationCleartextPassword) and checked like a bearer token, so an
//   identity-provider JWT works too; `user` is free text;
// - without TLS, by SCRAM-SHA-256 (AuthenticationSASL), against the verifier stored when the token was issued;
//   `user` must be the token's public prefix (`alk_XXXXXXXX`). No channel binding is offered (-PLUS needs TLS).
//
// Like PostgreSQL, an unknown user name still gets a full exchange: a mock salt derived from a server secret and
// the name (stable, as a real salt is), and a proof that can never match. An unknown prefix, a token without a
// verifier and a wrong token all end the same way — FATAL 28P01 after the client's proof — so prefixes cannot be
// enumerated; the log says which it was. Only after a correct proof is the token checked like a bearer token
// (revoked, expired, agent disabled), read afresh from the store.

export type WireAuthResult =
  | { readonly ok: true; readonly agent: AgentIdentity }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly hint?: string }
  /** The client went away or was too slow: nothing to answer. */
  | { readonly ok: false; readonly code: null };

export interface WireAuthOptions {
  readonly authenticator: AgentAuthenticator;
  readonly log: Logger;
  /** Keys the mock salts; the same in every gateway process, so they answer an unknown name alike. */
  readonly mockSecret: Buffer;
  readonly timeoutMs: number;
}

const SCRAM_HINT =
  "Without TLS, Airlock uses SCRAM-SHA-256: the user name must be the agent token's public prefix (alk_ and 8 characters) and the password the token. " +
  "Tokens issued before SCRAM support, and identity-provider JWTs, need TLS (sslmode=require); or reissue the token.";

const PREFIX_SHAPE = /^alk_[A-Za-z0-9]{8}$/;

export async function authenticateClient(reader: FrameReader, secure: boolean, user: string, options: WireAuthOptions): Promise<WireAuthResult> {
  return secure ? cleartext(reader, options) : scram(reader, user, options);
}

async function cleartext(reader: FrameReader, options: WireAuthOptions): Promise<WireAuthResult> {
  reader.socket.write(AUTH_CLEARTEXT);
  const frame = await nextFrame(reader, options.timeoutMs);
  if (!frame) return { ok: false, code: null };
  if (frame.code !== Client.Password) return protocolViolation("expected a password message");
  const nul = frame.payload.indexOf(0);
  const password = frame.payload.toString("utf8", 0, nul < 0 ? frame.payload.length : nul);
  const result = await options.authenticator.authenticate(`Bearer ${password}`);
  if (!result.ok) return { ok: false, code: authSqlState(result.code), message: `password authentication failed: ${result.message}` };
  return result;
}

async function scram(reader: FrameReader, user: string, options: WireAuthOptions): Promise<WireAuthResult> {
  const { authenticator, log } = options;
  reader.socket.write(authSasl([SCRAM_MECHANISM]));
  const initial = await nextFrame(reader, options.timeoutMs);
  if (!initial) return { ok: false, code: null };
  const response = parseSaslInitialResponse(initial);
  if (response.name === "malformed") return protocolViolation(`expected SASLInitialResponse: ${response.reason}`);
  if (response.mechanism !== SCRAM_MECHANISM) return protocolViolation("client selected an invalid SASL authentication mechanism");
  if (response.data === null) return protocolViolation("malformed SCRAM message: no client-first-message");

  const credential = await authenticator.scramCredential(user);
  const named = PREFIX_SHAPE.test(user) ? user : "(not a token prefix)";
  if (credential.found && credential.others > 0) {
    log.info("pgwire.scram_shared_prefix", { prefix: named, tokens: credential.others + 1, note: "the newest usable token with this prefix is the one checked" });
  }
  const server = new ScramServer(credential.found ? credential.verifier : mockScramVerifier(options.mockSecret, user));
  const first = server.first(response.data.toString("utf8"));
  if (!first.ok) return protocolViolation(`malformed SCRAM message: ${first.reason}`);
  reader.socket.write(authSaslContinue(first.message));

  const proof = await nextFrame(reader, options.timeoutMs);
  if (!proof) return { ok: false, code: null };
  if (proof.code !== Client.Password) return protocolViolation("expected SASLResponse");
  const final = server.final(proof.payload.toString("utf8"));
  if (!final.ok && final.reason !== "password does not match") return protocolViolation(`malformed SCRAM message: ${final.reason}`);
  if (!final.ok || !credential.found) {
    const reason = credential.found ? "wrong_token" : credential.reason;
    if (reason === "no_verifier") {
      log.warn("pgwire.auth_failed", { method: "scram", prefix: named, reason, note: "this token was issued before SCRAM support: connect over TLS or reissue it" });
    } else log.info("pgwire.auth_failed", { method: "scram", prefix: named, reason });
    return passwordFailed(user);
  }

  const result = await authenticator.authenticateTokenId(credential.tokenId);
  if (!result.ok) {
    log.info("pgwire.auth_failed", { method: "scram", prefix: named, reason: result.code });
    return { ok: false, code: authSqlState(result.code), message: `password authentication failed: ${result.message}` };
  }
  reader.socket.write(authSaslFinal(final.message));
  return result;
}

async function nextFrame(reader: FrameReader, timeoutMs: number): Promise<Frame | null> {
  try {
    return await reader.next(timeoutMs);
  } catch {
    reader.socket.destroy();
    return null;
  }
}

function protocolViolation(message: string): WireAuthResult {
  return { ok: false, code: SQLSTATE.protocolViolation, message };
}

function passwordFailed(user: string): WireAuthResult {
  const clean = user.replace(/[\u0000-\u001f\u007f]/g, "?");
  const shown = clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
  return { ok: false, code: SQLSTATE.invalidPassword, message: `password authentication failed for user "${shown}"`, hint: SCRAM_HINT };
}
