import type { ChannelSummary, DeliveryCounts } from "@/components/notifications/channel-table";
import { readConfig } from "@/lib/config/env";
import { getChannel, listChannels, listDeliveries, type ChannelRow, type DeliveryRow } from "@/lib/notifications/channels";
import type { Store } from "@/lib/store/client";

// The notifications pages' reads: channels (never their secrets: lib/notifications selects without them) with how
// their deliveries went, the delivery log filtered by `?channel=`, and the choices the form offers. Callers check
// permissions.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type { ChannelSummary, DeliveryCounts };

const NONE: DeliveryCounts = { delivered: 0, failed: 0, pending: 0 };

/** Delivery counts by channel id, for the given channels (every channel when absent). */
export async function deliveryCounts(db: Store, channelIds?: readonly string[]): Promise<Map<string, DeliveryCounts>> {
  const groups = await db.notificationDelivery.groupBy({
    by: ["channelId", "status"],
    where: channelIds ? { channelId: { in: [...channelIds] } } : {},
    _count: { _all: true },
  });
  const counts = new Map<string, DeliveryCounts>();
  for (const group of groups) {
    const before = counts.get(group.channelId) ?? NONE;
    counts.set(group.channelId, { ...before, [group.status]: group._count._all });
  }
  return counts;
}

function summary(channel: ChannelRow, counts: ReadonlyMap<string, DeliveryCounts>, base: string): ChannelSummary {
  return { ...channel, deliveries: counts.get(channel.id) ?? NONE, interactionsUrl: channel.kind === "slack" ? slackInteractionsUrl(base, channel.id) : null };
}

/** Every channel by name, with its delivery counts; `base` is the dashboard's public URL. */
export async function channelSummaries(db: Store, base: string): Promise<ChannelSummary[]> {
  const [channels, counts] = await Promise.all([listChannels(db), deliveryCounts(db)]);
  return channels.map((channel) => summary(channel, counts, base));
}

/** One channel with its delivery counts, or null (also for an id that is not a UUID). */
export async function channelSummary(db: Store, id: string, base: string): Promise<ChannelSummary | null> {
  if (!UUID.test(id)) return null;
  const channel = await getChannel(db, id);
  if (!channel) return null;
  return summary(channel, await deliveryCounts(db, [id]), base);
}

/** The delivery log's filter as the URL gives it: none, a known channel, or a value that names no channel. */
export type ChannelFilter = { readonly kind: "all" } | { readonly kind: "channel"; readonly channel: ChannelRow } | { readonly kind: "unknown" };

/** Reads `?channel=`; only an id among `channels` filters (anything else is reported, never passed on). */
export function parseChannelFilter(value: string | string[] | undefined, channels: readonly ChannelRow[]): ChannelFilter {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return { kind: "all" };
  const channel = channels.find((candidate) => candidate.id === raw.trim().toLowerCase());
  return channel ? { kind: "channel", channel } : { kind: "unknown" };
}

/** How many deliveries the log shows. */
export const DELIVERY_LOG_SIZE = 100;

/** The delivery log, newest first: the filtered channel's, or every channel's (also when the filter is unknown). */
export function deliveryLog(db: Store, filter: ChannelFilter): Promise<DeliveryRow[]> {
  return listDeliveries(db, { take: DELIVERY_LOG_SIZE, ...(filter.kind === "channel" ? { channelId: filter.channel.id } : {}) });
}

export async function connectionChoices(db: Store): Promise<{ id: string; name: string }[]> {
  return db.connection.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}

/** The dashboard's public address (AIRLOCK_PUBLIC_URL, which `npm start` always sets), without a trailing slash. */
export function publicUrl(environment: Readonly<Record<string, string | undefined>> = process.env): string {
  const config = readConfig(environment as NodeJS.ProcessEnv);
  if (config.ok) return config.config.publicUrl;
  const fallback = environment.AIRLOCK_PUBLIC_URL?.trim() || `http://localhost:${environment.AIRLOCK_WEB_PORT?.trim() || "3000"}`;
  return fallback.replace(/\/+$/, "");
}

/** What a Slack app's Interactivity "Request URL" must be for this channel's buttons to reach Airlock. */
export function slackInteractionsUrl(base: string, channelId: string): string {
  return `${base.replace(/\/+$/, "")}/api/slack/${encodeURIComponent(channelId)}/interactions`;
}
