import { randomUUID } from "node:crypto";
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

/** How long an HTTP-door session is reused after it started. */
export const SESSION_REUSE_MS = 60 * 60 * 1000;

type Tx = Prisma.TransactionClient | Store;

export async function openSession(store: Store, input: OpenSessionInput, maxPayloadBytes: number): Promise<OpenedSession> {
  const payload = connectPayload(input, maxPayloadBytes);
  return guard(() => createSession(store, input, payload));
}

/**
 * The live session of (agentId, frontDoor, clientKey) that started within the last hour, or a new one. A
 * transaction-scoped advisory lock on the key makes two requests (or two gateways) racing on a new key agree
 * on one session.
 */
export async function findOrOpenSession(store: Store, input: OpenSessionInput, maxPayloadBytes: number, now = new Date()): Promise<OpenedSession> {
  const clientKey = input.clientKey;
  if (!clientKey) return openSession(store, input, maxPayloadBytes);
  const payload = connectPayload(input, maxPayloadBytes);
  return guard(() =>
    store.$transaction(async (tx) => {
      const lockKey = `airlock.session/${input.agentId}/${input.frontDoor}/${clientKey}`;
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))) AS l`;
      const found = await tx.agentSession.findFirst({
        where: { agentId: input.agentId, frontDoor: input.frontDoor, clientKey, endedAt: null, startedAt: { gte: new Date(now.getTime() - SESSION_REUSE_MS) } },
        orderBy: { startedAt: "desc" },
        select: { id: true },
      });
      if (found) return { sessionId: found.id, reused: true };
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

async function createSession(tx: Tx, input: OpenSessionInput, payload: JsonObject): Promise<OpenedSession> {
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
  return { sessionId, reused: false };
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
