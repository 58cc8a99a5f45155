import { randomUUID } from "node:crypto";
import type pg from "pg";
import { eventHash, GENESIS_HASH } from "../../lib/audit/chain";
import type { Store } from "../../lib/store/client";
import { Prisma, type FrontDoor } from "../../lib/store/generated/client";
import { RecorderError, storeErrorCode } from "./errors";
import { storablePayload, type JsonObject } from "./payload";

// Opening a session: the AgentSession row and its `connect` event (seq 1, chained to the genesis hash) are
// created together in one statement, so a session never exists without the start of its chain.

export interface OpenSessionInput {
  readonly agentId: string;
  readonly connectionId: string | null;
  readonly frontDoor: FrontDoor;
  /** HTTP session header or MCP session id, when the client sends one. */
  readonly clientKey?: string | null;
  readonly clientAddr?: string | null;
  /** Extra fields for the connect event (client name, protocol version…): masked, never a secret. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface OpenedSession {
  readonly sessionId: string;
  /** True when findOrOpenSession found a live session instead of opening one. */
  readonly reused: boolean;
}

/** What the recorder learns from opening: the new session's head (its connect event's hash), when it created one. */
export interface Opened extends OpenedSession {
  readonly headHash?: string;
}

/** How long an HTTP-door session is reused after it started. */
export const SESSION_REUSE_MS = 60 * 60 * 1000;

type Tx = Prisma.TransactionClient | Store;

/** Over `pool` when given: the session row and its connect event in one statement (one round trip). */
export async function openSession(store: Store, input: OpenSessionInput, maxPayloadBytes: number, pool?: pg.Pool): Promise<Opened> {
  const payload = connectPayload(input, maxPayloadBytes);
  return guard(() => (pool ? createSessionPg(pool, input, payload) : createSession(store, input, payload)));
}

/**
 * The live session of (agentId, frontDoor, clientKey) that started within the last hour, or a new one. A
 * transaction-scoped advisory lock on the key makes two requests (or two gateways) racing on a new key agree
 * on one session.
 */
export async function findOrOpenSession(store: Store, input: OpenSessionInput, maxPayloadBytes: number, pool?: pg.Pool, now = new Date()): Promise<Opened> {
  const clientKey = input.clientKey;
  if (!clientKey) return openSession(store, input, maxPayloadBytes, pool);
  const payload = connectPayload(input, maxPayloadBytes);
  return guard(() =>
    store.$transaction(async (tx) => {
      const lockKey = `airlock.session/${input.agentId}/${input.frontDoor}/${clientKey}`;
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))) AS l`;
      const found = await tx.agentSession.findFirst({
        where: { agentId: input.agentId, connectionId: input.connectionId ?? null, frontDoor: input.frontDoor, clientKey, endedAt: null, startedAt: { gte: new Date(now.getTime() - SESSION_REUSE_MS) } },
        orderBy: { startedAt: "desc" },
        select: { id: true },
      });
      if (found) return { sessionId: found.id, reused: true } satisfies Opened;
      return createSession(tx, input, payload);
    }),
  );
}

function connectPayload(input: OpenSessionInput, maxPayloadBytes: number): JsonObject {
  try {
    const details = { ...input.details, frontDoor: input.frontDoor, connectionId: input.connectionId, clientAddr: input.clientAddr ?? null };
    return storablePayload(details, maxPayloadBytes).payload;
  } catch {
    throw new RecorderError("invalid_event", "the connect details are not JSON");
  }
}

async function createSession(tx: Tx, input: OpenSessionInput, payload: JsonObject): Promise<Opened> {
  const sessionId = randomUUID();
  const at = new Date();
  const hash = eventHash(GENESIS_HASH, { sessionId, seq: 1, type: "connect", at: at.toISOString(), decision: null, sqlText: null, payload });
  await tx.agentSession.create({
    data: {
      id: sessionId,
      agentId: input.agentId,
      connectionId: input.connectionId,
      frontDoor: input.frontDoor,
      clientKey: input.clientKey ?? null,
      clientAddr: input.clientAddr ?? null,
      startedAt: at,
      headHash: hash,
      eventCount: 1,
      events: { create: { seq: 1, type: "connect", at, payload, prevHash: GENESIS_HASH, hash } },
    },
    select: { id: true },
  });
  return { sessionId, reused: false, headHash: hash };
}

// The event's foreign key is checked at the end of the statement, when the session row is there.
const CREATE_SESSION = `WITH s AS (
    INSERT INTO "AgentSession" (id, "agentId", "connectionId", "frontDoor", "clientKey", "clientAddr", "startedAt", "headHash", "eventCount")
    VALUES ($1::uuid, $2::uuid, $3::uuid, $4::"FrontDoor", $5, $6, $7::timestamp(3), $8, 1)
    RETURNING id
  )
  INSERT INTO "SessionEvent" ("sessionId", seq, type, at, payload, "prevHash", hash)
  SELECT id, 1, 'connect', $7::timestamp(3), $9::jsonb, $10, $8 FROM s`;

async function createSessionPg(pool: pg.Pool, input: OpenSessionInput, payload: JsonObject): Promise<Opened> {
  const sessionId = randomUUID();
  const at = new Date().toISOString();
  const hash = eventHash(GENESIS_HASH, { sessionId, seq: 1, type: "connect", at, decision: null, sqlText: null, payload });
  const values = [sessionId, input.agentId, input.connectionId, input.frontDoor, input.clientKey ?? null, input.clientAddr ?? null, at, hash, JSON.stringify(payload), GENESIS_HASH];
  const { rowCount } = await pool.query(CREATE_SESSION, values);
  if (rowCount !== 1) throw new Error("recorder: the session was not created");
  return { sessionId, reused: false, headHash: hash };
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RecorderError) throw error;
    const code = storeErrorCode(error);
    // P2003: foreign key — the agent or the connection does not exist.
    if (code === "P2003" || code === "23503") throw new RecorderError("invalid_event", "unknown agent or connection", code);
    throw new RecorderError("store_unavailable", undefined, code);
  }
}
