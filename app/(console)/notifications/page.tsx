import type { Metadata } from "next";
import Link from "next/link";
import { ChannelTable } from "@/components/notifications/channel-table";
import { DeliveryFilter, DeliveryLog } from "@/components/notifications/delivery-log";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/auth/permissions";
import { requirePermission } from "@/lib/auth/session";
import { store } from "@/lib/store/client";
import { section } from "../sections";
import { channelSummaries, DELIVERY_LOG_SIZE, deliveryLog, parseChannelFilter, publicUrl } from "./queries";

export const metadata: Metadata = { title: "Notifications" };

const SAVED: Record<string, string> = { deleted: "Channel deleted, with its delivery log." };

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<{ channel?: string | string[]; saved?: string }> }) {
  const user = await requirePermission("notifications.view");
  const editable = can(user.roles, "notifications.edit");
  const { channel, saved } = await searchParams;
  const db = store();
  const channels = await channelSummaries(db, publicUrl());
  const filter = parseChannelFilter(channel, channels);
  const deliveries = await deliveryLog(db, filter);
  const { label, summary } = section("/notifications");

  return (
    <div className="mx-auto max-w-6xl">
      <PageHeader
        title={label}
        summary={summary}
        actions={
          editable ? (
            <Link href="/notifications/new" className={buttonClass("primary")}>
              Add channel
            </Link>
          ) : null
        }
      />
      {saved && Object.hasOwn(SAVED, saved) ? (
        <div className="mb-6">
          <Alert tone="success">{SAVED[saved]}</Alert>
        </div>
      ) : null}

      {channels.length === 0 ? (
        <EmptyState title="No notification channels yet">
          {editable ? "Add a Slack channel or a webhook to announce approval requests as they arrive." : "An admin adds the channels that announce approval requests."}
        </EmptyState>
      ) : (
        <ChannelTable channels={channels} editable={editable} />
      )}

      <section id="deliveries" aria-labelledby="deliveries-heading" className="mt-10 space-y-4">
        <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-xs">
          <h2 id="deliveries-heading" className="text-sm font-semibold text-slate-900">
            Delivery log
          </h2>
          <p className="mt-1 mb-4 text-sm text-slate-500">
            The latest {DELIVERY_LOG_SIZE} deliveries{filter.kind === "channel" ? ` to ${filter.channel.name}` : ""}, newest first. A failed delivery was retried until it ran out of
            attempts.
          </p>
          <DeliveryFilter channels={channels} selected={filter.kind === "channel" ? filter.channel.id : null} />
        </div>
        {filter.kind === "unknown" ? <Alert tone="error">No channel has that id (it may have been deleted): showing every channel&apos;s deliveries.</Alert> : null}
        <DeliveryLog deliveries={deliveries} filtered={filter.kind === "channel"} />
      </section>
    </div>
  );
}
