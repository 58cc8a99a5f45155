import type { Store } from "../../lib/store/client";
import type { Prisma } from "../../lib/store/generated/client";
import { ruleIdsOf } from "../../lib/notifications/approval-message";

// The delivery queue in the store (NotificationDelivery), shared by every gateway process. A row is one notice of
// one request on one channel (unique per channel, request and event, so enqueuing twice is harmless). Rows are
// claimed with FOR UPDATE SKIP LOCKED and a lease (nextAttemptAt pushed forward), so two processes never send the
// same row at once and a process that dies mid-send leaves it to be retried when the lease runs out.
// Times are passed in as parameters (the columns are UTC timestamps without a zone; the server's now() is not).

export type DeliveryEvent = "requested" | "reminder" | "decided";

export interface ClaimedDelivery {
  readonly id: string;
  readonly channelId: string;
  readonly requestId: string;
  readonly event: DeliveryEvent;
  /** Attempts made before this one. */
  readonly attempts: number;
}

/** A decided notice is only sent for announcements this recent (requests expire within 7 days). */
const DECIDED_WINDOW_MS = 8 * 24 * 3600_000;

type Db = Store | Prisma.TransactionClient;

/** The enabled channels a request goes to: same connection or all, a rule that asked for approval or all. */
export async function matchingChannels(db: Db, request: { connectionId: string; decision: Prisma.JsonValue }, escalation: boolean): Promise<string[]> {
  const ruleIds = ruleIdsOf(request.decision);
  const rows = await db.notificationChannel.findMany({
    where: {
      enabled: true,
      escalation,
      AND: [{ OR: [{ connectionId: null }, { connectionId: request.connectionId }] }, { OR: [{ ruleId: null }, { ruleId: { in: ruleIds } }] }],
    },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

async function enqueue(db: Db, requestId: string, channelIds: readonly string[], event: DeliveryEvent, now: Date): Promise<number> {
  if (channelIds.length === 0) return 0;
  const created = await db.notificationDelivery.createMany({
    data: channelIds.map((channelId) => ({ channelId, requestId, event, nextAttemptAt: now, createdAt: now })),
    skipDuplicates: true,
  });
  return created.count;
}

/** One "requested" delivery per matching non-escalation channel. Returns how many were new. */
export async function enqueueRequested(store: Store, requestId: string, now: Date): Promise<number> {
  const request = await store.approvalRequest.findUnique({ where: { id: requestId }, select: { connectionId: true, decision: true } });
  if (!request) return 0;
  return enqueue(store, requestId, await matchingChannels(store, request, false), "requested", now);
}

/**
 * The catch-up: a pending request of the last `windowMs` that no channel was told of (the process that created it
 * died before it enqueued, or the store was briefly away) is enqueued now. Requests younger than `graceMs` are
 * left to the fast path. Returns the ids that got deliveries.
 */
export async function enqueueMissed(store: Store, now: Date, windowMs: number, graceMs: number, limit = 50): Promise<string[]> {
  const rows = await store.approvalRequest.findMany({
    where: {
      status: "pending",
      expiresAt: { gt: now },
      requestedAt: { gt: new Date(now.getTime() - windowMs), lte: new Date(now.getTime() - graceMs) },
      notifications: { none: { event: "requested" } },
    },
    orderBy: { requestedAt: "asc" },
    take: limit,
    select: { id: true, connectionId: true, decision: true },
  });
  const announced: string[] = [];
  for (const row of rows) {
    if ((await enqueue(store, row.id, await matchingChannels(store, row, false), "requested", now)) > 0) announced.push(row.id);
  }
  return announced;
}

/**
 * A "decided" delivery for every channel that was told of a request (its "requested" or "reminder" notice was
 * delivered) once the request is no longer pending, whoever decided it and wherever: Slack rewrites its message,
 * webhooks hear approval.decided. A pending request past its expiry counts as decided (expired).
 */
export async function enqueueDecided(store: Store, now: Date, limit = 100): Promise<number> {
  const since = new Date(now.getTime() - DECIDED_WINDOW_MS);
  const due = await store.$queryRaw<{ channelId: string; requestId: string }[]>`
    SELECT DISTINCT d."channelId"::text AS "channelId", d."requestId"::text AS "requestId"
      FROM "NotificationDelivery" d
      JOIN "ApprovalRequest" r ON r.id = d."requestId"
      JOIN "NotificationChannel" c ON c.id = d."channelId"
     WHERE d.event IN ('requested', 'reminder') AND d.status = 'delivered' AND d."createdAt" > ${since}
       AND (r.status <> 'pending' OR r."expiresAt" <= ${now}) AND c.enabled
       AND NOT EXISTS (SELECT 1 FROM "NotificationDelivery" x
                        WHERE x."channelId" = d."channelId" AND x."requestId" = d."requestId" AND x.event = 'decided')
     LIMIT ${limit}`;
  if (due.length === 0) return 0;
  const created = await store.notificationDelivery.createMany({
    data: due.map((row) => ({ channelId: row.channelId, requestId: row.requestId, event: "decided", nextAttemptAt: now, createdAt: now })),
    skipDuplicates: true,
  });
  return created.count;
}

/**
 * Requests still pending remindAfterSeconds after they were made get one reminder on the matching escalation
 * channels. remindedAt is set in the same transaction as the deliveries are queued, and the rows are taken with
 * SKIP LOCKED, so each request is reminded once however many gateways run. Returns the reminded request ids.
 */
export async function enqueueReminders(store: Store, now: Date, limit = 50): Promise<string[]> {
  return store.$transaction(async (tx) => {
    const due = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "ApprovalRequest" SET "remindedAt" = ${now}
       WHERE id IN (SELECT id FROM "ApprovalRequest"
                     WHERE status = 'pending' AND "remindedAt" IS NULL AND "remindAfterSeconds" IS NOT NULL
                       AND "expiresAt" > ${now} AND "requestedAt" + make_interval(secs => "remindAfterSeconds") <= ${now}
                     ORDER BY "requestedAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id::text AS id`;
    if (due.length === 0) return [];
    const requests = await tx.approvalRequest.findMany({ where: { id: { in: due.map((row) => row.id) } }, select: { id: true, connectionId: true, decision: true } });
    for (const request of requests) await enqueue(tx, request.id, await matchingChannels(tx, request, true), "reminder", now);
    return requests.map((request) => request.id);
  });
}

/** Takes up to `limit` due deliveries for this process, leasing them until `leaseUntil`. */
export async function claimDeliveries(store: Store, now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  return store.$queryRaw<ClaimedDelivery[]>`
    UPDATE "NotificationDelivery" SET "nextAttemptAt" = ${leaseUntil}
     WHERE id IN (SELECT id FROM "NotificationDelivery"
                   WHERE status = 'pending' AND "nextAttemptAt" <= ${now}
                   ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id::text AS id, "channelId"::text AS "channelId", "requestId"::text AS "requestId", event, attempts`;
}

export type AttemptOutcome =
  | { readonly ok: true; readonly responseStatus: number | null; readonly externalRef?: string }
  | { readonly ok: false; readonly responseStatus: number | null; readonly error: string; readonly retryAt: Date | null };

/** Records an attempt: delivered; or failed for good (retryAt null); or pending again until retryAt. */
export async function recordAttempt(store: Store, delivery: ClaimedDelivery, outcome: AttemptOutcome, now: Date): Promise<void> {
  const attempts = delivery.attempts + 1;
  const data: Prisma.NotificationDeliveryUpdateManyMutationInput = outcome.ok
    ? { status: "delivered", attempts, deliveredAt: now, responseStatus: outcome.responseStatus, lastError: null, ...(outcome.externalRef ? { externalRef: outcome.externalRef } : {}) }
    : outcome.retryAt === null
      ? { status: "failed", attempts, responseStatus: outcome.responseStatus, lastError: outcome.error }
      : { status: "pending", attempts, responseStatus: outcome.responseStatus, lastError: outcome.error, nextAttemptAt: outcome.retryAt };
  await store.notificationDelivery.updateMany({ where: { id: delivery.id, status: "pending" }, data });
}

/** The Slack message a request's notice on this channel posted ("<channel>:<ts>"), for chat.update. */
export async function postedMessage(store: Store, channelId: string, requestId: string): Promise<{ channel: string; ts: string } | null> {
  const row = await store.notificationDelivery.findFirst({
    where: { channelId, requestId, event: { in: ["requested", "reminder"] }, status: "delivered", externalRef: { not: null } },
    orderBy: { deliveredAt: "asc" },
    select: { externalRef: true },
  });
  const [channel, ts] = (row?.externalRef ?? "").split(":");
  return channel && ts ? { channel, ts } : null;
}
